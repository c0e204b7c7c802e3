package org.zerotir.engine;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.zerotir.engine.cpu.CpuBackend;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.zerotir.engine.NumericChecks.all;
import static org.zerotir.engine.NumericChecks.assertClose;
import static org.zerotir.engine.NumericChecks.assertGradient;
import static org.zerotir.engine.NumericChecks.gaussian;
import static org.zerotir.engine.NumericChecks.nans;
import static org.zerotir.engine.NumericChecks.sample;
import static org.zerotir.engine.ReferenceOps.dot;
import static org.zerotir.engine.ReferenceOps.widen;

/**
 * Every CPU backend operation against {@link ReferenceOps}: forwards against the double reference, backwards
 * against central differences of L = sum(dout * forward(inputs)) in double, and the accumulate-or-write
 * contract of {@link Backend}. Sizes are odd so that vector loops run both their vector part and their tail;
 * a larger case per operation makes {@code Parallel} split the work, and is checked on sampled elements.
 * Every tensor is a view at an odd offset inside a buffer whose margins hold NaN, so an operation that
 * ignores a view's offset or strays outside it either produces NaN or is caught by {@link #marginsUntouched}.
 */
class CpuBackendGradientTest {
    /** float32 forward results against double: a few ulps of the result, plus rounding of small values. */
    private static final double FORWARD_ABSOLUTE = 1e-6, FORWARD_RELATIVE = 1e-5;
    /** float32 gradients against double finite differences: sums of float products with cancellation. */
    private static final double GRADIENT_ABSOLUTE = 1e-4, GRADIENT_RELATIVE = 1e-3;
    /** Elements checked per tensor in the large cases, where a finite difference per element would be slow. */
    private static final int SAMPLED = 48;
    private static final int MARGIN = 7;

    private static CpuBackend backend;
    private final List<Tensor> buffers = new ArrayList<>();

    @BeforeAll
    static void startBackend() {
        // More threads than this machine may have cores: the split points are what is being tested.
        backend = new CpuBackend(3);
    }

    @AfterAll
    static void closeBackend() {
        backend.close();
    }

    @AfterEach
    void marginsUntouched() {
        for (Tensor buffer : buffers) {
            float[] host = backend.toHost(buffer);
            for (int i = 0; i < MARGIN; i++) {
                if (!Float.isNaN(host[i]) || !Float.isNaN(host[host.length - 1 - i])) {
                    fail("an operation wrote outside its view, into the margin of a buffer of " + host.length);
                }
            }
        }
    }

