package org.zerotir.rollout;

import org.zerotir.engine.generate.SamplingParams;

import java.util.List;
import java.util.Set;

/**
 * How responses are generated.
 *
 * @param callBudget       executions allowed per response (the paper's code: 2); once spent, a code fence no
 *                         longer stops generation and the model must finish in text
 * @param maxOutputTokens  a tool output longer than this is replaced by {@link #OUTPUT_TOO_LONG} (the paper's 256)
 * @param toolEnabled      false for the ZeroRL baseline: code is never executed
 * @param sessionMode      code blocks of one response share interpreter state
 * @param stopStrings      text that ends a response (e.g. "</answer>"), checked on the model's own text
 * @param stopTokens       token ids that end a response (end of sequence)
 * @param slots            sequences generated at once
 */
public record RolloutSettings(int maxResponseTokens, int callBudget, int maxOutputTokens, boolean toolEnabled,
                              boolean sessionMode, List<String> stopStrings, Set<Integer> stopTokens, int slots,
                              SamplingParams sampling) {

    public static final String OUTPUT_TOO_LONG = "output too long, check your code";

    public RolloutSettings {
        if (maxResponseTokens < 1) throw new IllegalArgumentException("maxResponseTokens must be >= 1, got " + maxResponseTokens);
        if (callBudget < 0) throw new IllegalArgumentException("callBudget must be >= 0, got " + callBudget);
        if (maxOutputTokens < 1) throw new IllegalArgumentException("maxOutputTokens must be >= 1, got " + maxOutputTokens);
        if (slots < 1) throw new IllegalArgumentException("slots must be >= 1, got " + slots);
        stopStrings = List.copyOf(stopStrings);
        stopTokens = Set.copyOf(stopTokens);
        for (String s : stopStrings) if (s.isEmpty()) throw new IllegalArgumentException("a stop string may not be empty");
    }
}
