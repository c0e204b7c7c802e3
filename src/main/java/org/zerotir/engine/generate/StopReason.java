package org.zerotir.engine.generate;

/** Why a slot stopped sampling. A stopped slot keeps its cache: the caller may append, resume or free it. */
public enum StopReason {
    /** it sampled one of its stop tokens (end of sequence) */
    STOP_TOKEN,
    /** its sampled tokens ended with one of its stop sequences */
    STOP_SEQUENCE,
    /** its caller-supplied condition (e.g. a closed code fence, checked on text) said stop */
    CONDITION,
    /** it sampled its maximum number of new tokens */
    MAX_TOKENS,
    /** its sequence filled the KV cache */
    CONTEXT_FULL,
    /** its caller paused it */
    PAUSED
}