    // ---- matmul -----------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "N={0} IC={1} OC={2} bias={3}")
    @CsvSource({"5, 7, 9, true", "5, 7, 9, false", "1, 19, 3, true", "1, 33, 4103, false", "3, 37, 4103, true", "67, 45, 33, false"})
    void matmul(int n, int inChannels, int outChannels, boolean withBias) {
        SplittableRandom random = new SplittableRandom(n * 1000L + outChannels);
        float[] inp = gaussian(random, n * inChannels, 1), weight = gaussian(random, outChannels * inChannels, 0.5);
        float[] bias = withBias ? gaussian(random, outChannels, 1) : null;
        float[] dout = gaussian(random, n * outChannels, 1);
        double[] x = widen(inp), w = widen(weight), b = withBias ? widen(bias) : null;

        Tensor out = upload(nans(n * outChannels));
        Tensor inpT = upload(inp), weightT = upload(weight), biasT = withBias ? upload(bias) : null;
        backend.matmulForward(out, inpT, weightT, biasT, n, inChannels, outChannels);
        assertClose("matmul out", backend.toHost(out),
                ReferenceOps.matmul(x, w, b, n, inChannels, outChannels), FORWARD_ABSOLUTE, FORWARD_RELATIVE);

        float[] dinpBefore = gaussian(random, inp.length, 1), dweightBefore = gaussian(random, weight.length, 1);
        float[] dbiasBefore = withBias ? gaussian(random, outChannels, 1) : null;
        Tensor dinp = upload(dinpBefore), dweight = upload(dweightBefore), dbias = withBias ? upload(dbiasBefore) : null;
        Tensor doutT = upload(dout);
        backend.matmulBackward(dinp, dweight, dbias, doutT, inpT, weightT, n, inChannels, outChannels);

        double[] r = widen(dout);
        DoubleSupplier objective = () -> dot(r, ReferenceOps.matmul(x, w, b, n, inChannels, outChannels));
        checkGradient("matmul dinp", dinp, dinpBefore, x, objective, random);
        checkGradient("matmul dweight", dweight, dweightBefore, w, objective, random);
        if (withBias) checkGradient("matmul dbias", dbias, dbiasBefore, b, objective, random);

        // Any of the three gradients may be null; each alone must be what it was in the call above.
        Tensor dinpAlone = upload(new float[inp.length]), dweightAlone = upload(new float[weight.length]);
        backend.matmulBackward(dinpAlone, null, null, doutT, inpT, weightT, n, inChannels, outChannels);
        backend.matmulBackward(null, dweightAlone, null, doutT, inpT, weightT, n, inChannels, outChannels);
        assertClose("matmul dinp alone", backend.toHost(dinpAlone), difference(dinp, dinpBefore), 1e-5, 1e-5);
        assertClose("matmul dweight alone", backend.toHost(dweightAlone), difference(dweight, dweightBefore), 1e-5, 1e-5);
        if (withBias) {
            Tensor dbiasAlone = upload(new float[outChannels]);
            backend.matmulBackward(null, null, dbiasAlone, doutT, inpT, weightT, n, inChannels, outChannels);
            assertClose("matmul dbias alone", backend.toHost(dbiasAlone), difference(dbias, dbiasBefore), 1e-5, 1e-5);
        }
    }

    // ---- embedding --------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "V={0} C={1} N={2}")
    @CsvSource({"11, 37, 9", "5, 4099, 6"})
    void embedding(int vocab, int channels, int n) {
        SplittableRandom random = new SplittableRandom(vocab * 31L + channels);
        int[] tokens = NumericChecks.tokens(random, n, vocab);
        tokens[n - 1] = tokens[0]; // a repeated token: its gradient rows must add up
        float[] table = gaussian(random, vocab * channels, 1), dout = gaussian(random, n * channels, 1);
        double[] t = widen(table);

        Tensor out = upload(nans(n * channels)), tableT = upload(table);
        backend.embeddingForward(out, tokens, tableT, n, channels);
        assertClose("embedding out", backend.toHost(out), ReferenceOps.embedding(tokens, t, n, channels), 0, 0);

        float[] dtableBefore = gaussian(random, table.length, 1);
        Tensor dtable = upload(dtableBefore);
        backend.embeddingBackward(dtable, upload(dout), tokens, n, channels);
        double[] r = widen(dout);
        checkGradient("embedding dtable", dtable, dtableBefore, t,
                () -> dot(r, ReferenceOps.embedding(tokens, t, n, channels)), random);
    }

    // ---- RMSNorm ----------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "N={0} C={1}")
    @CsvSource({"5, 37", "1, 3", "67, 515", "3, 4100"})
    void rmsnorm(int n, int channels) {
        SplittableRandom random = new SplittableRandom(n * 7919L + channels);
        float eps = 1e-5f;
        float[] inp = gaussian(random, n * channels, 1.5), weight = gaussian(random, channels, 0.5);
        for (int i = 0; i < channels; i++) weight[i] += 1;
        float[] dout = gaussian(random, n * channels, 1);
        double[] x = widen(inp), w = widen(weight);

        Tensor out = upload(nans(n * channels)), rstd = upload(nans(n)), inpT = upload(inp), weightT = upload(weight);
        backend.rmsnormForward(out, rstd, inpT, weightT, n, channels, eps);
        assertClose("rmsnorm out", backend.toHost(out), ReferenceOps.rmsnorm(x, w, n, channels, eps),
                FORWARD_ABSOLUTE, FORWARD_RELATIVE);
        assertClose("rmsnorm rstd", backend.toHost(rstd), ReferenceOps.rmsnormRstd(x, n, channels, eps),
                FORWARD_ABSOLUTE, FORWARD_RELATIVE);
        Tensor outWithoutRstd = upload(nans(n * channels));
        backend.rmsnormForward(outWithoutRstd, null, inpT, weightT, n, channels, eps);
        assertArrayEquals(backend.toHost(out), backend.toHost(outWithoutRstd), "rmsnorm without rstd");

        float[] dinpBefore = gaussian(random, inp.length, 1), dweightBefore = gaussian(random, channels, 1);
        Tensor dinp = upload(dinpBefore), dweight = upload(dweightBefore);
        backend.rmsnormBackward(dinp, dweight, upload(dout), inpT, weightT, rstd, n, channels);
        double[] r = widen(dout);
        DoubleSupplier objective = () -> dot(r, ReferenceOps.rmsnorm(x, w, n, channels, eps));
        checkGradient("rmsnorm dinp", dinp, dinpBefore, x, objective, random);
        checkGradient("rmsnorm dweight", dweight, dweightBefore, w, objective, random);
    }

