package org.zerotir.engine.cpu;

import org.zerotir.engine.Tensor;

/** A view into a Java float array: the CPU backend keeps everything on the heap (see {@link Blas} for why). */
public record CpuTensor(float[] data, int offset, int length) implements Tensor {

    public CpuTensor {
        if (offset < 0 || length < 0 || (long) offset + length > data.length) {
            throw new IndexOutOfBoundsException("view [" + offset + ", " + ((long) offset + length)
                    + ") outside an array of " + data.length);
        }
    }

    @Override
    public long size() {
        return length;
    }

    @Override
    public CpuTensor slice(long sliceOffset, long sliceLength) {
        if (sliceOffset < 0 || sliceLength < 0 || sliceOffset + sliceLength > length) {
            throw new IndexOutOfBoundsException("slice [" + sliceOffset + ", " + (sliceOffset + sliceLength)
                    + ") outside a view of " + length);
        }
        return new CpuTensor(data, offset + (int) sliceOffset, (int) sliceLength);
    }

    static CpuTensor of(Tensor tensor) {
        if (tensor instanceof CpuTensor cpu) return cpu;
        throw new IllegalArgumentException("the CPU backend was given a " + tensor.getClass().getSimpleName());
    }
}
