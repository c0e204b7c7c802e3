package org.zerotir.rollout;

import java.util.List;

/**
 * One sampled response with everything the trainer and the dashboard need. Response token j was sampled by the
 * policy when trainable[j] (its log-prob under the sampling policy is samplingLogProbs[j]) and appended by the
 * environment otherwise (tool output, log-prob 0).
 *
 * @param fakeOutput      the model wrote an output block the sandbox did not produce
 * @param infraFailure    the sandbox failed on one of its executions: the outcome says nothing about the policy
 */
public record Trajectory(int problemIndex, int sample, int[] promptIds, int[] responseIds, boolean[] trainable,
                         float[] samplingLogProbs, List<CodeRunner.Execution> executions, Ending ending,
                         boolean fakeOutput, boolean infraFailure, String responseText) {

    public enum Ending {
        /** a stop token (EOS) or stop string */
        STOPPED,
        /** the response reached its token limit */
        TRUNCATED
    }

    /** Prompt and response ids, as one sequence. */
    public int[] allIds() {
        int[] all = new int[promptIds.length + responseIds.length];
        System.arraycopy(promptIds, 0, all, 0, promptIds.length);
        System.arraycopy(responseIds, 0, all, promptIds.length, responseIds.length);
        return all;
    }

    public boolean usedCode() {
        return !executions.isEmpty();
    }
}