    // ---- RoPE -------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "N={0} heads={1} D={2}")
    @CsvSource({"5, 3, 10", "7, 1, 2", "40, 8, 64"})
    void rope(int n, int heads, int headDim) {
        SplittableRandom random = new SplittableRandom(n * 131L + heads * 17L + headDim);
        int maxPositions = 64;
        float[][] tables = Transformer.ropeTables(maxPositions, headDim, 10000.0);
        double[][] referenceTables = ReferenceOps.ropeTables(maxPositions, headDim, 10000.0);
        int[] positions = random.ints(n, 0, maxPositions).toArray();
        positions[0] = maxPositions - 1;
        float[] inp = gaussian(random, n * heads * headDim, 1), dout = gaussian(random, inp.length, 1);
        double[] x = widen(inp);
        Tensor cos = upload(tables[0]), sin = upload(tables[1]);

        Tensor inPlace = upload(inp);
        backend.ropeForward(inPlace, cos, sin, positions, n, heads, headDim);
        Function<double[], double[]> reference =
                v -> ReferenceOps.rope(v, referenceTables[0], referenceTables[1], positions, n, heads, headDim);
        assertClose("rope out", backend.toHost(inPlace), reference.apply(x), FORWARD_ABSOLUTE, FORWARD_RELATIVE);

        Tensor gradient = upload(dout);
        backend.ropeBackward(gradient, cos, sin, positions, n, heads, headDim);
        double[] r = widen(dout);
        checkGradient("rope dx", gradient, null, x, () -> dot(r, reference.apply(x)), random);
    }

