package org.zerotir.rl;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.zerotir.engine.ModelConfig;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.cpu.CpuBackend;
import org.zerotir.engine.optim.AdamW;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyLearnerTest {
    private static final ModelConfig CONFIG = new ModelConfig(23, 16, 24, 2, 4, 2, 64, 10000, 1e-6, true, true);
    private static CpuBackend backend;

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    private static Transformer model(long seed) {
        Transformer model = new Transformer(backend, CONFIG);
        model.initializeRandom(seed);
        float[] p = backend.toHost(model.parameters());
        for (int i = 0; i < p.length; i++) p[i] *= 10;
        backend.copyFromHost(p, model.parameters());
        return model;
    }

    private static TrainingSequence sequence(SplittableRandom random, int prompt, int response, int toolFrom, int toolTo) {
        int[] tokens = random.ints(prompt + response, 0, CONFIG.vocabSize()).toArray();
        boolean[] trainable = new boolean[response];
        for (int j = 0; j < response; j++) trainable[j] = j < toolFrom || j >= toolTo;
        return new TrainingSequence(tokens, prompt, trainable);
    }

    /** Gradient of the policy loss after one learner pass (the optimizer never steps: learning rate 0). */
    private static float[] gradientOf(List<TrainingSequence> sequences, double[] advantages, float[] oldLogProbs, int microBatch) {
        try (Transformer policy = model(3)) {
            Batch batch = Batch.of(sequences, new int[sequences.size()], new double[sequences.size()], trueArray(sequences.size()));
            PolicyLearner learner = new PolicyLearner(policy, new AdamW(policy, new AdamW.Settings(0.9, 0.95, 1e-8, 0, 1e9)),
                    new PolicyLoss(PolicyLoss.Settings.paper()), new PolicyLearner.Settings(1, 1, microBatch));
            learner.update(sequences, batch, advantages, oldLogProbs, null, 1e-30);
            return backend.toHost(policy.gradients());
        }
    }

    private static boolean[] trueArray(int n) {
        boolean[] b = new boolean[n];
        Arrays.fill(b, true);
        return b;
    }

    @Test
    void toolOutputTokensGetNoGradientOfTheirOwn() {
        SplittableRandom random = new SplittableRandom(1);
        // response of 9 tokens whose last 4 are tool output: nothing after them, so they are context for nothing
        List<TrainingSequence> sequences = new ArrayList<>(List.of(sequence(random, 4, 9, 5, 9), sequence(random, 3, 6, 2, 4)));
        int total = 9 + 6;
        double[] advantages = new double[total];
        float[] old = new float[total];
        for (int t = 0; t < total; t++) {
            advantages[t] = random.nextGaussian();
            old[t] = (float) -random.nextDouble(1, 3);
        }
        float[] reference = gradientOf(sequences, advantages, old, 2);
        assertTrue(Arrays.stream(toDouble(reference)).anyMatch(g -> g != 0), "the loss has a gradient at all");

        // other tool output, and garbage advantages and log-probs on the masked tokens: the same gradient
        int[] changed = sequences.getFirst().tokens().clone();
        for (int j = 4 + 5; j < changed.length; j++) changed[j] = (changed[j] + 7) % CONFIG.vocabSize();
        List<TrainingSequence> edited = List.of(new TrainingSequence(changed, 4, sequences.getFirst().trainable()), sequences.get(1));
        double[] garbageAdvantages = advantages.clone();
        float[] garbageOld = old.clone();
        for (int t : new int[] {5, 6, 7, 8, 9 + 2, 9 + 3}) {
            garbageAdvantages[t] = Double.NaN;
            garbageOld[t] = Float.NaN;
        }
        assertArrayEquals(reference, gradientOf(edited, garbageAdvantages, garbageOld, 2));

        // tool output in the middle is context for later tokens: changing it does change the gradient
        int[] middle = sequences.get(1).tokens().clone();
        middle[3 + 2] = (middle[3 + 2] + 5) % CONFIG.vocabSize();
        List<TrainingSequence> contextChanged = List.of(sequences.getFirst(), new TrainingSequence(middle, 3, sequences.get(1).trainable()));
        assertNotEquals(Arrays.toString(reference), Arrays.toString(gradientOf(contextChanged, advantages, old, 2)));
    }

    private static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) out[i] = values[i];
        return out;
    }

    @Test
    void microBatchingDoesNotChangeTheGradient() {
        SplittableRandom random = new SplittableRandom(2);
        List<TrainingSequence> sequences = List.of(sequence(random, 3, 5, 1, 2), sequence(random, 5, 8, 3, 6),
                sequence(random, 2, 4, 4, 4), sequence(random, 4, 7, 0, 0));
        int total = 5 + 8 + 4 + 7;
        double[] advantages = random.doubles(total, -1, 1).toArray();
        float[] old = new float[total];
        for (int t = 0; t < total; t++) old[t] = (float) -random.nextDouble(1, 3);
        float[] whole = gradientOf(sequences, advantages, old, 4), single = gradientOf(sequences, advantages, old, 1);
        for (int i = 0; i < whole.length; i++) assertEquals(whole[i], single[i], 1e-6 + 1e-4 * Math.abs(whole[i]), "element " + i);
    }

    @Test
    void positiveAdvantagesMakeTheirTokensMoreLikely() {
        SplittableRandom random = new SplittableRandom(3);
        List<TrainingSequence> sequences = List.of(sequence(random, 3, 6, 6, 6), sequence(random, 3, 6, 6, 6));
        try (Transformer policy = model(5)) {
            Batch batch = Batch.of(sequences, new int[] {0, 0}, new double[] {1, 0}, trueArray(2));
            double[] advantages = new AdvantageEstimator.Grpo(false).advantages(batch, null, null);
            float[] before = Scoring.logProbs(policy, sequences, 2).logProbs();
            PolicyLearner learner = new PolicyLearner(policy, new AdamW(policy, new AdamW.Settings(0.9, 0.95, 1e-8, 0, 1)),
                    new PolicyLoss(PolicyLoss.Settings.paper()), new PolicyLearner.Settings(2, 2, 1));
            PolicyLearner.Report report = learner.update(sequences, batch, advantages, before, null, 1e-2);
            assertEquals(4, report.optimizerSteps());
            float[] after = Scoring.logProbs(policy, sequences, 2).logProbs();
            double rewardedGain = 0, punishedGain = 0;
            for (int t = 0; t < 6; t++) rewardedGain += after[t] - before[t];
            for (int t = 6; t < 12; t++) punishedGain += after[t] - before[t];
            assertTrue(rewardedGain > 0 && punishedGain < 0, "rewarded " + rewardedGain + ", punished " + punishedGain);
        }
    }
}
