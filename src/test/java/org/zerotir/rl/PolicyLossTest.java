package org.zerotir.rl;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PolicyLossTest {

    private static Batch oneSequence(int tokens) {
        boolean[] trainable = new boolean[tokens];
        java.util.Arrays.fill(trainable, true);
        return new Batch(new int[] {0}, new int[] {tokens}, new int[] {0}, new double[] {1}, new boolean[] {true}, trainable);
    }

    @Test
    void clipsHighAndLowSeparately() {
        Batch batch = oneSequence(3);
        float old = (float) Math.log(0.5);
        float[] oldLogProbs = {old, old, old};
        // ratios 1.4 (A = +1, above 1 + 0.28), 0.7 (A = -1, below 1 - 0.2), 1.0 (A = +1, inside)
        float[] logProbs = {(float) Math.log(0.7), (float) Math.log(0.35), old};
        double[] advantages = {1, -1, 1};
        PolicyLoss.Result r = new PolicyLoss(PolicyLoss.Settings.paper()).compute(batch, advantages, logProbs, oldLogProbs, null, null);
        assertEquals((-1.28 + 0.8 - 1.0) / 3, r.loss(), 1e-6);
        assertEquals(0f, r.dLogProbs()[0]);
        assertEquals(0f, r.dLogProbs()[1]);
        assertEquals(-1.0 / 3, r.dLogProbs()[2], 1e-7);
        assertEquals(1.0 / 3, r.clipHighFraction(), 1e-12);
        assertEquals(1.0 / 3, r.clipLowFraction(), 1e-12);
    }

    @Test
    void tokenMeanAndSequenceMeanWeighTokensDifferently() {
        boolean[] trainable = {true, true, true, false, true};
        Batch batch = new Batch(new int[] {0, 3}, new int[] {3, 5}, new int[] {0, 0}, new double[] {1, 0},
                new boolean[] {true, true}, trainable);
        float[] zeros = new float[5];
        double[] advantages = {1, 1, 1, 0, 1};
        PolicyLoss.Settings tokenMean = PolicyLoss.Settings.paper();
        PolicyLoss.Settings sequenceMean = new PolicyLoss.Settings(0.2, 0.28, PolicyLoss.Aggregation.SEQUENCE_MEAN, 0, KlEstimator.K3, 0);
        PolicyLoss.Result byToken = new PolicyLoss(tokenMean).compute(batch, advantages, zeros, zeros, null, null);
        PolicyLoss.Result bySequence = new PolicyLoss(sequenceMean).compute(batch, advantages, zeros, zeros, null, null);
        // 4 trainable tokens: token mean gives each -1/4; sequence mean gives -1/6 (3 tokens) and -1/2 (1 token)
        assertEquals(-0.25, byToken.dLogProbs()[0], 1e-7);
        assertEquals(-0.25, byToken.dLogProbs()[4], 1e-7);
        assertEquals(0f, byToken.dLogProbs()[3]);
        assertEquals(-1.0 / 6, bySequence.dLogProbs()[0], 1e-7);
        assertEquals(-0.5, bySequence.dLogProbs()[4], 1e-7);
    }

    @Test
    void gradientsMatchFiniteDifferencesWithKlAndEntropy() {
        SplittableRandom random = new SplittableRandom(4);
        int n = 12;
        Batch batch = oneSequence(n);
        float[] logProbs = new float[n], old = new float[n], ref = new float[n], entropies = new float[n];
        double[] advantages = new double[n];
        for (int t = 0; t < n; t++) {
            old[t] = (float) -random.nextDouble(0.1, 3);
            logProbs[t] = old[t] + (float) random.nextDouble(-0.1, 0.1); // inside the clip range
            ref[t] = old[t] + (float) random.nextDouble(-0.5, 0.5);
            entropies[t] = (float) random.nextDouble(0.5, 2);
            advantages[t] = random.nextGaussian();
        }
        for (KlEstimator kl : KlEstimator.values()) {
            PolicyLoss loss = new PolicyLoss(new PolicyLoss.Settings(0.2, 0.28, PolicyLoss.Aggregation.TOKEN_MEAN, 0.3, kl, 0.05));
            PolicyLoss.Result r = loss.compute(batch, advantages, logProbs, old, ref, entropies);
            for (int t = 0; t < n; t++) {
                double h = 1e-3;
                float[] up = logProbs.clone(), down = logProbs.clone();
                up[t] += (float) h;
                down[t] -= (float) h;
                double numeric = (loss.compute(batch, advantages, up, old, ref, entropies).loss()
                        - loss.compute(batch, advantages, down, old, ref, entropies).loss()) / (up[t] - down[t]);
                assertEquals(numeric, r.dLogProbs()[t], 1e-4, kl + " token " + t);
                float[] eUp = entropies.clone();
                eUp[t] += 0.01f;
                double numericEntropy = (loss.compute(batch, advantages, logProbs, old, ref, eUp).loss() - r.loss()) / (eUp[t] - entropies[t]);
                assertEquals(numericEntropy, r.dEntropies()[t], 1e-5, "entropy token " + t);
            }
        }
    }

    @Test
    void klEstimatorsVanishAtTheReferenceAndK3IsNeverNegative() {
        for (KlEstimator kl : KlEstimator.values()) {
            assertEquals(0, kl.value(-1.3, -1.3), 1e-15);
        }
        assertEquals(0, KlEstimator.K3.gradient(-1.3, -1.3), 1e-15);
        for (double d = -3; d <= 3; d += 0.25) {
            assertEquals(true, KlEstimator.K3.value(-1, -1 + d) >= 0, "k3 at " + d);
        }
    }
}