    // ---- attention --------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "B={0} T={1} H={2} KV={3} D={4}")
    @CsvSource({"2, 5, 4, 2, 19", "1, 7, 3, 3, 6", "3, 4, 6, 1, 5", "1, 1, 2, 1, 3", "2, 33, 4, 2, 16"})
    void attention(int batch, int time, int heads, int kvHeads, int headDim) {
        SplittableRandom random = new SplittableRandom(batch * 1009L + time * 101L + heads * 11L + headDim);
        int n = batch * time, qDim = heads * headDim, kvDim = kvHeads * headDim;
        // Scores of a few units, so that the softmax is neither uniform nor one-hot.
        float[] q = gaussian(random, n * qDim, 1.5), k = gaussian(random, n * kvDim, 1.5), v = gaussian(random, n * kvDim, 1);
        float[] dout = gaussian(random, n * qDim, 1);
        double[] qd = widen(q), kd = widen(k), vd = widen(v);

        Tensor out = upload(nans(n * qDim)), probs = upload(nans(batch * heads * time * time));
        Tensor qT = upload(q), kT = upload(k), vT = upload(v);
        backend.attentionForward(out, probs, qT, kT, vT, batch, time, heads, kvHeads, headDim);
        double[] referenceProbs = new double[batch * heads * time * time];
        assertClose("attention out", backend.toHost(out),
                ReferenceOps.attention(qd, kd, vd, referenceProbs, batch, time, heads, kvHeads, headDim),
                FORWARD_ABSOLUTE, FORWARD_RELATIVE);
        assertClose("attention probs (zero above the diagonal)", backend.toHost(probs), referenceProbs,
                FORWARD_ABSOLUTE, FORWARD_RELATIVE);
        Tensor outWithoutProbs = upload(nans(n * qDim));
        backend.attentionForward(outWithoutProbs, null, qT, kT, vT, batch, time, heads, kvHeads, headDim);
        assertArrayEquals(backend.toHost(out), backend.toHost(outWithoutProbs), "attention without probs");

        // dq, dk, dv are written, not accumulated: NaN beforehand must not survive.
        Tensor dq = upload(nans(q.length)), dk = upload(nans(k.length)), dv = upload(nans(v.length));
        backend.attentionBackward(dq, dk, dv, upload(dout), probs, qT, kT, vT, batch, time, heads, kvHeads, headDim);
        double[] r = widen(dout);
        DoubleSupplier objective =
                () -> dot(r, ReferenceOps.attention(qd, kd, vd, null, batch, time, heads, kvHeads, headDim));
        if (time > 1) {
            checkGradient("attention dq", dq, null, qd, objective, random);
            checkGradient("attention dk", dk, null, kd, objective, random);
        } else {
            // One key: the softmax is constant 1, so scores (and q, k) have no gradient at all.
            assertClose("attention dq with one key", backend.toHost(dq), new double[q.length], 0, 0);
            assertClose("attention dk with one key", backend.toHost(dk), new double[k.length], 0, 0);
        }
        checkGradient("attention dv", dv, null, vd, objective, random);
    }

    // ---- KV cache ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "length={0} H={1} KV={2} D={3}")
    @CsvSource({"9, 4, 2, 19", "40, 8, 2, 32"})
    void cachedAttentionAfterKvCacheWrite(int cacheLength, int heads, int kvHeads, int headDim) {
        SplittableRandom random = new SplittableRandom(cacheLength * 37L + headDim);
        int slots = 3, qDim = heads * headDim, kvDim = kvHeads * headDim, group = heads / kvHeads;
        // Rows as a generation step brings them, interleaved: a two-token chunk for slot 0, one token at the
        // far end of slot 2, and the first two tokens of slot 1.
        int[] rowSlots = {0, 2, 0, 1, 1};
        int[] rowPositions = {3, cacheLength - 1, 4, 0, 1};
        int n = rowSlots.length;
        int[] validLength = new int[slots];
        for (int i = 0; i < n; i++) validLength[rowSlots[i]] = Math.max(validLength[rowSlots[i]], rowPositions[i] + 1);

        // History the cache already holds is random; entries past each slot's last written row are NaN and
        // must never be read.
        float[] kCache = gaussian(random, slots * cacheLength * kvDim, 1.5), vCache = gaussian(random, kCache.length, 1);
        for (int s = 0; s < slots; s++) {
            for (int p = validLength[s]; p < cacheLength; p++) {
                Arrays.fill(kCache, (s * cacheLength + p) * kvDim, (s * cacheLength + p + 1) * kvDim, Float.NaN);
                Arrays.fill(vCache, (s * cacheLength + p) * kvDim, (s * cacheLength + p + 1) * kvDim, Float.NaN);
            }
        }
        float[] q = gaussian(random, n * qDim, 1.5), k = gaussian(random, n * kvDim, 1.5), v = gaussian(random, n * kvDim, 1);
        Tensor kCacheT = upload(kCache), vCacheT = upload(vCache);
        backend.kvCacheWrite(kCacheT, vCacheT, upload(k), upload(v), rowSlots, rowPositions, n, cacheLength, kvDim);

        float[] expectedK = kCache.clone(), expectedV = vCache.clone();
        for (int i = 0; i < n; i++) {
            System.arraycopy(k, i * kvDim, expectedK, (rowSlots[i] * cacheLength + rowPositions[i]) * kvDim, kvDim);
            System.arraycopy(v, i * kvDim, expectedV, (rowSlots[i] * cacheLength + rowPositions[i]) * kvDim, kvDim);
        }
        assertArrayEquals(expectedK, backend.toHost(kCacheT), "key cache after kvCacheWrite");
        assertArrayEquals(expectedV, backend.toHost(vCacheT), "value cache after kvCacheWrite");

        Tensor out = upload(nans(n * qDim));
        backend.cachedAttention(out, upload(q), kCacheT, vCacheT, rowSlots, rowPositions, n, cacheLength, heads, kvHeads, headDim);
        double[] expected = new double[n * qDim], keys = widen(expectedK), values = widen(expectedV), qd = widen(q);
        for (int i = 0; i < n; i++) {
            for (int h = 0; h < heads; h++) {
                ReferenceOps.attendOne(expected, i * qDim + h * headDim, null, 0, qd, i * qDim + h * headDim, keys, values,
                        rowSlots[i] * cacheLength * kvDim + (h / group) * headDim, kvDim, rowPositions[i] + 1, headDim);
            }
        }
        assertClose("cachedAttention out", backend.toHost(out), expected, FORWARD_ABSOLUTE, FORWARD_RELATIVE);
    }

