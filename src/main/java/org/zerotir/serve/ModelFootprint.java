package org.zerotir.serve;

import org.zerotir.engine.ModelConfig;
import org.zerotir.engine.ParameterLayout;

/**
 * The memory a loaded model holds, known from its config.json before anything is loaded, so that the LRU can make
 * room first: float32 parameters, the KV cache of every slot at its full context (the Generator allocates it whole
 * up front), and one decode step's logits per slot. Prefill activations are transient and left out.
 */
final class ModelFootprint {
    private ModelFootprint() {}

    static long bytes(ModelConfig config, int slots, int contextLength) {
        long parameters = ParameterLayout.of(config).totalSize();
        long positions = Math.min(contextLength, config.maxPositions());
        long kvCache = 2L * config.numLayers() * slots * positions * config.kvDim();
        long logits = (long) slots * config.vocabSize();
        return Float.BYTES * (parameters + kvCache + logits);
    }
}
