package org.zerotir.rl;

import java.util.List;

/**
 * The per-step metric names of DESIGN.md §7: the trainer writes them, the database stores them, the API and the
 * dashboard read them. This is the one list; nothing else spells them.
 */
public final class MetricNames {
    private MetricNames() {}

    public static final String ACCURACY = "accuracy";
    public static final String REWARD_MEAN = "reward/mean";
    public static final String TOOL_CODE_RATIO = "tool/code_ratio";
    public static final String TOOL_CALLS_PER_RESPONSE = "tool/calls_per_response";
    public static final String TOOL_ERROR_RATE = "tool/error_rate";
    public static final String TOOL_FAKE_OUTPUT_RATE = "tool/fake_output_rate";
    public static final String TOOL_INFRA_FAILURES = "tool/infra_failures";
    public static final String RESPONSE_LENGTH_MEAN = "response/length_mean";
    public static final String RESPONSE_TRUNCATED_RATIO = "response/truncated_ratio";
    public static final String RESPONSE_NO_ANSWER_RATIO = "response/no_answer_ratio";
    public static final String POLICY_KL = "policy/kl";
    public static final String POLICY_ENTROPY = "policy/entropy";
    public static final String POLICY_CLIP_LOW = "policy/clip_low";
    public static final String POLICY_CLIP_HIGH = "policy/clip_high";
    public static final String POLICY_GRAD_NORM = "policy/grad_norm";
    public static final String POLICY_LR = "policy/lr";
    public static final String CRITIC_VALUE_LOSS = "critic/value_loss";
    public static final String CRITIC_EXPLAINED_VARIANCE = "critic/explained_variance";
    public static final String GEN_TOKENS_PER_S = "throughput/gen_tokens_per_s";
    public static final String TRAIN_TOKENS_PER_S = "throughput/train_tokens_per_s";
    public static final String TIME_GEN_S = "time/gen_s";
    public static final String TIME_EXEC_S = "time/exec_s";
    public static final String TIME_TRAIN_S = "time/train_s";

    /** Every fixed per-step name, in the order tables list them. */
    public static final List<String> PER_STEP = List.of(ACCURACY, REWARD_MEAN, TOOL_CODE_RATIO, TOOL_CALLS_PER_RESPONSE,
            TOOL_ERROR_RATE, TOOL_FAKE_OUTPUT_RATE, TOOL_INFRA_FAILURES, RESPONSE_LENGTH_MEAN, RESPONSE_TRUNCATED_RATIO,
            RESPONSE_NO_ANSWER_RATIO, POLICY_KL, POLICY_ENTROPY, POLICY_CLIP_LOW, POLICY_CLIP_HIGH, POLICY_GRAD_NORM, POLICY_LR,
            CRITIC_VALUE_LOSS, CRITIC_EXPLAINED_VARIANCE, GEN_TOKENS_PER_S, TRAIN_TOKENS_PER_S, TIME_GEN_S, TIME_EXEC_S, TIME_TRAIN_S);

    public static String evalAverage(String benchmark, int k) {
        return "eval/" + benchmark + "/avg@" + k;
    }

    public static String evalPass(String benchmark, int k) {
        return "eval/" + benchmark + "/pass@" + k;
    }

    public static String evalCodeRatio(String benchmark) {
        return "eval/" + benchmark + "/code_ratio";
    }

    /** A name the trainer or an evaluation may write: one of the fixed names or an eval/<benchmark>/... name. */
    public static boolean isKnown(String name) {
        return PER_STEP.contains(name) || name.matches("eval/[A-Za-z0-9_.-]+/(avg@\\d+|pass@\\d+|code_ratio)");
    }
}
