package org.zerotir.sandbox;

/** Every worker is busy and the queue is full: retry later or add workers (zerotir.sandbox.workers). */
public class SandboxBusyException extends RuntimeException {
    public SandboxBusyException(String message) {
        super(message);
    }
}
