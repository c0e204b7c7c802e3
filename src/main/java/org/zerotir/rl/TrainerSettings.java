package org.zerotir.rl;

/**
 * One RL run's training loop settings (the rollout's own are in RolloutSettings).
 *
 * @param promptsPerStep     problems sampled per step
 * @param samplesPerPrompt   responses per problem (the group)
 * @param fakeOutput         what to do with a response whose output blocks did not all come from the sandbox
 * @param dynamicSampling    leave out groups whose rewards are all equal (they carry no signal)
 * @param dropTruncated      leave out responses that hit the token limit (overlong filtering)
 * @param klInReward         fold the KL to the reference into the reward (REINFORCE++) instead of the loss
 * @param klCoefficient      weight of that KL when folded into the reward
 */
public record TrainerSettings(AdvantageEstimator estimator, int promptsPerStep, int samplesPerPrompt,
                              PolicyLoss.Settings loss, PolicyLearner.Settings learner, FakeOutput fakeOutput,
                              boolean dynamicSampling, boolean dropTruncated, boolean klInReward, double klCoefficient,
                              double valueClip, long seed) {

    public enum FakeOutput {
        /** train on it as it is */
        KEEP,
        /** keep it in the statistics with reward 0 */
        ZERO_REWARD,
        /** leave it out of advantages and the loss */
        DROP
    }

    public TrainerSettings {
        if (promptsPerStep < 1) throw new IllegalArgumentException("promptsPerStep must be >= 1, got " + promptsPerStep);
        if (samplesPerPrompt < 1) throw new IllegalArgumentException("samplesPerPrompt must be >= 1, got " + samplesPerPrompt);
        if (estimator instanceof AdvantageEstimator.Grpo && samplesPerPrompt < 2) {
            throw new IllegalArgumentException("GRPO needs samplesPerPrompt >= 2: a group of one has no baseline");
        }
        if (estimator instanceof AdvantageEstimator.Rloo && samplesPerPrompt < 2) {
            throw new IllegalArgumentException("RLOO needs samplesPerPrompt >= 2: a group of one has no baseline");
        }
        if (!(klCoefficient >= 0)) throw new IllegalArgumentException("klCoefficient must be >= 0, got " + klCoefficient);
        if (!(valueClip > 0)) throw new IllegalArgumentException("valueClip must be positive, got " + valueClip);
    }
}