    // ---- SwiGLU -----------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "N={0} F={1}")
    @CsvSource({"5, 7", "1, 1", "9, 4099"})
    void swiglu(int n, int features) {
        SplittableRandom random = new SplittableRandom(n * 4099L + features);
        // Gates out to +-8 cover both saturated ends of the sigmoid.
        float[] gate = gaussian(random, n * features, 3), up = gaussian(random, n * features, 1);
        float[] dout = gaussian(random, n * features, 1);
        double[] g = widen(gate), u = widen(up);

        Tensor out = upload(nans(gate.length)), gateT = upload(gate), upT = upload(up);
        backend.swigluForward(out, gateT, upT, n, features);
        double[] expected = ReferenceOps.swiglu(g, u);
        assertClose("swiglu out", backend.toHost(out), expected, FORWARD_ABSOLUTE, FORWARD_RELATIVE);
        // Generation writes the result over the gate.
        Tensor aliased = upload(gate);
        backend.swigluForward(aliased, aliased, upT, n, features);
        assertClose("swiglu out over gate", backend.toHost(aliased), expected, FORWARD_ABSOLUTE, FORWARD_RELATIVE);

        Tensor dgate = upload(nans(gate.length)), dup = upload(nans(up.length));
        backend.swigluBackward(dgate, dup, upload(dout), gateT, upT, n, features);
        double[] r = widen(dout);
        DoubleSupplier objective = () -> dot(r, ReferenceOps.swiglu(g, u));
        checkGradient("swiglu dgate", dgate, null, g, objective, random);
        checkGradient("swiglu dup", dup, null, u, objective, random);
    }

    // ---- token scores -----------------------------------------------------------------------------------------

