package org.zerotir.rl;

import java.util.HashMap;
import java.util.Map;

/**
 * How each trainable token's advantage is computed from outcome rewards. A sealed set: a run names one.
 * Non-trainable tokens and invalid sequences always get advantage 0.
 */
public sealed interface AdvantageEstimator {

    /** Per-token advantages for the batch; tokenRewards (KL penalties folded into the reward) may be null. */
    double[] advantages(Batch batch, double[] tokenRewards, double[] values);

    /**
     * GRPO: (r - mean of the group) / std of the group, the same for every token of a response. With
     * normalizeStd false this is Dr. GRPO, which drops the division because it favours groups whose rewards
     * barely differ.
     */
    record Grpo(boolean normalizeStd) implements AdvantageEstimator {
        @Override
        public double[] advantages(Batch batch, double[] tokenRewards, double[] values) {
            Map<Integer, double[]> stats = groupStats(batch);
            double[] advantages = new double[batch.tokens()];
            for (int i = 0; i < batch.sequences(); i++) {
                if (!batch.valid()[i]) continue;
                double[] s = stats.get(batch.groups()[i]);
                double advantage = batch.rewards()[i] - s[0];
                if (normalizeStd) advantage /= s[1] + 1e-6;
                fill(batch, i, advantages, advantage);
            }
            return advantages;
        }
    }

    /**
     * RLOO: r minus the mean reward of the other samples of the same prompt (leave-one-out baseline).
     * A group of one sample has no baseline and gets advantage 0.
     */
    record Rloo() implements AdvantageEstimator {
        @Override
        public double[] advantages(Batch batch, double[] tokenRewards, double[] values) {
            Map<Integer, double[]> stats = groupStats(batch);
            double[] advantages = new double[batch.tokens()];
            for (int i = 0; i < batch.sequences(); i++) {
                if (!batch.valid()[i]) continue;
                double[] s = stats.get(batch.groups()[i]);
                int k = (int) s[2];
                if (k < 2) continue;
                double othersMean = (s[0] * k - batch.rewards()[i]) / (k - 1);
                fill(batch, i, advantages, batch.rewards()[i] - othersMean);
            }
            return advantages;
        }
    }

    /**
     * REINFORCE++: token rewards (the outcome on the last trainable token, plus any per-token KL penalty)
     * summed into returns-to-go over the response's trainable tokens (gamma = 1), then normalised by mean and
     * std over all trainable tokens of the batch. With groupBaseline, the group mean reward is subtracted from
     * the outcome first: the "REINFORCE++-baseline" the paper's code trains with.
     */
    record ReinforcePlusPlus(boolean groupBaseline) implements AdvantageEstimator {
        @Override
        public double[] advantages(Batch batch, double[] tokenRewards, double[] values) {
            Map<Integer, double[]> stats = groupStats(batch);
            double[] returns = new double[batch.tokens()];
            for (int i = 0; i < batch.sequences(); i++) {
                if (!batch.valid()[i]) continue;
                double outcome = batch.rewards()[i] - (groupBaseline ? stats.get(batch.groups()[i])[0] : 0);
                double toGo = outcome;
                for (int t = batch.ends()[i] - 1; t >= batch.starts()[i]; t--) {
                    if (!batch.trainable()[t]) continue;
                    if (tokenRewards != null) toGo += tokenRewards[t];
                    returns[t] = toGo;
                }
            }
            return whiten(batch, returns);
        }
    }

    /**
     * PPO with generalised advantage estimation over each response's trainable tokens only. The paper's code
     * resets GAE at every tool-output block, so tokens before the last call never see the final reward; here
     * the environment's tokens are skipped, and the recursion runs across them.
     * values: the critic's estimate at every token (only trainable positions are read).
     */
    record Ppo(double gamma, double lambda) implements AdvantageEstimator {
        public Ppo {
            if (!(gamma >= 0 && gamma <= 1)) throw new IllegalArgumentException("gamma must be in [0, 1], got " + gamma);
            if (!(lambda >= 0 && lambda <= 1)) throw new IllegalArgumentException("lambda must be in [0, 1], got " + lambda);
        }

        @Override
        public double[] advantages(Batch batch, double[] tokenRewards, double[] values) {
            if (values == null) throw new IllegalArgumentException("PPO needs the critic's values");
            double[] advantages = new double[batch.tokens()];
            for (int i = 0; i < batch.sequences(); i++) {
                if (!batch.valid()[i]) continue;
                double nextValue = 0, running = 0;
                boolean last = true;
                for (int t = batch.ends()[i] - 1; t >= batch.starts()[i]; t--) {
                    if (!batch.trainable()[t]) continue;
                    double reward = (tokenRewards == null ? 0 : tokenRewards[t]) + (last ? batch.rewards()[i] : 0);
                    double delta = reward + gamma * nextValue - values[t];
                    running = delta + gamma * lambda * running;
                    advantages[t] = running;
                    nextValue = values[t];
                    last = false;
                }
            }
            return advantages;
        }

        /** Returns (the critic's regression targets): advantage + value on trainable tokens. */
        public double[] returns(Batch batch, double[] advantages, double[] values) {
            double[] returns = new double[batch.tokens()];
            for (int t = 0; t < returns.length; t++) if (batch.trainable()[t]) returns[t] = advantages[t] + values[t];
            return returns;
        }
    }

    /** Per group of valid sequences: mean reward, population std, count. */
    private static Map<Integer, double[]> groupStats(Batch batch) {
        Map<Integer, double[]> sums = new HashMap<>();
        for (int i = 0; i < batch.sequences(); i++) {
            if (!batch.valid()[i]) continue;
            double[] s = sums.computeIfAbsent(batch.groups()[i], g -> new double[3]);
            s[0] += batch.rewards()[i];
            s[1] += batch.rewards()[i] * batch.rewards()[i];
            s[2]++;
        }
        for (double[] s : sums.values()) {
            double mean = s[0] / s[2];
            s[1] = Math.sqrt(Math.max(0, s[1] / s[2] - mean * mean));
            s[0] = mean;
        }
        return sums;
    }

    private static void fill(Batch batch, int sequence, double[] advantages, double value) {
        for (int t = batch.starts()[sequence]; t < batch.ends()[sequence]; t++) {
            if (batch.trainable()[t]) advantages[t] = value;
        }
    }

    /** (x - mean) / std over the trainable tokens of valid sequences; others stay 0. */
    static double[] whiten(Batch batch, double[] values) {
        double sum = 0, squares = 0;
        int count = 0;
        for (int i = 0; i < batch.sequences(); i++) {
            if (!batch.valid()[i]) continue;
            for (int t = batch.starts()[i]; t < batch.ends()[i]; t++) {
                if (!batch.trainable()[t]) continue;
                sum += values[t];
                squares += values[t] * values[t];
                count++;
            }
        }
        double[] out = new double[values.length];
        if (count == 0) return out;
        double mean = sum / count, std = Math.sqrt(Math.max(0, squares / count - mean * mean));
        for (int i = 0; i < batch.sequences(); i++) {
            if (!batch.valid()[i]) continue;
            for (int t = batch.starts()[i]; t < batch.ends()[i]; t++) {
                if (batch.trainable()[t]) out[t] = (values[t] - mean) / (std + 1e-8);
            }
        }
        return out;
    }
}
