package org.zerotir.engine.cuda;

import org.zerotir.engine.Backend;

/** The one way into the CUDA backend: the rest of the program asks here and falls back on the reason it gets. */
public final class Cuda {
    private Cuda() {
    }

    /** The CUDA backend on device {@code ordinal}, or the reason it cannot run on this machine. */
    public static Backend openBackend(int ordinal) throws CudaUnavailableException {
        throw new CudaUnavailableException("this build has no CUDA backend yet");
    }
}