    @ParameterizedTest(name = "N={0} V={1} entropy={2}")
    @CsvSource({"5, 37, true", "5, 37, false", "1, 2, true", "9, 4099, true"})
    void tokenScores(int n, int vocab, boolean withEntropy) {
        SplittableRandom random = new SplittableRandom(n * 65537L + vocab);
        float[] logits = gaussian(random, n * vocab, 3);
        // A row far from zero: log-sum-exp must subtract the maximum.
        for (int j = 0; j < vocab; j++) logits[j] += 40;
        int[] targets = NumericChecks.tokens(random, n, vocab);
        float[] dLogProbs = gaussian(random, n, 1), dEntropies = withEntropy ? gaussian(random, n, 1) : null;
        double[] z = widen(logits);

        Tensor logitsT = upload(logits), logProbs = upload(nans(n)), entropies = upload(nans(n));
        backend.tokenScoresForward(logProbs, entropies, logitsT, targets, n, vocab);
        double[][] expected = ReferenceOps.tokenScores(z, targets, n, vocab);
        assertClose("log p(target)", backend.toHost(logProbs), expected[0], FORWARD_ABSOLUTE, FORWARD_RELATIVE);
        assertClose("entropy", backend.toHost(entropies), expected[1], FORWARD_ABSOLUTE, FORWARD_RELATIVE);
        Tensor logProbsAlone = upload(nans(n));
        backend.tokenScoresForward(logProbsAlone, null, logitsT, targets, n, vocab);
        assertArrayEquals(backend.toHost(logProbs), backend.toHost(logProbsAlone), "log p(target) without entropies");

        Tensor dlogits = upload(nans(logits.length)), dLogProbsT = upload(dLogProbs);
        Tensor dEntropiesT = withEntropy ? upload(dEntropies) : null;
        backend.tokenScoresBackward(dlogits, logitsT, targets, dLogProbsT, dEntropiesT, n, vocab);
        double[] a = widen(dLogProbs), e = withEntropy ? widen(dEntropies) : new double[n];
        // Over a large vocabulary most of the gradient sits on the targets and the likeliest logits: always check those.
        int[] indices = all(z.length);
        if (z.length > 1000) {
            IntStream.Builder chosen = IntStream.builder();
            for (int index : sample(z.length, SAMPLED, random)) chosen.add(index);
            for (int row = 0; row < n; row++) {
                int likeliest = row * vocab;
                for (int j = 0; j < vocab; j++) if (z[row * vocab + j] > z[likeliest]) likeliest = row * vocab + j;
                chosen.add(row * vocab + targets[row]).add(likeliest);
            }
            indices = chosen.build().distinct().sorted().toArray();
        }
        assertGradient("token scores dlogits", backend.toHost(dlogits), null, z, indices, () -> {
            double[][] scores = ReferenceOps.tokenScores(z, targets, n, vocab);
            return dot(a, scores[0]) + dot(e, scores[1]);
        }, GRADIENT_ABSOLUTE, GRADIENT_RELATIVE);

        // The transformer writes the gradient over the logits themselves.
        Tensor inPlace = upload(logits);
        backend.tokenScoresBackward(inPlace, inPlace, targets, dLogProbsT, dEntropiesT, n, vocab);
        assertArrayEquals(backend.toHost(dlogits), backend.toHost(inPlace), "dlogits written over the logits");
    }

    // ---- elementwise ------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "size={0}")
    @ValueSource(ints = {1, 37, 2 * 4096 + 37})
    void elementwise(int size) {
        SplittableRandom random = new SplittableRandom(size);
        float[] a = gaussian(random, size, 1), b = gaussian(random, size, 1);
        float[] sum = new float[size], scaled = new float[size];
        for (int i = 0; i < size; i++) {
            sum[i] = a[i] + b[i];
            scaled[i] = a[i] * -0.375f;
        }
        Tensor aT = upload(a), bT = upload(b), out = upload(nans(size));
        backend.add(out, aT, bT);
        assertArrayEquals(sum, backend.toHost(out), "add");
        Tensor intoA = upload(a), intoB = upload(b);
        backend.add(intoA, intoA, bT);
        backend.add(intoB, aT, intoB);
        assertArrayEquals(sum, backend.toHost(intoA), "add into its first operand");
        assertArrayEquals(sum, backend.toHost(intoB), "add into its second operand");

        Tensor accumulated = upload(a);
        backend.accumulate(accumulated, bT);
        assertArrayEquals(sum, backend.toHost(accumulated), "accumulate");
        Tensor scaledT = upload(a);
        backend.scale(scaledT, -0.375f);
        assertArrayEquals(scaled, backend.toHost(scaledT), "scale");
        Tensor copied = upload(nans(size));
        backend.copy(aT, copied);
        assertArrayEquals(a, backend.toHost(copied), "copy");
        backend.zero(copied);
        assertArrayEquals(new float[size], backend.toHost(copied), "zero");
    }

    @ParameterizedTest(name = "size={0}")
    @ValueSource(ints = {1, 37, 4096, 3 * 4096 + 1001})
    void sumOfSquares(int size) {
        SplittableRandom random = new SplittableRandom(size + 5);
        float[] values = gaussian(random, size, 3);
        double expected = 0;
        for (float value : values) expected += (double) value * value;
        double actual = backend.sumOfSquares(upload(values));
        // Partial sums of at most 256 squares per vector lane are float; beyond that the sum is double.
        NumericChecks.assertCloseAt("sum of squares", new double[] {actual}, new double[] {expected}, new int[] {0}, 0, 1e-6);
    }

