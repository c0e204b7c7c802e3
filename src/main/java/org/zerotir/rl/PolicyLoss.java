package org.zerotir.rl;

/**
 * The token-level clipped surrogate (PPO's, with separate low and high clip ranges as in DAPO's
 * "clip-higher"), an optional KL penalty to a frozen reference inside the loss, and an optional entropy
 * bonus. It does not run the model: given the per-token log-probs and entropies the model computed, it
 * returns the loss and its derivative with respect to each of them, which is exactly what
 * {@code Transformer.backward} takes.
 */
public final class PolicyLoss {

    public enum Aggregation {
        /** sum over all trainable tokens of the batch / their count (the paper's code) */
        TOKEN_MEAN,
        /** mean over each sequence's trainable tokens, then mean over sequences */
        SEQUENCE_MEAN
    }

    public record Settings(double clipLow, double clipHigh, Aggregation aggregation, double klCoefficient,
                           KlEstimator klEstimator, double entropyCoefficient) {
        public Settings {
            if (!(clipLow > 0 && clipLow < 1)) throw new IllegalArgumentException("clipLow must be in (0, 1), got " + clipLow);
            if (!(clipHigh > 0)) throw new IllegalArgumentException("clipHigh must be positive, got " + clipHigh);
            if (!(klCoefficient >= 0)) throw new IllegalArgumentException("klCoefficient must be >= 0, got " + klCoefficient);
            if (!(entropyCoefficient >= 0)) throw new IllegalArgumentException("entropyCoefficient must be >= 0, got " + entropyCoefficient);
        }

        /** The paper's: clip 0.2 / 0.28, token mean, no KL, no entropy bonus. */
        public static Settings paper() {
            return new Settings(0.2, 0.28, Aggregation.TOKEN_MEAN, 0, KlEstimator.K3, 0);
        }
    }

    /**
     * @param loss          the aggregated loss
     * @param dLogProbs     d loss / d log p per token (0 where not trainable)
     * @param dEntropies    d loss / d entropy per token
     * @param clipLowFraction  trainable tokens whose ratio fell below 1 - clipLow with a negative advantage
     * @param clipHighFraction trainable tokens whose ratio rose above 1 + clipHigh with a positive advantage
     */
    public record Result(double loss, float[] dLogProbs, float[] dEntropies, double clipLowFraction, double clipHighFraction,
                         double meanKl, double meanEntropy, double meanRatio) {}

    private final Settings settings;

    public PolicyLoss(Settings settings) {
        this.settings = settings;
    }

    /**
     * @param logProbs     current policy log p of each token
     * @param oldLogProbs  log p of the policy that sampled the batch
     * @param refLogProbs  log p of the reference model (null when klCoefficient is 0)
     * @param entropies    current policy entropy at each token (null when entropyCoefficient is 0)
     */
    public Result compute(Batch batch, double[] advantages, float[] logProbs, float[] oldLogProbs, float[] refLogProbs,
                          float[] entropies) {
        return compute(batch, advantages, logProbs, oldLogProbs, refLogProbs, entropies, batch.trainableTokens(), batch.validSequences());
    }

    /**
     * The same on a micro-batch of a larger optimisation batch: totalTokens and totalSequences are the larger
     * batch's denominators, so the micro-batches' gradients add up to the whole batch's.
     */
    public Result compute(Batch batch, double[] advantages, float[] logProbs, float[] oldLogProbs, float[] refLogProbs,
                          float[] entropies, int totalTokens, int totalSequences) {
        int n = batch.tokens();
        if (logProbs.length != n || oldLogProbs.length != n || advantages.length != n) {
            throw new IllegalArgumentException("per-token arrays must hold " + n + " values");
        }
        if (settings.klCoefficient() > 0 && refLogProbs == null) throw new IllegalArgumentException("a KL penalty needs reference log-probs");
        if (settings.entropyCoefficient() > 0 && entropies == null) throw new IllegalArgumentException("an entropy bonus needs entropies");
        float[] dLogProbs = new float[n], dEntropies = new float[n];
        double loss = 0, kl = 0, entropy = 0, ratios = 0;
        int clippedLow = 0, clippedHigh = 0, counted = 0;
        for (int i = 0; i < batch.sequences(); i++) {
            if (!batch.valid()[i]) continue;
            int own = batch.trainableTokens(i);
            if (own == 0) continue;
            double weight = settings.aggregation() == Aggregation.TOKEN_MEAN ? 1.0 / totalTokens : 1.0 / ((double) own * totalSequences);
            for (int t = batch.starts()[i]; t < batch.ends()[i]; t++) {
                if (!batch.trainable()[t]) continue;
                double advantage = advantages[t];
                double ratio = Math.exp((double) logProbs[t] - oldLogProbs[t]);
                double clipped = Math.clamp(ratio, 1 - settings.clipLow(), 1 + settings.clipHigh());
                double unclippedObjective = ratio * advantage, clippedObjective = clipped * advantage;
                // -min(unclipped, clipped): the gradient flows only where the unclipped term is the smaller
                double surrogate = -Math.min(unclippedObjective, clippedObjective);
                double gradient = unclippedObjective <= clippedObjective ? -advantage * ratio : 0;
                if (advantage < 0 && ratio < 1 - settings.clipLow()) clippedLow++;
                if (advantage > 0 && ratio > 1 + settings.clipHigh()) clippedHigh++;
                if (settings.klCoefficient() > 0) {
                    double tokenKl = settings.klEstimator().value(logProbs[t], refLogProbs[t]);
                    surrogate += settings.klCoefficient() * tokenKl;
                    gradient += settings.klCoefficient() * settings.klEstimator().gradient(logProbs[t], refLogProbs[t]);
                    kl += tokenKl;
                }
                if (entropies != null) {
                    entropy += entropies[t];
                    if (settings.entropyCoefficient() > 0) {
                        surrogate -= settings.entropyCoefficient() * entropies[t];
                        dEntropies[t] = (float) (-settings.entropyCoefficient() * weight);
                    }
                }
                loss += weight * surrogate;
                dLogProbs[t] = (float) (weight * gradient);
                ratios += ratio;
                counted++;
            }
        }
        double denominator = Math.max(1, counted);
        return new Result(loss, dLogProbs, dEntropies, clippedLow / denominator, clippedHigh / denominator,
                kl / denominator, entropy / denominator, ratios / denominator);
    }
}
