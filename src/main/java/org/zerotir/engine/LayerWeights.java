package org.zerotir.engine;

/**
 * Views of one decoder layer's tensors inside a flat buffer: the parameters, or (same layout) their gradients.
 * Biases are null when the model has no QKV bias.
 */
record LayerWeights(
        Tensor inputNorm,
        Tensor qWeight, Tensor qBias,
        Tensor kWeight, Tensor kBias,
        Tensor vWeight, Tensor vBias,
        Tensor oWeight,
        Tensor postAttentionNorm,
        Tensor gateWeight, Tensor upWeight, Tensor downWeight) {

    static LayerWeights[] of(ParameterLayout layout, Tensor flat) {
        ModelConfig config = layout.config();
        LayerWeights[] layers = new LayerWeights[config.numLayers()];
        for (int l = 0; l < layers.length; l++) {
            int layer = l;
            java.util.function.Function<String, Tensor> view = suffix -> layout.view(flat, ParameterLayout.layerName(layer, suffix));
            boolean bias = config.qkvBias();
            layers[l] = new LayerWeights(
                    view.apply("input_layernorm.weight"),
                    view.apply("self_attn.q_proj.weight"), bias ? view.apply("self_attn.q_proj.bias") : null,
                    view.apply("self_attn.k_proj.weight"), bias ? view.apply("self_attn.k_proj.bias") : null,
                    view.apply("self_attn.v_proj.weight"), bias ? view.apply("self_attn.v_proj.bias") : null,
                    view.apply("self_attn.o_proj.weight"),
                    view.apply("post_attention_layernorm.weight"),
                    view.apply("mlp.gate_proj.weight"), view.apply("mlp.up_proj.weight"), view.apply("mlp.down_proj.weight"));
        }
        return layers;
    }
}
