package org.zerotir.engine.cuda;

/**
 * Every kernel the CUDA backend launches, by the source file (module) that defines it and its {@code extern "C"}
 * entry name. The one list: the backend launches only these, and a CPU-side test checks that each one is an
 * {@code .entry} of its module's PTX, so a misspelt or deleted kernel fails the build instead of the first GPU run.
 */
enum Kernel {
    ADD_REF("elementwise", "add_ref"),
    ADD("elementwise", "add"),
    SCALE_REF("elementwise", "scale_ref"),
    SCALE("elementwise", "scale"),
    BIAS_BROADCAST_REF("elementwise", "bias_broadcast_ref"),
    BIAS_BROADCAST("elementwise", "bias_broadcast"),
    BIAS_BACKWARD_REF("elementwise", "bias_backward_ref"),
    BIAS_BACKWARD("elementwise", "bias_backward"),

    SUM_SQUARES_REF("sum_squares", "sum_squares_ref"),
    SUM_SQUARES("sum_squares", "sum_squares"),

    EMBEDDING_FORWARD_REF("embedding", "embedding_forward_ref"),
    EMBEDDING_FORWARD("embedding", "embedding_forward"),
    EMBEDDING_BACKWARD_REF("embedding", "embedding_backward_ref"),
    EMBEDDING_BACKWARD("embedding", "embedding_backward"),

    RMSNORM_FORWARD_REF("rmsnorm", "rmsnorm_forward_ref"),
    RMSNORM_FORWARD("rmsnorm", "rmsnorm_forward"),
    RMSNORM_BACKWARD_DINP_REF("rmsnorm", "rmsnorm_backward_dinp_ref"),
    RMSNORM_BACKWARD_DINP("rmsnorm", "rmsnorm_backward_dinp"),
    RMSNORM_BACKWARD_DWEIGHT_REF("rmsnorm", "rmsnorm_backward_dweight_ref"),
    RMSNORM_BACKWARD_DWEIGHT("rmsnorm", "rmsnorm_backward_dweight"),

    ROPE_REF("rope", "rope_ref"),
    ROPE("rope", "rope"),

    ATTENTION_FORWARD_REF("attention", "attention_forward_ref"),
    ATTENTION_FORWARD("attention", "attention_forward"),
    ATTENTION_FORWARD_FLASH("attention_flash", "attention_forward_flash"),
    ATTENTION_BACKWARD_REF("attention_backward", "attention_backward_ref"),
    ATTENTION_BACKWARD_DQ("attention_backward", "attention_backward_dq"),
    ATTENTION_BACKWARD_DKDV("attention_backward", "attention_backward_dkdv"),

    KV_CACHE_WRITE_REF("kv_cache", "kv_cache_write_ref"),
    KV_CACHE_WRITE("kv_cache", "kv_cache_write"),
    CACHED_ATTENTION_REF("kv_cache", "cached_attention_ref"),
    CACHED_ATTENTION("kv_cache", "cached_attention"),

    SWIGLU_FORWARD_REF("swiglu", "swiglu_forward_ref"),
    SWIGLU_FORWARD("swiglu", "swiglu_forward"),
    SWIGLU_BACKWARD_REF("swiglu", "swiglu_backward_ref"),
    SWIGLU_BACKWARD("swiglu", "swiglu_backward"),

    TOKEN_SCORES_FORWARD_REF("token_scores", "token_scores_forward_ref"),
    TOKEN_SCORES_FORWARD("token_scores", "token_scores_forward"),
    TOKEN_SCORES_BACKWARD_REF("token_scores", "token_scores_backward_ref"),
    TOKEN_SCORES_BACKWARD("token_scores", "token_scores_backward"),

    ADAMW_REF("adamw", "adamw_ref"),
    ADAMW("adamw", "adamw");

    /** The file {@code native-kernels/<module>.cu}, compiled to one PTX module. */
    final String module;
    /** The {@code extern "C"} name, so the PTX entry carries it unmangled. */
    final String entry;

    Kernel(String module, String entry) {
        this.module = module;
        this.entry = entry;
    }

    /** The modules in a stable order, each once. */
    static java.util.List<String> modules() {
        return java.util.Arrays.stream(values()).map(k -> k.module).distinct().toList();
    }
}
