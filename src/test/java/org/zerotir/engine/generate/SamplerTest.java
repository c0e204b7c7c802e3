package org.zerotir.engine.generate;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplerTest {
    private static final float[] LOGITS = {2.0f, 1.0f, 0.5f, 0.0f, -1.0f, -3.0f};

    private static double[] frequencies(SamplingParams params, int draws) {
        Sampler sampler = new Sampler(params);
        double[] counts = new double[LOGITS.length];
        for (int i = 0; i < draws; i++) counts[sampler.sample(LOGITS, 0, LOGITS.length).token()]++;
        for (int j = 0; j < counts.length; j++) counts[j] /= draws;
        return counts;
    }

    private static double[] softmax(double temperature, int keep) {
        double[] p = new double[LOGITS.length];
        double sum = 0;
        for (int j = 0; j < keep; j++) sum += p[j] = Math.exp(LOGITS[j] / temperature);
        for (int j = 0; j < keep; j++) p[j] /= sum;
        return p;
    }

    @Test
    void samplesTheTemperedSoftmax() {
        double[] observed = frequencies(new SamplingParams(0.7, 1, 0, 1), 200_000);
        double[] expected = softmax(0.7, LOGITS.length);
        for (int j = 0; j < LOGITS.length; j++) assertEquals(expected[j], observed[j], 0.005, "token " + j);
    }

    @Test
    void topKAndTopPKeepExactlyTheirTokens() {
        double[] topK = frequencies(new SamplingParams(1, 1, 3, 2), 100_000);
        double[] expectedK = softmax(1, 3);
        for (int j = 0; j < LOGITS.length; j++) assertEquals(expectedK[j], topK[j], 0.006, "top-k token " + j);
        // softmax(1) mass: 0.574, 0.211, 0.128, 0.078, ... -> the smallest prefix reaching 0.85 is 3 tokens
        double[] topP = frequencies(new SamplingParams(1, 0.85, 0, 3), 100_000);
        for (int j = 0; j < LOGITS.length; j++) assertEquals(expectedK[j], topP[j], 0.006, "top-p token " + j);
    }

    @Test
    void greedyPicksArgmaxAndReportsTheModelsLogProb() {
        Sampler.Choice choice = new Sampler(SamplingParams.greedy()).sample(LOGITS, 0, LOGITS.length);
        assertEquals(0, choice.token());
        assertEquals(Math.log(softmax(1, LOGITS.length)[0]), choice.logProb(), 1e-6);
        Sampler.Choice sampled = new Sampler(new SamplingParams(0.3, 1, 0, 9)).sample(LOGITS, 0, LOGITS.length);
        assertTrue(sampled.logProb() < 0);
        assertEquals(Math.log(softmax(1, LOGITS.length)[sampled.token()]), sampled.logProb(), 1e-6);
    }
}
