package org.zerotir.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Qwen2.5-0.5B's published config.json, as Hugging Face serves it. */
    private static final String QWEN25_05B = """
            {"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
             "eos_token_id": 151643, "hidden_act": "silu", "hidden_size": 896, "initializer_range": 0.02,
             "intermediate_size": 4864, "max_position_embeddings": 32768, "max_window_layers": 24,
             "model_type": "qwen2", "num_attention_heads": 14, "num_hidden_layers": 24, "num_key_value_heads": 2,
             "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 32768, "tie_word_embeddings": true,
             "torch_dtype": "bfloat16", "transformers_version": "4.40.1", "use_cache": true,
             "use_sliding_window": false, "vocab_size": 151936}""";

    private static ObjectNode qwen() throws IOException {
        return (ObjectNode) JSON.readTree(QWEN25_05B);
    }

    @Test
    void readsQwen25Config() throws IOException {
        ModelConfig config = ModelConfig.fromHuggingFace(qwen());
        assertEquals(new ModelConfig(151936, 896, 4864, 24, 14, 2, 32768, 1e6, 1e-6, true, true), config);
        assertEquals(64, config.headDim());
        assertEquals(7, config.queriesPerKvHead());
        // 494M parameters is Qwen2.5-0.5B's published size
        long parameters = ParameterLayout.of(config).totalSize();
        assertTrue(parameters > 494_000_000L && parameters < 494_100_000L, "parameters " + parameters);
        ModelConfig roundTrip = ModelConfig.fromHuggingFace(config.toHuggingFace(JSON));
        assertEquals(config, roundTrip);
    }

    @Test
    void refusesWhatItCannotComputeNamingTheField() throws IOException {
        record Case(String field, Object value) {}
        for (Case c : new Case[] {
                new Case("use_sliding_window", true), new Case("hidden_act", "gelu"), new Case("model_type", "llama"),
                new Case("num_key_value_heads", 3), new Case("hidden_size", 900), new Case("vocab_size", -1),
                new Case("rope_theta", 0), new Case("rms_norm_eps", "small"), new Case("head_dim", 128)}) {
            ObjectNode json = qwen();
            json.set(c.field(), JSON.valueToTree(c.value()));
            ModelConfigException e = assertThrows(ModelConfigException.class, () -> ModelConfig.fromHuggingFace(json), c.field());
            assertFalse(e.getMessage().isBlank());
            assertTrue(e.field().equals(c.field()) || e.getMessage().contains(c.field()), c.field() + ": " + e.getMessage());
        }
        ObjectNode scaled = qwen();
        scaled.putObject("rope_scaling").put("type", "yarn").put("factor", 4.0);
        assertEquals("rope_scaling", assertThrows(ModelConfigException.class, () -> ModelConfig.fromHuggingFace(scaled)).field());
        ObjectNode missing = qwen();
        missing.remove("intermediate_size");
        assertEquals("intermediate_size", assertThrows(ModelConfigException.class, () -> ModelConfig.fromHuggingFace(missing)).field());
    }
}
