package org.zerotir.rollout;

import java.util.Arrays;

/** A growable float array: per-token log-probs without boxing. */
final class FloatList {
    private float[] values = new float[64];
    private int size;

    void add(float value) {
        if (size == values.length) values = Arrays.copyOf(values, size * 2);
        values[size++] = value;
    }

    float[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
