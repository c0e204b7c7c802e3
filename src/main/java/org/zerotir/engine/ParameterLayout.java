package org.zerotir.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each named parameter lives inside one flat buffer. Names are Hugging Face's Qwen2 names, so the
 * same layout serves parameters, gradients, both AdamW moments and safetensors files.
 */
public final class ParameterLayout {

    /** One tensor: its Hugging Face name, its shape (row-major, PyTorch's [out, in] for linear weights) and its place. */
    public record Entry(String name, int[] shape, long offset, long size) {}

    public static final String EMBEDDING = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";
    /** Hugging Face's name for the value head of a token-classification model with one label. */
    public static final String VALUE_HEAD = "score.weight";

    private final ModelConfig config;
    private final List<Entry> entries;
    private final Map<String, Entry> byName;
    private final long totalSize;

    private ParameterLayout(ModelConfig config) {
        this.config = config;
        List<Entry> list = new ArrayList<>();
        long[] cursor = {0};
        int c = config.hiddenSize();
        int q = config.numHeads() * config.headDim();
        int kv = config.kvDim();
        int ffn = config.intermediateSize();
        add(list, cursor, EMBEDDING, config.vocabSize(), c);
        for (int layer = 0; layer < config.numLayers(); layer++) {
            add(list, cursor, layerName(layer, "input_layernorm.weight"), c);
            add(list, cursor, layerName(layer, "self_attn.q_proj.weight"), q, c);
            if (config.qkvBias()) add(list, cursor, layerName(layer, "self_attn.q_proj.bias"), q);
            add(list, cursor, layerName(layer, "self_attn.k_proj.weight"), kv, c);
            if (config.qkvBias()) add(list, cursor, layerName(layer, "self_attn.k_proj.bias"), kv);
            add(list, cursor, layerName(layer, "self_attn.v_proj.weight"), kv, c);
            if (config.qkvBias()) add(list, cursor, layerName(layer, "self_attn.v_proj.bias"), kv);
            add(list, cursor, layerName(layer, "self_attn.o_proj.weight"), c, q);
            add(list, cursor, layerName(layer, "post_attention_layernorm.weight"), c);
            add(list, cursor, layerName(layer, "mlp.gate_proj.weight"), ffn, c);
            add(list, cursor, layerName(layer, "mlp.up_proj.weight"), ffn, c);
            add(list, cursor, layerName(layer, "mlp.down_proj.weight"), c, ffn);
        }
        add(list, cursor, FINAL_NORM, c);
        if (config.head() == ModelConfig.OutputHead.VALUE) {
            add(list, cursor, VALUE_HEAD, 1, c);
        } else if (!config.tiedEmbeddings()) {
            add(list, cursor, LM_HEAD, config.vocabSize(), c);
        }
        this.entries = Collections.unmodifiableList(list);
        Map<String, Entry> map = new LinkedHashMap<>();
        for (Entry e : list) map.put(e.name(), e);
        this.byName = Collections.unmodifiableMap(map);
        this.totalSize = cursor[0];
    }

    public static ParameterLayout of(ModelConfig config) {
        return new ParameterLayout(config);
    }

    public static String layerName(int layer, String suffix) {
        return "model.layers." + layer + "." + suffix;
    }

    private static void add(List<Entry> list, long[] cursor, String name, int... shape) {
        long size = 1;
        for (int d : shape) size *= d;
        list.add(new Entry(name, shape.clone(), cursor[0], size));
        cursor[0] += size;
    }

    public ModelConfig config() {
        return config;
    }

    public List<Entry> entries() {
        return entries;
    }

    public Entry get(String name) {
        Entry e = byName.get(name);
        if (e == null) throw new IllegalArgumentException("no parameter named " + name);
        return e;
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    public long totalSize() {
        return totalSize;
    }

    /** The view of one named tensor inside a flat buffer laid out by this layout. */
    public Tensor view(Tensor flat, String name) {
        Entry e = get(name);
        return flat.slice(e.offset(), e.size());
    }

    /** The output projection: its own matrix, the embedding table when tied, or the value head. */
    public String lmHeadName() {
        if (config.head() == ModelConfig.OutputHead.VALUE) return VALUE_HEAD;
        return config.tiedEmbeddings() ? EMBEDDING : LM_HEAD;
    }
}
