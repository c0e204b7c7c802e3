package org.zerotir.engine.cuda;

import org.zerotir.engine.Backend;
import org.zerotir.engine.ModelConfig;
import org.zerotir.engine.ReferenceShapes;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.cpu.CpuBackend;
import org.zerotir.engine.generate.Generator;
import org.zerotir.engine.generate.SamplingParams;
import org.zerotir.engine.generate.StopRules;
import org.zerotir.engine.optim.AdamW;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Training and decoding speed of one backend on the GPT-2-small and Qwen2.5-0.5B shapes, with model FLOPs
 * utilisation. A plain main, like GpuParity, because the GPU machine has target/classes and a few jars only:
 * {@code bench/gpu/run org.zerotir.engine.cuda.GpuBench --out gpu-bench.md}. EngineBench (src/test) is the CPU
 * counterpart, with the machine's own sgemm and bandwidth next to every figure; this one compares with a
 * datasheet peak instead, since a GPU's is known and its measured one would cost device time.
 *
 * <p>Training: forward + backward + AdamW on random weights and random tokens, warm-up steps untimed.
 * FLOPs per token = 6·N + 12·L·C·T (llm.c's estimate, after PaLM: attention counted without the causal half),
 * N = weights in matrix products ({@link ReferenceShapes#matmulParameters}). Decoding: greedy batched decoding
 * through the {@link Generator}, one token per slot per step, FLOPs per token = 2·N + 4·L·C·p at context p.
 *
 * <p>Usage: {@code GpuBench [--backend cpu|cuda] [--quick] [--peak-tflops X] [--fp32-peak-tflops Y] [--out FILE]}.
 * Exit 0 every workload ran, 1 some failed (their rows say why), 2 the backend could not open, 64 bad arguments.
 */
public final class GpuBench {

    private static final String USAGE = "GpuBench [--backend cpu|cuda] [--quick] [--peak-tflops X] [--fp32-peak-tflops Y] [--out FILE]";

    /** One training shape: batch × time tokens per step. */
    record Shape(String name, ModelConfig config, int batch, int time) {}

    /** Step counts; the full ones aim at ~1 minute on an H100-class GPU, inside bench/gpu/run's per-step timeout. */
    record Effort(int trainWarmup, int trainSteps, int promptLength, int decodeWarmup, int decodeSteps, int[] decodeBatches) {}

    record Row(String workload, String shape, long tokensPerStep, int steps, double medianSeconds, double flopsPerToken,
               String error) {
        double tokensPerSecond() {
            return tokensPerStep / medianSeconds;
        }

        double mfu(double peakTflops) {
            return tokensPerSecond() * flopsPerToken / (peakTflops * 1e12);
        }
    }

    // fp32 throughout: GPT-2-small at B8×T1024 keeps 2.9G floats of activations (attention probabilities are
    // 40 % of it), the 0.5B model at B4×T1024 4.1G (its 151936-wide logits 15 %), plus 4 floats per parameter
    // (weights, gradients, AdamW's two moments): about 14 and 24 GB, inside an 80 GB H100 as well as the H200.
    // On the CPU backend these shapes do not fit Java arrays; --backend cpu is for --quick.
    static final List<Shape> FULL_SHAPES = List.of(
            new Shape("GPT-2-small", ReferenceShapes.GPT2_SMALL, 8, 1024),
            new Shape("Qwen2.5-0.5B", ReferenceShapes.QWEN_05B, 4, 1024));
    static final Effort FULL = new Effort(2, 5, 4, 2, 16, new int[] {1, 64, 256});

    // The tiny stand-ins keep what differs between the two real shapes (q/k/v biases or none, full or grouped
    // key/value heads) so that --quick goes through the same code paths.
    static final List<Shape> QUICK_SHAPES = List.of(
            new Shape("tiny (GPT-2-like)", new ModelConfig(512, 64, 176, 2, 4, 4, 128, 10000, 1e-6, false, true), 2, 32),
            new Shape("tiny (Qwen-like)", new ModelConfig(512, 64, 176, 2, 4, 2, 128, 1e6, 1e-6, true, true), 2, 32));
    static final Effort QUICK = new Effort(1, 2, 4, 1, 2, new int[] {1, 64, 256});

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /** Everything main does but exiting, so that a test can call it. */
    static int run(String[] args, PrintStream out) {
        String backendName = "cuda", outFile = null;
        boolean quick = false;
        double peak = 989, fp32Peak = 67;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--backend" -> backendName = args[++i];
                    case "--quick" -> quick = true;
                    case "--peak-tflops" -> peak = Double.parseDouble(args[++i]);
                    case "--fp32-peak-tflops" -> fp32Peak = Double.parseDouble(args[++i]);
                    case "--out" -> outFile = args[++i];
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
            if (!backendName.equals("cpu") && !backendName.equals("cuda")) throw new IllegalArgumentException("unknown backend " + backendName);
            if (!(peak > 0) || !(fp32Peak > 0)) throw new IllegalArgumentException("peaks must be positive");
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            out.println("GpuBench: " + e.getMessage() + "; usage: " + USAGE);
            return 64;
        }

        Backend backend;
        if (backendName.equals("cuda")) {
            try {
                backend = Cuda.openBackend(0);
            } catch (CudaUnavailableException e) {
                out.println("no CUDA device: " + e.getMessage());
                return 2;
            }
        } else {
            backend = new CpuBackend();
        }
        long start = System.nanoTime();
        String device = Cuda.describe(backend);
        out.println("device: " + device);
        List<Row> rows;
        try (backend) {
            rows = measure(backend, quick ? QUICK_SHAPES : FULL_SHAPES, quick ? QUICK : FULL, out);
        }
        long failed = rows.stream().filter(r -> r.error() != null).count();
        String report = "device: " + device + (quick ? " (--quick: tiny shapes, few steps)" : "") + "\n\n"
                + table(rows, peak, fp32Peak)
                + String.format(Locale.ROOT, "%n%d workloads, %d failed, %.1f s%n", rows.size(), failed, (System.nanoTime() - start) / 1e9);
        out.print(report);
        if (outFile != null) {
            // bench/gpu/run passes arguments quoted, so "$OUT/x" cannot be spelt there: a relative path goes under
            // $OUT where it is set, the folder the device machine sends back
            Path target = Path.of(outFile);
            String outDir = System.getenv("OUT");
            if (!target.isAbsolute() && outDir != null && !outDir.isEmpty()) target = Path.of(outDir).resolve(target);
            try {
                Files.writeString(target, report);
                out.println("written to " + target);
            } catch (IOException e) {
                out.println("could not write " + target + ": " + e);
            }
        }
        return failed == 0 ? 0 : 1;
    }

    /**
     * Per shape: training, then decoding on the same weights (the 0.5B model's random initialisation costs more
     * than its steps). A workload that throws (out of memory, a kernel failure) becomes a row saying so.
     */
    static List<Row> measure(Backend backend, List<Shape> shapes, Effort effort, PrintStream log) {
        List<Row> rows = new ArrayList<>();
        for (Shape shape : shapes) {
            log.println("GpuBench: " + shape.name() + " ...");
            try (Transformer model = new Transformer(backend, shape.config())) {
                model.initializeRandom(1);
                rows.add(guard(log, "train " + shape.name(), "B" + shape.batch() + "×T" + shape.time(),
                        () -> train(model, shape, effort)));
                model.releaseTrainingActivations();
                for (int batch : effort.decodeBatches()) {
                    rows.add(guard(log, "decode " + shape.name(), "batch " + batch + ", prompt " + effort.promptLength(),
                            () -> decode(model, shape.name(), batch, effort)));
                }
            } catch (RuntimeException | OutOfMemoryError e) {
                rows.add(failure(shape.name(), "-", e));
                e.printStackTrace(log);
            }
        }
        return rows;
    }

    private interface Workload {
        Row run();
    }

    private static Row guard(PrintStream log, String workload, String shape, Workload body) {
        try {
            Row row = body.run();
            // as it comes, so that a run cut short by bench/gpu/run's timeout still leaves its figures in main.log
            log.printf(Locale.ROOT, "GpuBench: %s, %s: median %.4g s, %.4g tokens/s%n", workload, shape,
                    row.medianSeconds(), row.tokensPerSecond());
            return row;
        } catch (RuntimeException | OutOfMemoryError e) {
            e.printStackTrace(log);
            return failure(workload, shape, e);
        }
    }

    private static Row failure(String workload, String shape, Throwable e) {
        return new Row(workload, shape, 0, 0, Double.NaN, 0, CudaBackend.firstLine(e));
    }

    // ---- workloads --------------------------------------------------------------------------------------------

    private static Row train(Transformer model, Shape shape, Effort effort) {
        ModelConfig config = shape.config();
        int n = shape.batch() * shape.time();
        AdamW optimizer = new AdamW(model, AdamW.Settings.defaults());
        int[] tokens = ReferenceShapes.randomTokens(n + 1, config.vocabSize(), 5);
        int[] inputs = Arrays.copyOf(tokens, n), targets = Arrays.copyOfRange(tokens, 1, n + 1);
        float[] dLogProbs = new float[n];
        Arrays.fill(dLogProbs, -1f / n);   // the mean negative log-likelihood's gradient
        double[] seconds = new double[effort.trainSteps()];
        for (int i = 0; i < effort.trainWarmup() + effort.trainSteps(); i++) {
            long start = System.nanoTime();
            model.zeroGradients();
            model.forward(inputs, targets, shape.batch(), shape.time());
            model.backward(dLogProbs, null);
            optimizer.step(1e-4);
            finish(model.backend());
            if (i >= effort.trainWarmup()) seconds[i - effort.trainWarmup()] = (System.nanoTime() - start) / 1e9;
        }
        double flopsPerToken = 6.0 * ReferenceShapes.matmulParameters(config)
                + 12.0 * config.numLayers() * config.hiddenSize() * shape.time();
        return new Row("train " + shape.name(), "B" + shape.batch() + "×T" + shape.time(), n, seconds.length, ReferenceShapes.median(seconds),
                flopsPerToken, null);
    }

    /**
     * Every slot gets a random prompt, the first (untimed) step prefills them all, then each step feeds one token
     * per slot and samples the next greedily: the serving path, host-side sampling included.
     */
    private static Row decode(Transformer model, String name, int slots, Effort effort) {
        ModelConfig config = model.config();
        int newTokens = effort.decodeWarmup() + effort.decodeSteps() + 1;
        Generator generator = new Generator(model, slots, effort.promptLength() + newTokens + 4);
        for (int slot = 0; slot < slots; slot++) {
            generator.start(slot, ReferenceShapes.randomTokens(effort.promptLength(), config.vocabSize(), 100 + slot),
                    SamplingParams.greedy(), StopRules.of(newTokens));
        }
        generator.step();
        double[] seconds = new double[effort.decodeSteps()];
        for (int i = 0; i < effort.decodeWarmup() + effort.decodeSteps(); i++) {
            long start = System.nanoTime();
            int sampled = generator.step().size();
            finish(model.backend());
            if (i >= effort.decodeWarmup()) seconds[i - effort.decodeWarmup()] = (System.nanoTime() - start) / 1e9;
            if (sampled != slots) throw new IllegalStateException("decoding step sampled " + sampled + " of " + slots + " slots");
        }
        // context attended to, averaged over the timed steps: the prompt, the prefill's sample, the warm-up steps
        double context = effort.promptLength() + 1 + effort.decodeWarmup() + (effort.decodeSteps() + 1) / 2.0;
        double flopsPerToken = 2.0 * ReferenceShapes.matmulParameters(config)
                + 4.0 * config.numLayers() * config.hiddenSize() * context;
        return new Row("decode " + name, "batch " + slots + ", prompt " + effort.promptLength(), slots,
                seconds.length, ReferenceShapes.median(seconds), flopsPerToken, null);
    }

    /** CUDA calls return before the GPU is done: a step ends when its stream is drained. */
    private static void finish(Backend backend) {
        if (backend instanceof CudaBackend cuda) cuda.synchronize();
    }

    // ---- the table --------------------------------------------------------------------------------------------

    static String table(List<Row> rows, double peakTflops, double fp32PeakTflops) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "The engine computes in fp32: MFU is given against %.0f TFLOP/s (dense bf16 peak,"
                + " --peak-tflops) and against %.0f TFLOP/s (fp32 peak, --fp32-peak-tflops).%n%n", peakTflops, fp32PeakTflops));
        out.append(String.format(Locale.ROOT, "| workload | shape | tokens/step | median s (steps) | tokens/s | TFLOP/s | MFU (%.0f TF) | MFU fp32 (%.0f TF) |%n",
                peakTflops, fp32PeakTflops));
        out.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            if (r.error() != null) {
                out.append("| ").append(r.workload()).append(" | ").append(r.shape()).append(" | FAILED: ")
                        .append(r.error().replace('|', '/')).append(" | | | | | |\n");
                continue;
            }
            double tflops = r.tokensPerSecond() * r.flopsPerToken() / 1e12;
            out.append(String.format(Locale.ROOT, "| %s | %s | %d | %.4g (%d) | %.4g | %.4g | %s | %s |%n", r.workload(), r.shape(),
                    r.tokensPerStep(), r.medianSeconds(), r.steps(), r.tokensPerSecond(), tflops,
                    percent(r.mfu(peakTflops)), percent(r.mfu(fp32PeakTflops))));
        }
        out.append(String.format(Locale.ROOT, "%nFLOPs per token: training 6·N + 12·L·C·T, decoding 2·N + 4·L·C·p at the mean"
                + " context p; N = weights in matrix products (tied embedding counted once): %s. Random weights and"
                + " tokens; medians after warm-up; decoding includes greedy sampling on the host.%n", parameterCounts(rows)));
        return out.toString();
    }

    private static String parameterCounts(List<Row> rows) {
        List<String> parts = new ArrayList<>();
        for (Shape s : rows.stream().anyMatch(r -> r.workload().contains("tiny")) ? QUICK_SHAPES : FULL_SHAPES) {
            parts.add(String.format(Locale.ROOT, "%s %.2fM", s.name(), ReferenceShapes.matmulParameters(s.config()) / 1e6));
        }
        return String.join(", ", parts);
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.3g %%", 100 * fraction);
    }

}
