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

    /** The layout of sequences' response tokens, one after another, with their trainable masks. */
    public static Batch of(java.util.List<TrainingSequence> sequences, int[] groups, double[] rewards, boolean[] valid) {
        int[] starts = new int[sequences.size()], ends = new int[sequences.size()];
        int total = 0;
        for (int i = 0; i < sequences.size(); i++) {
            starts[i] = total;
            total += sequences.get(i).responseLength();
            ends[i] = total;
        }
        boolean[] trainable = new boolean[total];
        for (int i = 0; i < sequences.size(); i++) {
            System.arraycopy(sequences.get(i).trainable(), 0, trainable, starts[i], sequences.get(i).responseLength());
        }
        return new Batch(starts, ends, groups, rewards, valid, trainable);
    }

    /** Sequences [from, to) with their tokens renumbered from 0; per-token arrays slice with {@link #tokenRange}. */
    public Batch slice(int from, int to) {
        int base = from < to ? starts[from] : 0, end = from < to ? ends[to - 1] : 0;
        int[] s = new int[to - from], e = new int[to - from];
        for (int i = from; i < to; i++) {
            s[i - from] = starts[i] - base;
            e[i - from] = ends[i] - base;
        }
        return new Batch(s, e, java.util.Arrays.copyOfRange(groups, from, to), java.util.Arrays.copyOfRange(rewards, from, to),
                java.util.Arrays.copyOfRange(valid, from, to), java.util.Arrays.copyOfRange(trainable, base, end));
    }

    /** [first token, end) of sequences [from, to) in the per-token arrays. */
    public int[] tokenRange(int from, int to) {
        return from < to ? new int[] {starts[from], ends[to - 1]} : new int[] {0, 0};
    }

    /** Valid sequences with at least one trainable token: the denominator of sequence-mean aggregation. */
    public int validSequences() {
        int count = 0;
        for (int i = 0; i < sequences(); i++) if (valid[i] && trainableTokens(i) > 0) count++;
        return count;
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
