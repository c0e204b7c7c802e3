package org.zerotir.rl;

/**
 * One trajectory as the learner sees it: the token ids exactly as sampled and appended (prompt first), and per
 * response token whether the policy produced it. Tool output tokens are in {@code tokens} (they are context
 * for what follows) but never trainable.
 */
public record TrainingSequence(int[] tokens, int promptLength, boolean[] trainable) {
    public TrainingSequence {
        if (promptLength < 1 || promptLength >= tokens.length) {
            throw new IllegalArgumentException("prompt length " + promptLength + " must leave at least one response token of "
                    + tokens.length);
        }
        if (trainable.length != tokens.length - promptLength) {
            throw new IllegalArgumentException("trainable mask has " + trainable.length + " entries for "
                    + (tokens.length - promptLength) + " response tokens");
        }
    }

    public int responseLength() {
        return tokens.length - promptLength;
    }
}
