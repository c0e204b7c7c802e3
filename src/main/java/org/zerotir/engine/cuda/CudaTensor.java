package org.zerotir.engine.cuda;

import jcuda.driver.CUdeviceptr;
import org.zerotir.engine.Tensor;

/**
 * A view of {@code size} floats starting {@code offset} floats into a device buffer. Every view keeps its buffer
 * reachable, so the buffer's memory (freed by a Cleaner once no view is left) outlives all its views.
 */
record CudaTensor(DeviceBuffer buffer, long offset, long size) implements Tensor {

    CudaTensor {
        if (offset < 0 || size < 0 || offset + size > buffer.floats()) {
            throw new IndexOutOfBoundsException("view [" + offset + ", " + (offset + size) + ") outside a buffer of " + buffer.floats());
        }
    }

    @Override
    public CudaTensor slice(long sliceOffset, long sliceLength) {
        if (sliceOffset < 0 || sliceLength < 0 || sliceOffset + sliceLength > size) {
            throw new IndexOutOfBoundsException("slice [" + sliceOffset + ", " + (sliceOffset + sliceLength) + ") outside a view of " + size);
        }
        return new CudaTensor(buffer, offset + sliceOffset, sliceLength);
    }

    /** The device address of the first float, for kernel arguments and cuBLAS. */
    long address() {
        return buffer.address() + offset * Float.BYTES;
    }

    /** The same place as a JCuda pointer, for the driver's memcpy and memset. */
    CUdeviceptr pointer() {
        return buffer.allocation().withByteOffset(offset * Float.BYTES);
    }

    long bytes() {
        return size * Float.BYTES;
    }
}
