package org.zerotir.engine.cuda;

import org.zerotir.engine.Backend;

/** The one way into the CUDA backend: the rest of the program asks here and falls back on the reason it gets. */
public final class Cuda {
    private Cuda() {
    }

    /**
     * The CUDA backend on device {@code ordinal}, or the reason it cannot run on this machine. Never throws
     * anything else: a missing driver shows up as an UnsatisfiedLinkError from JCuda's loader, a missing cuBLAS
     * as one from JavaCPP's, a driver refusal as a jcuda.CudaException; each becomes a one-line reason.
     */
    public static Backend openBackend(int ordinal) throws CudaUnavailableException {
        return open(ordinal, CudaBackend.Variant.FAST);
    }

    /** One line for the start-up log: device, compute capability, driver, where the kernels came from. */
    public static String describe(Backend backend) {
        return backend instanceof CudaBackend cuda ? cuda.description() : backend.name();
    }

    static CudaBackend open(int ordinal, CudaBackend.Variant variant) throws CudaUnavailableException {
        try {
            return CudaBackend.open(ordinal, variant);
        } catch (CudaUnavailableException e) {
            throw e;
        } catch (LinkageError e) {
            throw new CudaUnavailableException(reasonForLinkError(e), e);
        } catch (RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("CUDA_ERROR_NO_DEVICE")) throw new CudaUnavailableException("no CUDA device", e);
            throw new CudaUnavailableException("CUDA could not start: " + CudaBackend.firstLine(e), e);
        }
    }

    /** JCuda's driver binding links against libcuda.so.1; without a driver its native library does not load. */
    static String reasonForLinkError(LinkageError e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) all.append(t.getMessage()).append(' ');
        String text = all.toString();
        if (text.contains("libcuda") || text.contains("JCudaDriver")) {
            return "no CUDA driver (libcuda.so.1 not found: JCuda's driver binding did not load)";
        }
        return "CUDA libraries could not be loaded: " + CudaBackend.firstLine(e);
    }
}
