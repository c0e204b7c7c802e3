package org.zerotir.engine.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks a token from one row of logits. Also reports the token's log-probability under the model's own
 * distribution (temperature 1, no filtering): that is the quantity the trainer recomputes and compares.
 */
final class Sampler {
    private final SamplingParams params;
    private final SplittableRandom random;
    // scratch, reused across calls
    private float[] probabilities = new float[0];
    private long[] candidates = new long[0];

    Sampler(SamplingParams params) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
    }

    record Choice(int token, float logProb) {}

    Choice sample(float[] logits, int offset, int vocab) {
        float max = Float.NEGATIVE_INFINITY;
        int argmax = 0;
        for (int j = 0; j < vocab; j++) {
            float z = logits[offset + j];
            if (z > max) {
                max = z;
                argmax = j;
            }
        }
        double sum = 0;
        for (int j = 0; j < vocab; j++) sum += Math.exp(logits[offset + j] - max);
        double logSumExp = max + Math.log(sum);
        int token = params.isGreedy() ? argmax : sampleFiltered(logits, offset, vocab, max);
        return new Choice(token, (float) (logits[offset + token] - logSumExp));
    }

    private int sampleFiltered(float[] logits, int offset, int vocab, float max) {
        if (probabilities.length < vocab) probabilities = new float[vocab];
        double inverseTemperature = 1.0 / params.temperature();
        double total = 0;
        for (int j = 0; j < vocab; j++) {
            float p = (float) Math.exp((logits[offset + j] - max) * inverseTemperature);
            probabilities[j] = p;
            total += p;
        }
        if (params.topK() == 0 && params.topP() >= 1) return draw(vocab, total);
        // Every token outside the nucleus has p < (1 - topP) / V of the total: all tokens below that bound
        // together hold less than 1 - topP, so the nucleus lies among the tokens above it. Sorting only those
        // keeps top-p exact and cheap for 150k-token vocabularies.
        double threshold = params.topP() < 1 ? (1 - params.topP()) / vocab * total : 0;
        int count = 0;
        if (candidates.length < vocab) candidates = new long[vocab];
        for (int j = 0; j < vocab; j++) {
            if (probabilities[j] >= threshold && probabilities[j] > 0) {
                // positive floats order like their bit patterns: sort (probability, token) packed in a long
                candidates[count++] = ((long) Float.floatToIntBits(probabilities[j]) << 32) | j;
            }
        }
        Arrays.sort(candidates, 0, count);
        int keep = params.topK() > 0 ? Math.min(params.topK(), count) : count;
        double kept = 0;
        int nucleus = 0;
        for (int i = count - 1; i >= count - keep; i--) {
            kept += Float.intBitsToFloat((int) (candidates[i] >>> 32));
            nucleus++;
            if (kept >= params.topP() * total) break;
        }
        double target = random.nextDouble() * kept;
        double cumulative = 0;
        for (int i = count - 1; i >= count - nucleus; i--) {
            cumulative += Float.intBitsToFloat((int) (candidates[i] >>> 32));
            if (cumulative > target) return (int) candidates[i];
        }
        return (int) candidates[count - nucleus];
    }

    private int draw(int vocab, double total) {
        double target = random.nextDouble() * total;
        double cumulative = 0;
        for (int j = 0; j < vocab; j++) {
            cumulative += probabilities[j];
            if (cumulative > target) return j;
        }
        for (int j = vocab - 1; j >= 0; j--) if (probabilities[j] > 0) return j;
        return 0;
    }
}
