package org.zerotir.rl;

/**
 * The trainer's view of a rollout batch, flattened: sequence i owns response tokens [start[i], end[i]) of
 * the per-token arrays. {@code trainable} is the mask: 1 for tokens the policy sampled, 0 for tokens the
 * environment appended (tool output), which get no gradient, no advantage and no place in any denominator.
 *
 * @param groups  prompt group of each sequence (samples of the same prompt share a group)
 * @param rewards outcome reward of each sequence
 * @param valid   false for sequences left out of advantage statistics and the loss (e.g. the sandbox
 *                itself failed, so the outcome says nothing about the policy)
 */
public record Batch(int[] starts, int[] ends, int[] groups, double[] rewards, boolean[] valid, boolean[] trainable) {

    public Batch {
        int n = starts.length;
        if (ends.length != n || groups.length != n || rewards.length != n || valid.length != n) {
            throw new IllegalArgumentException("per-sequence arrays differ in length");
        }
        for (int i = 0; i < n; i++) {
            if (starts[i] < 0 || ends[i] < starts[i] || ends[i] > trainable.length) {
                throw new IllegalArgumentException("sequence " + i + " spans [" + starts[i] + ", " + ends[i]
                        + ") outside " + trainable.length + " tokens");
            }
            if (i > 0 && starts[i] < ends[i - 1]) throw new IllegalArgumentException("sequences " + (i - 1) + " and " + i + " overlap");
            if (!Double.isFinite(rewards[i])) throw new IllegalArgumentException("reward of sequence " + i + " is " + rewards[i]);
        }
    }

    public int sequences() {
        return starts.length;
    }

    public int tokens() {
        return trainable.length;
    }

    /** Trainable tokens of valid sequences: the denominator of token-mean aggregation. */
    public int trainableTokens() {
        int count = 0;
        for (int i = 0; i < sequences(); i++) {
            if (!valid[i]) continue;
            for (int t = starts[i]; t < ends[i]; t++) if (trainable[t]) count++;
        }
        return count;
    }

    public int trainableTokens(int sequence) {
        int count = 0;
        for (int t = starts[sequence]; t < ends[sequence]; t++) if (trainable[t]) count++;
        return count;
    }
}
