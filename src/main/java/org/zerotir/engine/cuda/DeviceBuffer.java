package org.zerotir.engine.cuda;

/**
 * One cuMemAlloc'd block. The Backend interface has no free: the CPU backend leaves its arrays to the garbage
 * collector, and the engine drops activations by dropping references (Transformer.releaseTrainingActivations).
 * The CUDA backend does the same through a Cleaner registered by {@link CudaBackend}; the block is freed when
 * this object, and with it every view of it, is unreachable, or when the backend closes.
 */
final class DeviceBuffer {
    private final DevicePointers.Allocation allocation;
    private final long address;
    private final long floats;

    DeviceBuffer(DevicePointers.Allocation allocation, long floats) {
        this.allocation = allocation;
        this.address = allocation.address();
        this.floats = floats;
    }

    DevicePointers.Allocation allocation() {
        return allocation;
    }

    long address() {
        return address;
    }

    long floats() {
        return floats;
    }
}
