package org.zerotir.engine;

/**
 * A view of {@code size} consecutive floats in memory owned by a {@link Backend}. Views are cheap and
 * carry no shape: as in llm.c, every operation states the shapes it expects.
 */
public interface Tensor {
    long size();

    /** The view of {@code length} floats starting {@code offset} floats into this one. */
    Tensor slice(long offset, long length);
}
