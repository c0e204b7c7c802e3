package org.zerotir.engine;

/**
 * Keys and values of every layer for a fixed number of sequence slots, each up to {@code length} tokens:
 * per layer, k and v are (slots, length, KV*D). Which positions of a slot are valid is the caller's record
 * (see {@code Generator}); the cache only stores.
 */
public final class KvCache {
    final Tensor[] keys;
    final Tensor[] values;
    private final int slots;
    private final int length;

    public KvCache(Backend backend, ModelConfig config, int slots, int length) {
        if (slots < 1) throw new IllegalArgumentException("a KV cache needs at least one slot, got " + slots);
        if (length < 1 || length > config.maxPositions()) {
            throw new IllegalArgumentException("cache length " + length + " must be in [1, " + config.maxPositions() + "]");
        }
        this.slots = slots;
        this.length = length;
        long perLayer = (long) slots * length * config.kvDim();
        keys = new Tensor[config.numLayers()];
        values = new Tensor[config.numLayers()];
        for (int l = 0; l < keys.length; l++) {
            keys[l] = backend.allocate(perLayer);
            values[l] = backend.allocate(perLayer);
        }
    }

    public int slots() {
        return slots;
    }

    public int length() {
        return length;
    }
}
