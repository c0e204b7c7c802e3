package org.zerotir.engine.generate;

/**
 * How one sequence picks its next token. Temperature 0 is greedy decoding; topK 0 and topP 1 switch those
 * filters off. The seed makes a sequence's samples reproducible whatever else shares the batch.
 */
public record SamplingParams(double temperature, double topP, int topK, long seed) {
    public SamplingParams {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        if (topK < 0) throw new IllegalArgumentException("topK must be >= 0, got " + topK);
    }

    public static SamplingParams greedy() {
        return new SamplingParams(0, 1, 0, 0);
    }

    public static SamplingParams of(double temperature, long seed) {
        return new SamplingParams(temperature, 1, 0, seed);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }
}
