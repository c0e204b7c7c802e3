package org.zerotir.engine.cuda;

/** Why the CUDA backend cannot run here (no driver, no device, no kernels for it, ...), in words for a log line. */
public final class CudaUnavailableException extends Exception {
    public CudaUnavailableException(String reason) {
        super(reason);
    }

    public CudaUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
