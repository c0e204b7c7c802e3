package org.zerotir.engine.generate;

import java.util.List;
import java.util.Set;

/**
 * When a sequence stops sampling. Stop sequences are token-id sequences; conditions on text (a closing code
 * fence) belong to the caller, who knows the tokenizer, through {@link Condition}.
 */
public record StopRules(Set<Integer> stopTokens, List<int[]> stopSequences, int maxNewTokens, Condition condition) {

    /**
     * Called after every sampled token. The response is tokens[responseStart, end): everything sampled or
     * appended after the prompt. The array is the generator's own: read it, do not keep or change it.
     */
    @FunctionalInterface
    public interface Condition {
        boolean shouldStop(int[] tokens, int responseStart, int end);
    }

    public StopRules {
        stopTokens = Set.copyOf(stopTokens);
        stopSequences = List.copyOf(stopSequences);
        if (maxNewTokens < 1) throw new IllegalArgumentException("maxNewTokens must be >= 1, got " + maxNewTokens);
        for (int[] sequence : stopSequences) {
            if (sequence.length == 0) throw new IllegalArgumentException("a stop sequence may not be empty");
        }
    }

    public static StopRules of(int maxNewTokens, Integer... stopTokens) {
        return new StopRules(Set.of(stopTokens), List.of(), maxNewTokens, null);
    }

    public StopRules withCondition(Condition newCondition) {
        return new StopRules(stopTokens, stopSequences, maxNewTokens, newCondition);
    }

    public StopRules withStopSequences(List<int[]> sequences) {
        return new StopRules(stopTokens, sequences, maxNewTokens, condition);
    }
}
