package org.zerotir.serve;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** The OpenAI-compatible endpoint's settings ({@code zerotir.serve.*}). */
@ConfigMapping(prefix = "zerotir.serve")
public interface ServeConfig {

    /** Hugging Face model directories served under a name: {@code zerotir.serve.models.<name>=<directory>}. */
    Map<String, String> models();

    /** A configured model's prompt template, when not {@link #template()}: {@code zerotir.serve.templates.<name>=chatml}. */
    Map<String, String> templates();

    /** The prompt template chat requests are rendered with (a run's checkpoints use their run's template). */
    @WithDefault("zerotir")
    String template();

    /**
     * Bytes the loaded models may hold together (parameters + KV cache of every slot + logits, see ModelFootprint);
     * the least recently used idle models are unloaded to make room. Default: half the machine's physical memory.
     */
    OptionalLong modelCacheBytes();

    /** Sequences decoded together per model (KV-cache slots); more wait for a free slot. */
    @WithDefault("32")
    int slots();

    /**
     * Sequences that may wait for a slot, per model; past this a request is refused at once (503, with Retry-After)
     * rather than queued without bound.
     */
    @WithDefault("256")
    int maxWaiting();

    /** Context per slot, in tokens (capped by the model's own). */
    @WithDefault("4096")
    int contextLength();

    /** The largest max_tokens a request may ask for. */
    @WithDefault("2048")
    int maxTokens();

    /** max_tokens when a request gives none. */
    @WithDefault("512")
    int defaultMaxTokens();

    @WithDefault("3072")
    int maxPromptTokens();

    @WithDefault("1048576")
    int maxRequestBytes();

    /** The largest n (choices per request). */
    @WithDefault("16")
    int maxN();

    /** Code executions per response, as in training (a request may ask for fewer or more, up to max-call-budget). */
    @WithDefault("2")
    int callBudget();

    @WithDefault("8")
    int maxCallBudget();

    /** A longer tool output is replaced by the "output too long" message, as in training. */
    @WithDefault("256")
    int maxOutputTokens();

    /** CPU threads per loaded model (default: all cores). */
    OptionalInt threads();
}
