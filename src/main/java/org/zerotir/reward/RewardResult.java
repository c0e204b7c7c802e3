package org.zerotir.reward;

/**
 * One response's reward and why.
 *
 * @param reward  what RL maximises: 1 or 0, less any configured penalties
 * @param correct the final answer was verified equal to the reference (and the response counts: see TRUNCATED)
 * @param answer  the extracted final answer, null when there was none
 * @param verdict the verifier's verdict and deciding stage; null when there was no answer to verify
 */
public record RewardResult(double reward, boolean correct, String answer, Outcome outcome, MathEquivalence.Verdict verdict) {

    public enum Outcome {
        CORRECT,
        WRONG,
        /** no boxed answer (nor the style's fallbacks) */
        NO_ANSWER,
        /** an answer the verifier could not read or decide: scored as wrong, counted apart */
        UNPARSEABLE,
        /** cut off at the token limit while truncated responses count as wrong */
        TRUNCATED,
        /** the answer tags the settings require are missing, repeated or out of order */
        BAD_FORMAT
    }
}
