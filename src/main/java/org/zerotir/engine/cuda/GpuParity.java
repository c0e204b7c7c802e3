package org.zerotir.engine.cuda;

import org.zerotir.engine.Backend;
import org.zerotir.engine.KvCache;
import org.zerotir.engine.ModelConfig;
import org.zerotir.engine.Tensor;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.cpu.CpuBackend;
import org.zerotir.engine.optim.AdamW;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * CUDA against CPU, operation by operation and for the whole model, on fresh random inputs of several shapes
 * (odd ones included). Plain Java with a main, because the GPU machine has target/classes and a few jars but
 * neither JUnit nor Quarkus; CudaParityTest runs the same checks under JUnit.
 *
 * <p>Every check runs on three backends: the CPU (the reference), CUDA with the fast kernels and CUDA with their
 * _ref twins, and compares fast against CPU, ref against CPU and fast against ref. For outputs a (checked) and
 * b (reference), each of n floats:
 * <pre>  error = max_i |a_i - b_i| / max(max_i |b_i|, 1e-30)    pass iff error <= tolerance (and no NaN)</pre>
 * i.e. the largest difference relative to the reference's scale, so that near-zero elements (a gradient that
 * cancels) are not judged alone. Tolerances: {@link #OP_TOLERANCE} for single operations (fp32 with different
 * summation orders), {@link #MODEL_TOLERANCE} for the whole model, where differences compound through layers.
 */
public final class GpuParity {

    public static final double OP_TOLERANCE = 1e-5;
    public static final double MODEL_TOLERANCE = 1e-4;

    public record Result(String check, String shape, String pair, double maxAbsError, double referenceScale,
                         double error, double tolerance, boolean pass) {}

    private final Backend cpu, fast, reference;
    private final List<Result> results = new ArrayList<>();
    private final SplittableRandom random = new SplittableRandom(20261202);

    /** cpu is the reference; fast and reference are normally the two CUDA variants (any Backend works, for testing the harness). */
    GpuParity(Backend cpu, Backend fast, Backend reference) {
        this.cpu = cpu;
        this.fast = fast;
        this.reference = reference;
    }

    /** Usage: GpuParity [file to write the table to]. Exit 0 all passed, 1 some failed, 2 no CUDA device. */
    public static void main(String[] args) {
        long start = System.nanoTime();
        CudaBackend fast, reference;
        try {
            fast = Cuda.open(0, CudaBackend.Variant.FAST);
            reference = Cuda.open(0, CudaBackend.Variant.REFERENCE);
        } catch (CudaUnavailableException e) {
            System.out.println("no CUDA device: " + e.getMessage());
            if (e.getCause() != null) e.getCause().printStackTrace(System.out);
            System.exit(2);
            return;
        }
        System.out.println("device: " + fast.description());
        List<Result> results;
        try (CpuBackend cpu = new CpuBackend()) {
            results = new GpuParity(cpu, fast, reference).runAll();
        } finally {
            reference.close();
            fast.close();
        }
        long failed = results.stream().filter(r -> !r.pass()).count();
        String report = "device: " + fast.description() + "\n" + table(results)
                + String.format(Locale.ROOT, "%d checks, %d failed, %.1f s%n", results.size(), failed, (System.nanoTime() - start) / 1e9);
        System.out.print(report);
        if (args.length > 0) {
            try {
                java.nio.file.Files.writeString(java.nio.file.Path.of(args[0]), report);
            } catch (java.io.IOException e) {
                System.out.println("could not write " + args[0] + ": " + e);
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }

    public static String table(List<Result> results) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-34s %-28s %-12s %11s %11s %11s %9s %s%n",
                "check", "shape", "pair", "max |diff|", "ref scale", "error", "tol", "result"));
        for (Result r : results) {
            out.append(String.format(Locale.ROOT, "%-34s %-28s %-12s %11.3e %11.3e %11.3e %9.1e %s%n", r.check(), r.shape(),
                    r.pair(), r.maxAbsError(), r.referenceScale(), r.error(), r.tolerance(), r.pass() ? "pass" : "FAIL"));
        }
        return out.toString();
    }

    /** Runs every check; an exception inside one check becomes a failed row, not the end of the run. */
    List<Result> runAll() {
        guard("elementwise", this::elementwise);
        guard("sumOfSquares", this::sumOfSquares);
        guard("matmul", this::matmul);
        guard("embedding", this::embedding);
        guard("rmsnorm", this::rmsnorm);
        guard("rope", this::rope);
        guard("attention", this::attention);
        guard("kvCache", this::kvCache);
        guard("swiglu", this::swiglu);
        guard("tokenScores", this::tokenScores);
        guard("adamw", this::adamw);
        guard("transformer", () -> transformer(new ModelConfig(97, 64, 176, 2, 4, 2, 64, 10000, 1e-6, true, false), 2, 17));
        guard("transformer", () -> transformer(new ModelConfig(131, 96, 256, 3, 3, 1, 48, 1e6, 1e-6, false, true), 3, 11));
        return results;
    }

    private void guard(String check, Runnable body) {
        try {
            body.run();
        } catch (RuntimeException | AssertionError e) {
            results.add(new Result(check, "-", "exception: " + CudaBackend.firstLine(e), Double.NaN, Double.NaN, Double.NaN, 0, false));
            e.printStackTrace(System.out);
        }
    }

    // ---- the checks -----------------------------------------------------------------------------------------

    private void elementwise() {
        for (int size : new int[] {1, 1000, 4097, (1 << 20) + 3}) {
            String shape = "n=" + size;
            float[] a = normal(size, 1), b = normal(size, 1);
            compare("add", shape, OP_TOLERANCE, new float[][] {new float[size], a, b}, (be, t) -> be.add(t[0], t[1], t[2]), 0);
            compare("add (out aliases a)", shape, OP_TOLERANCE, new float[][] {a, b}, (be, t) -> be.add(t[0], t[0], t[1]), 0);
            compare("accumulate", shape, OP_TOLERANCE, new float[][] {a, b}, (be, t) -> be.accumulate(t[0], t[1]), 0);
            compare("scale", shape, OP_TOLERANCE, new float[][] {a}, (be, t) -> be.scale(t[0], -0.37f), 0);
            compare("copy", shape, 0, new float[][] {a, b}, (be, t) -> be.copy(t[0], t[1]), 1);
            compare("zero (a slice)", shape, 0, new float[][] {a}, (be, t) -> be.zero(t[0].slice(size / 3, size - size / 3)), 0);
        }
    }

    private void sumOfSquares() {
        for (int size : new int[] {1, 1000, 4097, (1 << 20) + 3}) {
            float[] a = normal(size, 1);
            double[] sums = new double[3];
            Backend[] backends = {cpu, fast, reference};
            for (int i = 0; i < 3; i++) {
                Tensor t = backends[i].allocate(size);
                backends[i].copyFromHost(a, t);
                sums[i] = backends[i].sumOfSquares(t);
            }
            record("sumOfSquares", "n=" + size, "fast vs cpu", new float[] {(float) sums[1]}, new float[] {(float) sums[0]}, OP_TOLERANCE);
            record("sumOfSquares", "n=" + size, "ref vs cpu", new float[] {(float) sums[2]}, new float[] {(float) sums[0]}, OP_TOLERANCE);
        }
    }

    private void matmul() {
        int[][] shapes = {{1, 7, 5}, {3, 1, 1}, {37, 129, 65}, {64, 256, 768}, {130, 768, 97}};
        for (int[] s : shapes) {
            int n = s[0], ic = s[1], oc = s[2];
            String shape = "N=" + n + " IC=" + ic + " OC=" + oc;
            float[] x = normal(n * ic, 1), w = normal(oc * ic, 0.1), b = normal(oc, 1), dy = normal(n * oc, 1);
            float[] dx0 = normal(n * ic, 1), dw0 = normal(oc * ic, 1), db0 = normal(oc, 1);
            compare("matmulForward", shape, OP_TOLERANCE, new float[][] {new float[n * oc], x, w, null},
                    (be, t) -> be.matmulForward(t[0], t[1], t[2], null, n, ic, oc), 0);
            compare("matmulForward +bias", shape, OP_TOLERANCE, new float[][] {new float[n * oc], x, w, b},
                    (be, t) -> be.matmulForward(t[0], t[1], t[2], t[3], n, ic, oc), 0);
            compare("matmulBackward (accumulates)", shape, OP_TOLERANCE, new float[][] {dx0, dw0, db0, dy, x, w},
                    (be, t) -> be.matmulBackward(t[0], t[1], t[2], t[3], t[4], t[5], n, ic, oc), 0, 1, 2);
        }
    }

    private void embedding() {
        int[][] shapes = {{1, 8, 3}, {37, 129, 50}, {256, 768, 1000}};
        for (int[] s : shapes) {
            int n = s[0], c = s[1], vocab = s[2];
            String shape = "N=" + n + " C=" + c + " V=" + vocab;
            int[] tokens = ints(n, Math.max(1, vocab / 4));          // a small range, so tokens repeat
            float[] table = normal(vocab * c, 1), dy = normal(n * c, 1), dtable0 = normal(vocab * c, 1);
            compare("embeddingForward", shape, OP_TOLERANCE, new float[][] {new float[n * c], table},
                    (be, t) -> be.embeddingForward(t[0], tokens, t[1], n, c), 0);
            compare("embeddingBackward", shape, OP_TOLERANCE, new float[][] {dtable0, dy},
                    (be, t) -> be.embeddingBackward(t[0], t[1], tokens, n, c), 0);
        }
    }

    private void rmsnorm() {
        int[][] shapes = {{1, 7}, {37, 129}, {64, 768}, {5, 2049}};
        for (int[] s : shapes) {
            int n = s[0], c = s[1];
            String shape = "N=" + n + " C=" + c;
            float[] x = normal(n * c, 2), w = normal(c, 1), dy = normal(n * c, 1), dx0 = normal(n * c, 1), dw0 = normal(c, 1);
            compare("rmsnormForward", shape, OP_TOLERANCE, new float[][] {new float[n * c], new float[n], x, w},
                    (be, t) -> be.rmsnormForward(t[0], t[1], t[2], t[3], n, c, 1e-6f), 0, 1);
            compare("rmsnormForward (no rstd)", shape, OP_TOLERANCE, new float[][] {new float[n * c], x, w},
                    (be, t) -> be.rmsnormForward(t[0], null, t[1], t[2], n, c, 1e-6f), 0);
            compare("rmsnormBackward (accumulates)", shape, OP_TOLERANCE, new float[][] {dx0, dw0, dy, x, w, new float[n]},
                    (b, t) -> {
                        Tensor scratch = b.allocate((long) n * c);
                        b.rmsnormForward(scratch, t[5], t[3], t[4], n, c, 1e-6f);
                        b.rmsnormBackward(t[0], t[1], t[2], t[3], t[4], t[5], n, c);
                    }, 0, 1);
        }
    }

    private void rope() {
        int[][] shapes = {{5, 3, 8, 16}, {37, 7, 64, 64}, {16, 2, 128, 4096}};
        for (int[] s : shapes) {
            int n = s[0], heads = s[1], d = s[2], maxPositions = s[3];
            String shape = "N=" + n + " H=" + heads + " D=" + d;
            int[] positions = ints(n, maxPositions);
            float[][] tables = ropeTables(maxPositions, d);
            float[] x = normal(n * heads * d, 1);
            compare("ropeForward", shape, OP_TOLERANCE, new float[][] {x, tables[0], tables[1]},
                    (be, t) -> be.ropeForward(t[0], t[1], t[2], positions, n, heads, d), 0);
            compare("ropeBackward", shape, OP_TOLERANCE, new float[][] {x, tables[0], tables[1]},
                    (be, t) -> be.ropeBackward(t[0], t[1], t[2], positions, n, heads, d), 0);
        }
    }

    private void attention() {
        int[][] shapes = {{1, 1, 1, 1, 8}, {2, 17, 4, 2, 16}, {3, 33, 6, 2, 40}, {1, 64, 4, 4, 64}, {2, 45, 8, 2, 128}, {1, 9, 2, 1, 272}};
        for (int[] s : shapes) {
            int batch = s[0], time = s[1], heads = s[2], kvHeads = s[3], d = s[4];
            String shape = "B=" + batch + " T=" + time + " H=" + heads + " KV=" + kvHeads + " D=" + d;
            int qSize = batch * time * heads * d, kvSize = batch * time * kvHeads * d, pSize = batch * heads * time * time;
            float[] q = normal(qSize, 1), k = normal(kvSize, 1), v = normal(kvSize, 1), dy = normal(qSize, 1);
            compare("attentionForward", shape, OP_TOLERANCE, new float[][] {new float[qSize], new float[pSize], q, k, v},
                    (be, t) -> be.attentionForward(t[0], t[1], t[2], t[3], t[4], batch, time, heads, kvHeads, d), 0, 1);
            compare("attentionForward (no probs)", shape, OP_TOLERANCE, new float[][] {new float[qSize], q, k, v},
                    (be, t) -> be.attentionForward(t[0], null, t[1], t[2], t[3], batch, time, heads, kvHeads, d), 0);
            if (d <= LaunchGeometry.MAX_WARP_HEAD_DIM && fast instanceof CudaBackend cuda) {
                float[][] inputs = {new float[qSize], q, k, v};
                float[] cpuOut = run(cpu, inputs, (b, t) -> cpu.attentionForward(t[0], null, t[1], t[2], t[3], batch, time, heads, kvHeads, d), 0)[0];
                float[] flashOut = run(fast, inputs, (b, t) -> cuda.attentionForwardFlash(t[0], t[1], t[2], t[3], batch, time, heads, kvHeads, d), 0)[0];
                record("attentionForwardFlash", shape, "flash vs cpu", flashOut, cpuOut, OP_TOLERANCE);
            }
            compare("attentionBackward", shape, OP_TOLERANCE,
                    new float[][] {new float[qSize], new float[kvSize], new float[kvSize], dy, new float[pSize], q, k, v, new float[qSize]},
                    (b, t) -> {
                        b.attentionForward(t[8], t[4], t[5], t[6], t[7], batch, time, heads, kvHeads, d);
                        b.attentionBackward(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], batch, time, heads, kvHeads, d);
                    }, 0, 1, 2);
        }
    }

    private void kvCache() {
        // slots, cacheLength, rows, heads, kvHeads, headDim
        int[][] shapes = {{1, 8, 1, 1, 1, 8}, {3, 20, 5, 4, 2, 16}, {4, 70, 9, 6, 2, 64}, {2, 33, 4, 2, 1, 272}};
        for (int[] s : shapes) {
            int slots = s[0], length = s[1], n = s[2], heads = s[3], kvHeads = s[4], d = s[5];
            int kvDim = kvHeads * d;
            String shape = "S=" + slots + " L=" + length + " N=" + n + " H=" + heads + " KV=" + kvHeads + " D=" + d;
            int[] rowSlots = new int[n], rowPositions = new int[n];
            for (int i = 0; i < n; i++) {                       // distinct (slot, position) pairs: no two rows write one cache row
                rowSlots[i] = i % slots;
                rowPositions[i] = Math.min(length - 1, (i / slots) + random.nextInt(length - n / slots));
            }
            dedupe(rowSlots, rowPositions, length);
            int cacheSize = slots * length * kvDim;
            float[] kc = normal(cacheSize, 1), vc = normal(cacheSize, 1), k = normal(n * kvDim, 1), v = normal(n * kvDim, 1);
            float[] q = normal(n * heads * d, 1);
            compare("kvCacheWrite + cachedAttention", shape, OP_TOLERANCE, new float[][] {kc, vc, k, v, q, new float[n * heads * d]},
                    (b, t) -> {
                        b.kvCacheWrite(t[0], t[1], t[2], t[3], rowSlots, rowPositions, n, length, kvDim);
                        b.cachedAttention(t[5], t[4], t[0], t[1], rowSlots, rowPositions, n, length, heads, kvHeads, d);
                    }, 0, 1, 5);
        }
    }

    private void swiglu() {
        for (int[] s : new int[][] {{1, 7}, {37, 129}, {64, 2048}}) {
            int n = s[0], f = s[1];
            String shape = "N=" + n + " F=" + f;
            float[] gate = normal(n * f, 3), up = normal(n * f, 1), dy = normal(n * f, 1);
            compare("swigluForward", shape, OP_TOLERANCE, new float[][] {new float[n * f], gate, up},
                    (be, t) -> be.swigluForward(t[0], t[1], t[2], n, f), 0);
            compare("swigluForward (out aliases gate)", shape, OP_TOLERANCE, new float[][] {gate, up},
                    (be, t) -> be.swigluForward(t[0], t[0], t[1], n, f), 0);
            compare("swigluBackward", shape, OP_TOLERANCE, new float[][] {normal(n * f, 1), normal(n * f, 1), dy, gate, up},
                    (be, t) -> be.swigluBackward(t[0], t[1], t[2], t[3], t[4], n, f), 0, 1);
        }
    }

    private void tokenScores() {
        for (int[] s : new int[][] {{1, 2}, {7, 1000}, {33, 50257}}) {
            int n = s[0], vocab = s[1];
            String shape = "N=" + n + " V=" + vocab;
            int[] targets = ints(n, vocab);
            float[] logits = normal(n * vocab, 3), dlp = normal(n, 1), dent = normal(n, 1);
            compare("tokenScoresForward", shape, OP_TOLERANCE, new float[][] {new float[n], new float[n], logits},
                    (be, t) -> be.tokenScoresForward(t[0], t[1], t[2], targets, n, vocab), 0, 1);
            compare("tokenScoresForward (no entropy)", shape, OP_TOLERANCE, new float[][] {new float[n], logits},
                    (be, t) -> be.tokenScoresForward(t[0], null, t[1], targets, n, vocab), 0);
            compare("tokenScoresBackward", shape, OP_TOLERANCE, new float[][] {new float[n * vocab], logits, dlp, dent},
                    (be, t) -> be.tokenScoresBackward(t[0], t[1], targets, t[2], t[3], n, vocab), 0);
            compare("tokenScoresBackward (aliased)", shape, OP_TOLERANCE, new float[][] {logits, dlp},
                    (be, t) -> be.tokenScoresBackward(t[0], t[0], targets, t[1], null, n, vocab), 0);
        }
    }

    private void adamw() {
        for (int size : new int[] {1, 4097, 100_003}) {
            float[] p = normal(size, 1), g1 = normal(size, 1), g2 = normal(size, 0.01), g3 = normal(size, 100);
            compare("adamwUpdate x3", "n=" + size, OP_TOLERANCE, new float[][] {p, g1, g2, g3, new float[size], new float[size]},
                    (b, t) -> {
                        b.adamwUpdate(t[0], t[1], t[4], t[5], 1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, 1);
                        b.adamwUpdate(t[0], t[2], t[4], t[5], 1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, 2);
                        b.adamwUpdate(t[0], t[3], t[4], t[5], 3e-4f, 0.9f, 0.95f, 1e-8f, 0.0f, 3);
                    }, 0, 4, 5);
        }
    }

    /** The whole model: forward, backward, three AdamW steps, then cached decoding, on each backend from the same seed. */
    private void transformer(ModelConfig config, int batch, int time) {
        String shape = "L=" + config.numLayers() + " C=" + config.hiddenSize() + " B=" + batch + " T=" + time
                + (config.tiedEmbeddings() ? " tied" : "") + (config.qkvBias() ? " bias" : "");
        int n = batch * time;
        int[] tokens = ints(n, config.vocabSize()), targets = ints(n, config.vocabSize());
        float[] dLogProbs = normal(n, 1.0 / n), dEntropies = normal(n, 0.1 / n);
        Backend[] backends = {cpu, fast, reference};
        float[][][] outputs = new float[3][][];
        for (int i = 0; i < 3; i++) {
            Backend b = backends[i];
            try (Transformer model = new Transformer(b, config)) {
                model.initializeRandom(7);
                model.forward(tokens, targets, batch, time);
                float[] logProbs = model.logProbs(), entropies = model.entropies(), logits = model.logits();
                model.zeroGradients();
                model.backward(dLogProbs, dEntropies);
                float[] gradients = b.toHost(model.gradients());
                AdamW optimizer = new AdamW(model, AdamW.Settings.defaults());
                double[] norms = new double[3];
                for (int step = 0; step < 3; step++) {
                    if (step > 0) {
                        model.zeroGradients();
                        model.forward(tokens, targets, batch, time);
                        model.backward(dLogProbs, dEntropies);
                    }
                    norms[step] = optimizer.step(1e-2).gradNorm();
                }
                float[] parameters = b.toHost(model.parameters());
                KvCache cache = new KvCache(b, config, 2, time);
                int[] slots = new int[time + 1], positions = new int[time + 1];
                int[] prompt = new int[time + 1];
                for (int j = 0; j < time; j++) {           // slot 0: a prefill of `time` tokens; slot 1: one token
                    prompt[j] = tokens[j];
                    positions[j] = j;
                }
                slots[time] = 1;
                prompt[time] = tokens[1];
                float[] decodeLogits = new float[2 * config.vocabSize()];
                model.decode(cache, prompt, slots, positions, time + 1, new int[] {time - 1, time}, decodeLogits);
                float[] norm = {(float) norms[0], (float) norms[1], (float) norms[2]};
                outputs[i] = new float[][] {logProbs, entropies, logits, gradients, norm, parameters, decodeLogits};
            }
        }
        String[] names = {"model logProbs", "model entropies", "model logits", "model gradients", "model grad norms (3 steps)",
                "model params after 3 AdamW", "model decode logits"};
        for (int o = 0; o < names.length; o++) {
            record(names[o], shape, "fast vs cpu", outputs[1][o], outputs[0][o], MODEL_TOLERANCE);
            record(names[o], shape, "ref vs cpu", outputs[2][o], outputs[0][o], MODEL_TOLERANCE);
            record(names[o], shape, "fast vs ref", outputs[1][o], outputs[2][o], MODEL_TOLERANCE);
        }
    }

    // ---- harness --------------------------------------------------------------------------------------------

    /**
     * Copies the inputs (null stays null) to each backend, runs the operation there and compares the tensors at
     * {@code outputs} after it: fast vs cpu, ref vs cpu, fast vs ref.
     */
    private void compare(String check, String shape, double tolerance, float[][] inputs, Operation operation, int... outputs) {
        float[][] onCpu = run(cpu, inputs, operation, outputs);
        float[][] onFast = run(fast, inputs, operation, outputs);
        float[][] onReference = run(reference, inputs, operation, outputs);
        for (int o = 0; o < outputs.length; o++) {
            String name = outputs.length == 1 ? check : check + " #" + outputs[o];
            record(name, shape, "fast vs cpu", onFast[o], onCpu[o], tolerance);
            record(name, shape, "ref vs cpu", onReference[o], onCpu[o], tolerance);
            record(name, shape, "fast vs ref", onFast[o], onReference[o], tolerance);
        }
    }

    /** An operation written once and run on each backend in turn, on tensors of that backend. */
    interface Operation {
        void run(Backend backend, Tensor[] tensors);
    }

    private float[][] run(Backend backend, float[][] inputs, Operation operation, int... outputs) {
        Tensor[] tensors = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) continue;
            tensors[i] = backend.allocate(inputs[i].length);
            backend.copyFromHost(inputs[i], tensors[i]);
        }
        operation.run(backend, tensors);
        float[][] result = new float[outputs.length][];
        for (int o = 0; o < outputs.length; o++) {
            Tensor t = tensors[outputs[o]];
            result[o] = t == null ? new float[0] : backend.toHost(t);
        }
        return result;
    }

    private void record(String check, String shape, String pair, float[] actual, float[] expected, double tolerance) {
        double maxDiff = 0, scale = 0;
        boolean finite = actual.length == expected.length;
        for (int i = 0; i < Math.min(actual.length, expected.length); i++) {
            if (!Float.isFinite(actual[i]) || !Float.isFinite(expected[i])) finite = false;
            maxDiff = Math.max(maxDiff, Math.abs((double) actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs((double) expected[i]));
        }
        double error = maxDiff / Math.max(scale, 1e-30);
        results.add(new Result(check, shape, pair, maxDiff, scale, error, tolerance, finite && error <= tolerance));
    }

    private float[] normal(int size, double std) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) a[i] = (float) (random.nextGaussian() * std);
        return a;
    }

    private int[] ints(int size, int bound) {
        int[] a = new int[size];
        for (int i = 0; i < size; i++) a[i] = random.nextInt(bound);
        return a;
    }

    /** Moves a row's position on until no earlier row of its slot holds it (the cache is long enough by construction). */
    private static void dedupe(int[] slots, int[] positions, int length) {
        for (int i = 0; i < slots.length; i++) {
            boolean clash = true;
            while (clash) {
                clash = false;
                for (int j = 0; j < i; j++) {
                    if (slots[j] == slots[i] && positions[j] == positions[i]) {
                        positions[i] = (positions[i] + 1) % length;
                        clash = true;
                    }
                }
            }
        }
    }

    /** cos/sin tables (maxPositions, D/2) with Hugging Face's frequencies; any values would do for parity. */
    private static float[][] ropeTables(int maxPositions, int headDim) {
        int half = headDim / 2;
        float[] cos = new float[maxPositions * half], sin = new float[maxPositions * half];
        for (int p = 0; p < maxPositions; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * Math.pow(10000, -2.0 * i / headDim);
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
        return new float[][] {cos, sin};
    }
}
