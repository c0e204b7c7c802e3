package org.zerotir.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The shape of a Qwen2-style decoder. Field names follow Hugging Face's {@code config.json} so that a
 * Qwen2.5 directory loads as is and our checkpoints load in Hugging Face tools.
 *
 * @param qkvBias       Qwen2 always has q/k/v projection biases; small from-scratch models may drop them.
 *                      Written to config.json as {@code attention_bias}, a key Qwen2 itself ignores.
 * @param maxPositions  longest sequence the model is meant for; RoPE tables and KV caches are sized by it
 * @param head          what the last layer computes: next-token logits, or one value per token (a PPO critic,
 *                      stored as Hugging Face's {@code score.weight} like Qwen2ForTokenClassification)
 */
public record ModelConfig(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int maxPositions,
        double ropeTheta,
        double rmsNormEps,
        boolean qkvBias,
        boolean tiedEmbeddings,
        OutputHead head) {

    public enum OutputHead { LANGUAGE_MODEL, VALUE }

    /** A language model (the common case). */
    public ModelConfig(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads, int numKvHeads,
                       int maxPositions, double ropeTheta, double rmsNormEps, boolean qkvBias, boolean tiedEmbeddings) {
        this(vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, maxPositions, ropeTheta, rmsNormEps,
                qkvBias, tiedEmbeddings, OutputHead.LANGUAGE_MODEL);
    }

    public ModelConfig {
        if (head == null) throw new ModelConfigException("architectures", "a model needs an output head");
        if (head == OutputHead.VALUE && tiedEmbeddings) {
            throw new ModelConfigException("tie_word_embeddings", "a value head cannot be tied to the embeddings");
        }
        requirePositive("vocab_size", vocabSize);
        requirePositive("hidden_size", hiddenSize);
        requirePositive("intermediate_size", intermediateSize);
        requirePositive("num_hidden_layers", numLayers);
        requirePositive("num_attention_heads", numHeads);
        requirePositive("num_key_value_heads", numKvHeads);
        requirePositive("max_position_embeddings", maxPositions);
        if (hiddenSize % numHeads != 0) {
            throw new ModelConfigException("hidden_size",
                    "hidden_size " + hiddenSize + " is not divisible by num_attention_heads " + numHeads);
        }
        if (numHeads % numKvHeads != 0) {
            throw new ModelConfigException("num_key_value_heads",
                    "num_attention_heads " + numHeads + " is not a multiple of num_key_value_heads " + numKvHeads);
        }
        if ((hiddenSize / numHeads) % 2 != 0) {
            throw new ModelConfigException("hidden_size",
                    "head dimension " + hiddenSize / numHeads + " must be even for rotary embeddings");
        }
        if (!(ropeTheta > 0) || Double.isInfinite(ropeTheta)) {
            throw new ModelConfigException("rope_theta", "rope_theta must be a positive number, got " + ropeTheta);
        }
        if (!(rmsNormEps > 0) || rmsNormEps >= 1) {
            throw new ModelConfigException("rms_norm_eps", "rms_norm_eps must be in (0, 1), got " + rmsNormEps);
        }
        // Every parameter tensor must fit one Java array: the CPU backend keeps them on the heap.
        long largest = Math.max((long) vocabSize * hiddenSize, (long) intermediateSize * hiddenSize);
        if (largest > Integer.MAX_VALUE - 8) {
            throw new ModelConfigException("vocab_size", "a single weight matrix of " + largest + " elements is too large");
        }
    }

    /** Columns of the output projection: the vocabulary, or 1 for a value head. */
    public int outputSize() {
        return head == OutputHead.VALUE ? 1 : vocabSize;
    }

    /** The same trunk with a value head: PPO's critic, initialised from the policy. */
    public ModelConfig asValueModel() {
        return new ModelConfig(vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, maxPositions,
                ropeTheta, rmsNormEps, qkvBias, false, OutputHead.VALUE);
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    public int kvDim() {
        return numKvHeads * headDim();
    }

    /** Query heads that share one key/value head (grouped-query attention). */
    public int queriesPerKvHead() {
        return numHeads / numKvHeads;
    }

    public ModelConfig withMaxPositions(int positions) {
        return new ModelConfig(vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, positions,
                ropeTheta, rmsNormEps, qkvBias, tiedEmbeddings, head);
    }

    /** Reads a Hugging Face Qwen2 {@code config.json}. Missing optional keys take Qwen2's defaults. */
    public static ModelConfig fromHuggingFace(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new ModelConfigException("config.json", "config.json must be a JSON object");
        }
        String modelType = json.path("model_type").asText("qwen2");
        if (!modelType.equals("qwen2")) {
            throw new ModelConfigException("model_type", "only model_type \"qwen2\" is supported, got \"" + modelType + "\"");
        }
        int hidden = requiredInt(json, "hidden_size");
        int heads = requiredInt(json, "num_attention_heads");
        // Features some Qwen2 configs switch on that this engine does not implement: refuse rather than
        // silently compute a different model.
        String activation = json.path("hidden_act").asText("silu");
        if (!activation.equals("silu")) {
            throw new ModelConfigException("hidden_act", "only hidden_act \"silu\" is supported, got \"" + activation + "\"");
        }
        if (json.path("use_sliding_window").asBoolean(false)) {
            throw new ModelConfigException("use_sliding_window", "sliding-window attention is not supported (use_sliding_window is true)");
        }
        if (json.hasNonNull("rope_scaling")) {
            throw new ModelConfigException("rope_scaling", "rope_scaling " + json.get("rope_scaling") + " is not supported");
        }
        if (json.has("head_dim") && heads > 0 && json.get("head_dim").asInt() * heads != hidden) {
            throw new ModelConfigException("head_dim", "head_dim " + json.get("head_dim") + " times num_attention_heads "
                    + heads + " must equal hidden_size " + hidden);
        }
        return new ModelConfig(
                requiredInt(json, "vocab_size"),
                hidden,
                requiredInt(json, "intermediate_size"),
                requiredInt(json, "num_hidden_layers"),
                heads,
                json.has("num_key_value_heads") ? requiredInt(json, "num_key_value_heads") : heads,
                json.has("max_position_embeddings") ? requiredInt(json, "max_position_embeddings") : 32768,
                json.has("rope_theta") ? requiredDouble(json, "rope_theta") : 10000.0,
                json.has("rms_norm_eps") ? requiredDouble(json, "rms_norm_eps") : 1e-6,
                !json.has("attention_bias") || json.get("attention_bias").asBoolean(true),
                json.path("tie_word_embeddings").asBoolean(false) && !isValueModel(json),
                isValueModel(json) ? OutputHead.VALUE : OutputHead.LANGUAGE_MODEL);
    }

    private static boolean isValueModel(JsonNode json) {
        JsonNode architectures = json.path("architectures");
        if (!architectures.isArray() || architectures.isEmpty()) return false;
        String architecture = architectures.get(0).asText();
        if (architecture.equals("Qwen2ForTokenClassification")) {
            if (json.path("num_labels").asInt(1) != 1) {
                throw new ModelConfigException("num_labels", "a value model has one label, got " + json.get("num_labels"));
            }
            return true;
        }
        if (!architecture.equals("Qwen2ForCausalLM")) {
            throw new ModelConfigException("architectures", "architecture " + architecture
                    + " is not supported (Qwen2ForCausalLM or Qwen2ForTokenClassification)");
        }
        return false;
    }

    public ObjectNode toHuggingFace(ObjectMapper mapper) {
        ObjectNode json = mapper.createObjectNode();
        json.putArray("architectures").add(head == OutputHead.VALUE ? "Qwen2ForTokenClassification" : "Qwen2ForCausalLM");
        if (head == OutputHead.VALUE) json.put("num_labels", 1);
        json.put("model_type", "qwen2");
        json.put("hidden_act", "silu");
        json.put("vocab_size", vocabSize);
        json.put("hidden_size", hiddenSize);
        json.put("intermediate_size", intermediateSize);
        json.put("num_hidden_layers", numLayers);
        json.put("num_attention_heads", numHeads);
        json.put("num_key_value_heads", numKvHeads);
        json.put("max_position_embeddings", maxPositions);
        json.put("rope_theta", ropeTheta);
        json.put("rms_norm_eps", rmsNormEps);
        json.put("attention_bias", qkvBias);
        json.put("tie_word_embeddings", tiedEmbeddings);
        json.put("torch_dtype", "float32");
        return json;
    }

    private static int requiredInt(JsonNode json, String field) {
        JsonNode node = json.get(field);
        if (node == null || !node.canConvertToInt() || !node.isIntegralNumber()) {
            throw new ModelConfigException(field, "config field " + field + " must be an integer, got " + node);
        }
        return node.asInt();
    }

    private static double requiredDouble(JsonNode json, String field) {
        JsonNode node = json.get(field);
        if (node == null || !node.isNumber()) {
            throw new ModelConfigException(field, "config field " + field + " must be a number, got " + node);
        }
        return node.asDouble();
    }

    private static void requirePositive(String field, int value) {
        if (value <= 0) {
            throw new ModelConfigException(field, field + " must be positive, got " + value);
        }
    }
}
