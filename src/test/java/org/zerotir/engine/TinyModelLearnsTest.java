package org.zerotir.engine;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.zerotir.engine.cpu.CpuBackend;
import org.zerotir.engine.optim.AdamW;
import org.zerotir.engine.optim.LearningRateSchedule;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** End to end: forward, backward, clipping, AdamW and a schedule together make a small model learn. */
class TinyModelLearnsTest {
    private static CpuBackend backend;

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    /** Words drawn at random from a small dictionary, spelled in characters: predictable only in context. */
    private static int[] corpus(int length, SplittableRandom random) {
        String[] words = {"the", "model", "writes", "python", "code", "and", "reads", "its", "output", "box"};
        StringBuilder text = new StringBuilder();
        while (text.length() < length) text.append(words[random.nextInt(words.length)]).append(' ');
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) ids[i] = text.charAt(i) == ' ' ? 0 : text.charAt(i) - 'a' + 1;
        return ids;
    }

    private static double unigramEntropy(int[] ids, int vocab) {
        double[] counts = new double[vocab];
        for (int id : ids) counts[id]++;
        double entropy = 0;
        for (double c : counts) {
            if (c > 0) entropy -= c / ids.length * Math.log(c / ids.length);
        }
        return entropy;
    }

    @Test
    void lossFallsWellBelowTheUnigramEntropy() {
        ModelConfig config = new ModelConfig(27, 64, 128, 2, 4, 2, 64, 10000, 1e-6, true, true);
        SplittableRandom random = new SplittableRandom(7);
        int[] text = corpus(200_000, random);
        double unigram = unigramEntropy(text, config.vocabSize());
        int batch = 8, time = 32, steps = 300;
        try (Transformer model = new Transformer(backend, config)) {
            model.initializeRandom(1);
            AdamW optimizer = new AdamW(model, new AdamW.Settings(0.9, 0.95, 1e-8, 0.0, 1.0));
            LearningRateSchedule schedule = new LearningRateSchedule.WarmupCosine(3e-3, 3e-4, 20, steps);
            int n = batch * time;
            int[] tokens = new int[n], targets = new int[n];
            float[] dLogProbs = new float[n];
            Arrays.fill(dLogProbs, -1f / n);
            double lastLosses = 0;
            for (int step = 1; step <= steps; step++) {
                for (int b = 0; b < batch; b++) {
                    int start = random.nextInt(text.length - time - 1);
                    System.arraycopy(text, start, tokens, b * time, time);
                    System.arraycopy(text, start + 1, targets, b * time, time);
                }
                model.zeroGradients();
                model.forward(tokens, targets, batch, time);
                double loss = 0;
                for (float lp : model.logProbs()) loss -= lp;
                loss /= n;
                model.backward(dLogProbs, null);
                optimizer.step(schedule.at(step));
                if (step > steps - 20) lastLosses += loss / 20;
            }
            System.out.printf("tiny model: last-20 mean loss %.3f nats, unigram entropy %.3f nats%n", lastLosses, unigram);
            assertTrue(lastLosses < 0.6 * unigram,
                    "mean loss of the last 20 steps " + lastLosses + " should be well below the unigram entropy " + unigram);
        }
    }
}
