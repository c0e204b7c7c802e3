package org.zerotir.engine;

/** The backend asked for cannot run on this machine; the message says why and which setting to change. */
public final class BackendUnavailableException extends RuntimeException {
    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
