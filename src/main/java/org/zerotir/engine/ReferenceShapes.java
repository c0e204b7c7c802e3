package org.zerotir.engine;

/**
 * The model shapes the benchmarks measure, the parameter count their FLOP estimates rest on, and the two
 * helpers both benchmarks time them with (random token inputs, the median of timed runs). In src/main
 * rather than with the CPU benchmark because the GPU machine runs GpuBench from target/classes alone.
 */
public final class ReferenceShapes {
    private ReferenceShapes() {
    }

    /** GPT-2-small's size in our architecture: SwiGLU with 2048 features has the parameters of a 3072-wide MLP. */
    public static final ModelConfig GPT2_SMALL = new ModelConfig(50304, 768, 2048, 12, 12, 12, 1024, 10000, 1e-6, false, true);
    /** Qwen2.5-0.5B's config.json. */
    public static final ModelConfig QWEN_05B = new ModelConfig(151936, 896, 4864, 24, 14, 2, 32768, 1e6, 1e-6, true, true);

    /**
     * Weights that take part in matrix products: every projection of every layer and the output projection.
     * A tied embedding is counted once, as the output projection; an untied one is a lookup and not counted.
     */
    public static long matmulParameters(ModelConfig config) {
        long c = config.hiddenSize(), qDim = (long) config.numHeads() * config.headDim(), kvDim = config.kvDim();
        long perLayer = c * qDim + 2 * c * kvDim + qDim * c + 3 * c * config.intermediateSize();
        return perLayer * config.numLayers() + (long) config.outputSize() * c;
    }

    /** Median of timed runs: one slow run (a page fault, a GC) does not move it. */
    public static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** Reproducible random token ids: speed does not depend on which tokens. */
    public static int[] randomTokens(int count, int vocab, long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        int[] tokens = new int[count];
        for (int i = 0; i < count; i++) tokens[i] = random.nextInt(vocab);
        return tokens;
    }
}
