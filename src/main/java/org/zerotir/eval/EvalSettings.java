package org.zerotir.eval;

/**
 * How a benchmark is run.
 *
 * @param samples           responses per problem (k of avg@k and pass@k); 1 with temperature 0 is greedy
 * @param toolEnabled       false evaluates as ZeroRL does: code is never executed
 * @param callBudget        executions allowed per response (training's default: 2)
 * @param maxOutputTokens   a longer tool output is replaced by the "output too long" message (the paper's 256)
 * @param slots             responses generated at once (continuous batching over KV-cache slots)
 */
public record EvalSettings(int samples, double temperature, double topP, long seed, boolean toolEnabled, int maxResponseTokens,
                           int callBudget, int maxOutputTokens, int slots) {

    public EvalSettings {
        if (samples < 1) throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        if (!(temperature >= 0)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        if (samples > 1 && temperature == 0) {
            throw new IllegalArgumentException("samples > 1 needs a temperature > 0: greedy responses are all the same");
        }
        if (maxResponseTokens < 1) throw new IllegalArgumentException("max response tokens must be >= 1, got " + maxResponseTokens);
        if (callBudget < 0) throw new IllegalArgumentException("call budget must be >= 0, got " + callBudget);
        if (slots < 1) throw new IllegalArgumentException("slots must be >= 1, got " + slots);
    }

    /** Greedy decoding, the tool on, training's limits. */
    public static EvalSettings greedy(int maxResponseTokens) {
        return new EvalSettings(1, 0, 1, 0, true, maxResponseTokens, 2, 256, 64);
    }

    public EvalSettings withTool(boolean enabled) {
        return new EvalSettings(samples, temperature, topP, seed, enabled, maxResponseTokens, callBudget, maxOutputTokens, slots);
    }

    public EvalSettings withSamples(int k, double samplingTemperature, double samplingTopP, long samplingSeed) {
        return new EvalSettings(k, samplingTemperature, samplingTopP, samplingSeed, toolEnabled, maxResponseTokens, callBudget, maxOutputTokens, slots);
    }
}