    // ---- AdamW ------------------------------------------------------------------------------------------------

    @Test
    void adamwMatchesPyTorch() {
        SplittableRandom random = new SplittableRandom(2024);
        int size = 2 * 4096 + 77;
        float learningRate = 3e-3f, beta1 = 0.9f, beta2 = 0.95f, eps = 1e-8f, weightDecay = 0.1f;
        float[] params = gaussian(random, size, 1);
        Tensor paramsT = upload(params), gradsT = upload(new float[size]), m = upload(new float[size]), v = upload(new float[size]);
        for (int step = 1; step <= 5; step++) {
            float[] grads = gaussian(random, size, step == 3 ? 1e-3 : 1);
            for (int i = 0; i < size; i += 97) grads[i] = 0; // parameters without gradient still decay
            // One step from the engine's own state, so that the check is not blurred by float drift.
            double[] p = widen(backend.toHost(paramsT)), mean = widen(backend.toHost(m)), variance = widen(backend.toHost(v));
            backend.copyFromHost(grads, gradsT);
            backend.adamwUpdate(paramsT, gradsT, m, v, learningRate, beta1, beta2, eps, weightDecay, step);
            pytorchAdamW(p, widen(grads), mean, variance, learningRate, beta1, beta2, eps, weightDecay, step);
            // m = beta1 m + (1 - beta1) g cancels when g opposes m: float rounding is relative to the terms.
            assertClose("AdamW m after step " + step, backend.toHost(m), mean, 1e-7, 1e-6);
            assertClose("AdamW v after step " + step, backend.toHost(v), variance, 1e-12, 1e-6);
            assertClose("AdamW parameters after step " + step, backend.toHost(paramsT), p, 1e-8, 1e-6);
        }
    }

    /** torch.optim.AdamW's single-tensor step (torch/optim/adamw.py before 2.2, adam.py after), in double. */
    private static void pytorchAdamW(double[] params, double[] grads, double[] m, double[] v, double lr, double beta1,
                                     double beta2, double eps, double weightDecay, int step) {
        double biasCorrection1 = 1 - Math.pow(beta1, step), biasCorrection2 = 1 - Math.pow(beta2, step);
        double stepSize = lr / biasCorrection1;
        for (int i = 0; i < params.length; i++) {
            params[i] *= 1 - lr * weightDecay;
            m[i] = beta1 * m[i] + (1 - beta1) * grads[i];
            v[i] = beta2 * v[i] + (1 - beta2) * grads[i] * grads[i];
            double denominator = Math.sqrt(v[i]) / Math.sqrt(biasCorrection2) + eps;
            params[i] -= stepSize * m[i] / denominator;
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /** A view holding values at an odd offset inside a buffer whose margins are NaN. */
    private Tensor upload(float[] values) {
        float[] host = new float[values.length + 2 * MARGIN];
        Arrays.fill(host, Float.NaN);
        System.arraycopy(values, 0, host, MARGIN, values.length);
        Tensor buffer = backend.allocate(host.length);
        backend.copyFromHost(host, buffer);
        buffers.add(buffer);
        return buffer.slice(MARGIN, values.length);
    }

    private static double[] difference(Tensor after, float[] before) {
        float[] host = backend.toHost(after);
        double[] out = new double[host.length];
        for (int i = 0; i < out.length; i++) out[i] = (double) host[i] - before[i];
        return out;
    }

    private static void checkGradient(String what, Tensor gradient, float[] before, double[] x,
                                      DoubleSupplier objective, SplittableRandom random) {
        int[] indices = x.length > 1000 ? sample(x.length, SAMPLED, random) : all(x.length);
        assertGradient(what, backend.toHost(gradient), before, x, indices, objective, GRADIENT_ABSOLUTE, GRADIENT_RELATIVE);
    }
}
