package org.zerotir.engine.bench;

import org.zerotir.bench.BenchTable;
import org.zerotir.engine.Backend;
import org.zerotir.engine.ModelConfig;
import org.zerotir.engine.ReferenceShapes;
import org.zerotir.engine.Tensor;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.cpu.CpuBackend;
import org.zerotir.engine.generate.Generator;
import org.zerotir.engine.generate.SamplingParams;
import org.zerotir.engine.generate.StopRules;
import org.zerotir.engine.optim.AdamW;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The engine's speed and memory on this machine (issue 2, §4): training steps, a forward pass and batched
 * decoding, each next to the machine's own sgemm rate and memory-copy bandwidth measured in the same run, so
 * that every figure is also a ratio. Random weights: speed does not depend on their values.
 * Usage: {@code bench/engine [--quick] [--threads N]} (threads default to the machine's cores).
 */
public final class EngineBench {

    /** The tiny from-scratch model of the RL demo. */
    static final ModelConfig TINY = new ModelConfig(128, 128, 384, 4, 4, 2, 512, 10000, 1e-6, true, true);
    static final ModelConfig GPT2_SMALL = ReferenceShapes.GPT2_SMALL;
    static final ModelConfig QWEN_05B = ReferenceShapes.QWEN_05B;

    private static final String USAGE = "bench/engine [--quick] [--threads N]";
    private static final double GIB = 1024.0 * 1024 * 1024;
    private static final int COPY_FLOATS = 32 << 20;

    /** Repetitions, aimed at ~5 minutes for the full run and ~1 for --quick on an idle 2-core machine. */
    private record Effort(int sgemmRepeats, int copyRepeats, int tinyWarmup, int tinySteps, int gpt2Warmup, int gpt2Steps,
                          int forwardWarmup, int forwardRuns, int promptLength, int decodeWarmup, int tinyDecodeSteps,
                          int qwenDecodeSteps) {}

    private static final Effort FULL = new Effort(15, 10, 5, 10, 1, 4, 1, 3, 16, 2, 32, 6);
    private static final Effort QUICK = new Effort(4, 3, 2, 2, 0, 1, 0, 1, 2, 1, 6, 2);

    /**
     * A workload's timed runs: wall times, how many cores the process got meanwhile, and the mean time per run
     * inside each backend phase.
     */
    private record Timing(int runs, double medianSeconds, double bestSeconds, double meanSeconds, double cores, int threads,
                          double[] phaseSeconds, double matmulFlops, double matmulSeconds, double matmulCpuSeconds) {
        double outsideSeconds() {
            return meanSeconds - Arrays.stream(phaseSeconds).sum();
        }

        double matmulGflops() {
            return matmulFlops / matmulSeconds / 1e9;
        }

        /**
         * The mean run as if the process had had its threads' cores to itself: its CPU time spread over them. On a
         * busy machine this is the fairer figure; it flatters work that is partly serial.
         */
        double undisturbedSeconds() {
            return meanSeconds * Math.min(1, cores / threads);
        }

        double undisturbedMatmulGflops() {
            return matmulFlops / (matmulSeconds * Math.min(1, matmulCpuSeconds / matmulSeconds / threads)) / 1e9;
        }
    }

    /** Copy bandwidth at the median and as if undisturbed (see {@link Timing#undisturbedSeconds}). */
    private record Copy(int threads, double medianSeconds, double bytesPerSecond, double undisturbedBytesPerSecond) {}

    /** The machine's own figures that the workloads are compared with, wall-clock and as if undisturbed. */
    private record Reference(double sgemmGflops, double undisturbedSgemmGflops, double copyBytesPerSecond,
                             double undisturbedCopyBytesPerSecond) {}

    private record Breakdown(String workload, Timing timing) {}

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        int threads = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--quick")) quick = true;
            else if (args[i].equals("--threads") && i + 1 < args.length) threads = Integer.parseInt(args[++i]);
            else throw new IllegalArgumentException("unknown argument " + args[i] + "; usage: " + USAGE);
        }
        Effort effort = quick ? QUICK : FULL;
        String command = ("bench/engine " + String.join(" ", args)).trim();
        String loadBefore = loadAverage();
        long wallStart = System.nanoTime();
        int[] batches = {1, 16, 64};

        try (CpuBackend cpu = new CpuBackend(threads)) {
            TimingBackend backend = new TimingBackend(cpu, cpu.threads());

            progress("sgemm");
            // The square sgemm is measured again between the workloads: on a shared machine the reference is the
            // best of them, since a busy neighbour slows a measurement and never speeds it up.
            List<Timing> squares = new ArrayList<>();
            squares.add(sgemm(backend, 1024, 1024, 1024, effort.sgemmRepeats()));
            Timing sgemmGpt2 = sgemm(backend, 4 * 256, 768, 2048, effort.sgemmRepeats());
            Timing sgemmQwen = sgemm(backend, 256, 896, 4864, effort.sgemmRepeats());

            progress("training step, tiny");
            Timing tiny = train(backend, TINY, 16, 128, effort.tinyWarmup(), effort.tinySteps(), new long[1]);

            squares.add(sgemm(backend, 1024, 1024, 1024, effort.sgemmRepeats()));
            progress("training step, GPT-2-small");
            // Peak RSS of this phase: the earlier ones hold little, and clear_refs restarts the high-water mark.
            boolean peakReset = resetPeakRss();
            long[] gpt2BufferFloats = new long[1];
            Timing gpt2 = train(backend, GPT2_SMALL, 4, 256, effort.gpt2Warmup(), effort.gpt2Steps(), gpt2BufferFloats);
            long gpt2PeakBytes = procStatusKb("VmHWM") * 1024;
            System.gc();

            squares.add(sgemm(backend, 1024, 1024, 1024, effort.sgemmRepeats()));
            progress("memory copy");
            Copy copyAll = copy(threads, effort.copyRepeats()), copyOne = copy(1, effort.copyRepeats());

            progress("Qwen2.5-0.5B: initialising 494M random weights");
            Timing qwenForward;
            Timing[] qwenDecode = new Timing[batches.length], tinyDecode = new Timing[batches.length];
            try (Transformer qwen = new Transformer(backend, QWEN_05B)) {
                qwen.initializeRandom(1);
                progress("forward, Qwen2.5-0.5B");
                qwenForward = forward(backend, qwen, 1, 256, effort.forwardWarmup(), effort.forwardRuns());
                qwen.releaseTrainingActivations();
                squares.add(sgemm(backend, 1024, 1024, 1024, effort.sgemmRepeats()));
                for (int i = 0; i < batches.length; i++) {
                    progress("decoding, Qwen2.5-0.5B, batch " + batches[i]);
                    qwenDecode[i] = decode(backend, qwen, batches[i], effort.promptLength(), effort.decodeWarmup(), effort.qwenDecodeSteps());
                }
            }
            try (Transformer model = new Transformer(backend, TINY)) {
                model.initializeRandom(1);
                for (int i = 0; i < batches.length; i++) {
                    progress("decoding, tiny, batch " + batches[i]);
                    tinyDecode[i] = decode(backend, model, batches[i], effort.promptLength(), effort.decodeWarmup(), effort.tinyDecodeSteps());
                }
            }

            progress("sgemm again");
            squares.add(sgemm(backend, 1024, 1024, 1024, effort.sgemmRepeats()));
            Timing bestSquare = squares.stream().max(Comparator.comparingDouble(EngineBench::medianGflops)).orElseThrow();
            Timing worstSquare = squares.stream().min(Comparator.comparingDouble(EngineBench::medianGflops)).orElseThrow();
            Reference reference = new Reference(medianGflops(bestSquare),
                    squares.stream().mapToDouble(EngineBench::undisturbedGflops).max().orElseThrow(),
                    Math.max(copyAll.bytesPerSecond(), copyOne.bytesPerSecond()),
                    Math.max(copyAll.undisturbedBytesPerSecond(), copyOne.undisturbedBytesPerSecond()));

            // ---- the tables -----------------------------------------------------------------------------------
            List<String[]> rows = new ArrayList<>();
            sgemmRow(rows, "sgemm (engine's Blas), square, best of " + squares.size(), "1024·1024ᵀ, k 1024", bestSquare, reference);
            sgemmRow(rows, "sgemm, square, worst of " + squares.size(), "1024·1024ᵀ, k 1024", worstSquare, reference);
            sgemmRow(rows, "sgemm, GPT-2-small MLP shape", "1024×768 · (2048×768)ᵀ", sgemmGpt2, reference);
            sgemmRow(rows, "sgemm, Qwen2.5-0.5B MLP shape", "256×896 · (4864×896)ᵀ", sgemmQwen, reference);
            copyRow(rows, copyAll);
            if (threads > 1) copyRow(rows, copyOne);
            trainingRows(rows, "train step, tiny", TINY, 16, 128, tiny, reference, false);
            trainingRows(rows, "train step, GPT-2-small", GPT2_SMALL, 4, 256, gpt2, reference, true);
            rows.add(row("  peak RSS of the process (VmHWM)", peakReset ? "during that phase" : "since the JVM started", "",
                    gib(gpt2PeakBytes), "engine buffers " + gib(gpt2BufferFloats[0] * 4), "", "", "", "< 4 GiB",
                    gpt2PeakBytes < 4 * GIB ? "PASS" : "MISS"));
            double forwardFlops = forwardFlops(QWEN_05B, 1, 256);
            rows.add(row("forward, Qwen2.5-0.5B", "B1×T256", times(qwenForward), tokensPerSecond(256 / qwenForward.medianSeconds()),
                    gflops(forwardFlops / qwenForward.medianSeconds() / 1e9),
                    ofSgemm(forwardFlops / qwenForward.medianSeconds() / 1e9, reference.sgemmGflops()), cores(qwenForward),
                    ofSgemm(forwardFlops / qwenForward.undisturbedSeconds() / 1e9, reference.undisturbedSgemmGflops()), "", ""));
            rows.add(matmulRow("  its matmuls", qwenForward, reference));
            decodeRows(rows, "tiny", TINY, tinyDecode, batches, effort, reference, false);
            decodeRows(rows, "Qwen2.5-0.5B", QWEN_05B, qwenDecode, batches, effort, reference, true);

            BenchTable table = new BenchTable("Engine speed and memory (CPU backend, " + threads + (threads == 1 ? " thread)" : " threads)"),
                    "measurement", "shape", "median (best)", "throughput", "GFLOP/s", "vs machine", "cores busy",
                    "if undisturbed", "target", "result");
            for (String[] r : rows) table.row((Object[]) r);
            table.print(command);
            footnotes(effort, threads, reference, loadBefore, wallStart);

            List<Breakdown> breakdowns = new ArrayList<>(List.of(new Breakdown("train tiny B16×T128", tiny),
                    new Breakdown("train GPT-2-small B4×T256", gpt2), new Breakdown("forward 0.5B B1×T256", qwenForward)));
            for (int i = 0; i < batches.length; i++) breakdowns.add(new Breakdown("decode tiny batch " + batches[i], tinyDecode[i]));
            for (int i = 0; i < batches.length; i++) breakdowns.add(new Breakdown("decode 0.5B batch " + batches[i], qwenDecode[i]));
            BenchTable phases = new BenchTable("Where the time goes (share of the mean run)", phaseHeader());
            for (Breakdown b : breakdowns) phases.row((Object[]) phaseRow(b));
            phases.print(command);
            System.out.println("Phases are the time inside the backend's calls, grouped by operation; \"outside\" is the"
                    + " model's and the generator's own Java code (greedy sampling over the vocabulary, bookkeeping).");
        }
    }

    // ---- workloads --------------------------------------------------------------------------------------------

    /** Forward + backward + AdamW over B×T random tokens; the first warmup steps are not timed. */
    private static Timing train(TimingBackend backend, ModelConfig config, int batch, int time, int warmup, int timed,
                                long[] bufferFloats) {
        try (Transformer model = new Transformer(backend, config)) {
            model.initializeRandom(1);
            AdamW optimizer = new AdamW(model, AdamW.Settings.defaults());
            int n = batch * time;
            int[] tokens = ReferenceShapes.randomTokens(n + 1, config.vocabSize(), 5);
            int[] inputs = Arrays.copyOf(tokens, n), targets = Arrays.copyOfRange(tokens, 1, n + 1);
            float[] dLogProbs = new float[n];
            Arrays.fill(dLogProbs, -1f / n);
            double[] seconds = new double[timed];
            for (int i = 0; i < warmup + timed; i++) {
                if (i == warmup) backend.reset();
                long start = System.nanoTime();
                model.zeroGradients();
                model.forward(inputs, targets, batch, time);
                model.backward(dLogProbs, null);
                optimizer.step(1e-4);
                if (i >= warmup) seconds[i - warmup] = (System.nanoTime() - start) / 1e9;
            }
            // parameters, gradients, both AdamW moments, activations
            bufferFloats[0] = 4 * model.layout().totalSize() + model.trainingActivationFloats();
            return timing(backend, seconds);
        }
    }

    private static Timing forward(TimingBackend backend, Transformer model, int batch, int time, int warmup, int timed) {
        int n = batch * time;
        int[] tokens = ReferenceShapes.randomTokens(n + 1, model.config().vocabSize(), 6);
        int[] inputs = Arrays.copyOf(tokens, n), targets = Arrays.copyOfRange(tokens, 1, n + 1);
        double[] seconds = new double[timed];
        for (int i = 0; i < warmup + timed; i++) {
            if (i == warmup) backend.reset();
            long start = System.nanoTime();
            model.forward(inputs, targets, batch, time);
            if (i >= warmup) seconds[i - warmup] = (System.nanoTime() - start) / 1e9;
        }
        return timing(backend, seconds);
    }

    /**
     * Greedy batched decoding through the {@link Generator}: every slot gets a random prompt, the first step
     * prefills them all, then each timed step feeds one token per slot and samples the next.
     */
    private static Timing decode(TimingBackend backend, Transformer model, int slots, int promptLength, int warmup, int timed) {
        int newTokens = warmup + timed + 1;
        Generator generator = new Generator(model, slots, promptLength + newTokens + 4);
        for (int slot = 0; slot < slots; slot++) {
            generator.start(slot, ReferenceShapes.randomTokens(promptLength, model.config().vocabSize(), 100 + slot),
                    SamplingParams.greedy(), StopRules.of(newTokens));
        }
        generator.step();
        double[] seconds = new double[timed];
        for (int i = 0; i < warmup + timed; i++) {
            if (i == warmup) backend.reset();
            long start = System.nanoTime();
            int sampled = generator.step().size();
            if (i >= warmup) seconds[i - warmup] = (System.nanoTime() - start) / 1e9;
            if (sampled != slots) throw new IllegalStateException("decoding step sampled " + sampled + " of " + slots + " slots");
        }
        return timing(backend, seconds);
    }

    private static Timing timing(TimingBackend backend, double[] seconds) {
        int runs = seconds.length;
        double[] phases = new double[TimingBackend.Phase.values().length];
        for (TimingBackend.Phase phase : TimingBackend.Phase.values()) {
            phases[phase.ordinal()] = backend.nanos(phase) / 1e9 / runs;
        }
        double cores = backend.coresUsedSinceReset();
        return new Timing(runs, ReferenceShapes.median(seconds), Arrays.stream(seconds).min().orElseThrow(),
                Arrays.stream(seconds).average().orElseThrow(), cores, backend.threads(), phases,
                (double) backend.matmulFlops() / runs, backend.nanos(TimingBackend.Phase.MATMUL) / 1e9 / runs,
                backend.cpuNanos(TimingBackend.Phase.MATMUL) / 1e9 / runs);
    }

    // ---- the machine ------------------------------------------------------------------------------------------

    /** out (rows, outChannels) = inp (rows, inChannels) · weight (outChannels, inChannels)ᵀ, as the model calls it. */
    private static Timing sgemm(TimingBackend backend, int rows, int inChannels, int outChannels, int repeats) {
        Tensor inp = randomTensor(backend, (long) rows * inChannels, 1);
        Tensor weight = randomTensor(backend, (long) outChannels * inChannels, 2);
        Tensor out = backend.allocate((long) rows * outChannels);
        double[] seconds = new double[repeats];
        for (int i = 0; i < 3 + repeats; i++) {
            if (i == 3) backend.reset();
            long start = System.nanoTime();
            backend.matmulForward(out, inp, weight, null, rows, inChannels, outChannels);
            if (i >= 3) seconds[i - 3] = (System.nanoTime() - start) / 1e9;
        }
        return timing(backend, seconds);
    }

    /**
     * Copies one 128 MiB float array into another, split in equal parts over the threads; bytes read plus bytes
     * written per second (STREAM's convention). 128 MiB is far beyond any cache.
     */
    private static Copy copy(int threads, int repeats) throws Exception {
        int floats = COPY_FLOATS;
        float[] source = new float[floats], destination = new float[floats];
        Arrays.fill(source, 1f);
        Arrays.fill(destination, 2f); // touch every page before timing
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            double[] seconds = new double[repeats];
            long cpuStart = 0, wallStart = 0;
            for (int i = 0; i < 2 + repeats; i++) {
                if (i == 2) {
                    cpuStart = TimingBackend.processCpuNanos();
                    wallStart = System.nanoTime();
                }
                long start = System.nanoTime();
                List<Future<?>> parts = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int from = (int) ((long) floats * t / threads), to = (int) ((long) floats * (t + 1) / threads);
                    parts.add(pool.submit(() -> System.arraycopy(source, from, destination, from, to - from)));
                }
                for (Future<?> part : parts) part.get();
                if (i >= 2) seconds[i - 2] = (System.nanoTime() - start) / 1e9;
            }
            double wall = (System.nanoTime() - wallStart) / 1e9;
            double cores = (TimingBackend.processCpuNanos() - cpuStart) / 1e9 / wall;
            double bytes = 2.0 * floats * Float.BYTES;
            double mean = Arrays.stream(seconds).average().orElseThrow();
            return new Copy(threads, ReferenceShapes.median(seconds), bytes / ReferenceShapes.median(seconds), bytes / (mean * Math.min(1, cores / threads)));
        } finally {
            pool.shutdown();
        }
    }

    /** Restarts the kernel's peak-RSS count (VmHWM) from the current RSS; false where the kernel refuses. */
    private static boolean resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static long procStatusKb(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new IOException("/proc/self/status has no " + field);
    }

    /** The 1-minute load average and, where the kernel has it, the share of the last 60 s some task waited for a CPU. */
    private static String loadAverage() {
        String load;
        try {
            load = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0];
        } catch (IOException e) {
            load = "unknown";
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/pressure/cpu"))) {
                if (line.startsWith("some")) {
                    for (String field : line.split("\\s+")) {
                        if (field.startsWith("avg60=")) return load + " (CPU pressure " + field.substring(6) + " %)";
                    }
                }
            }
        } catch (IOException e) {
            // no pressure stall information on this kernel
        }
        return load;
    }

    // ---- model FLOPs ------------------------------------------------------------------------------------------

    static long matmulParameters(ModelConfig config) {
        return ReferenceShapes.matmulParameters(config);
    }

    /** 6·N per token (forward 2, backward 4) plus causal attention 6·L·T²·d per sequence. */
    static double trainingFlops(ModelConfig config, int batch, int time) {
        return 6.0 * matmulParameters(config) * batch * time + 6.0 * config.numLayers() * time * time * qDim(config) * batch;
    }

    static double forwardFlops(ModelConfig config, int batch, int time) {
        return 2.0 * matmulParameters(config) * batch * time + 2.0 * config.numLayers() * time * time * qDim(config) * batch;
    }

    /** One token attending to {@code context} cached positions: 2·N plus 4·L·p·d for scores and the weighted sum. */
    static double decodeFlopsPerToken(ModelConfig config, double context) {
        return 2.0 * matmulParameters(config) + 4.0 * config.numLayers() * context * qDim(config);
    }

    /** Bytes a decoding step must read at least once: every parameter (float32) and the slot's cached keys and values. */
    static double decodeBytesPerStep(ModelConfig config, double context) {
        long embeddingLookupOnly = config.tiedEmbeddings() ? 0 : (long) config.vocabSize() * config.hiddenSize();
        double parameters = org.zerotir.engine.ParameterLayout.of(config).totalSize() - embeddingLookupOnly;
        return 4.0 * (parameters + 2.0 * config.numLayers() * context * config.kvDim());
    }

    private static long qDim(ModelConfig config) {
        return (long) config.numHeads() * config.headDim();
    }

    // ---- rows -------------------------------------------------------------------------------------------------

    private static void trainingRows(List<String[]> rows, String name, ModelConfig config, int batch, int time,
                                     Timing timing, Reference reference, boolean endToEndTarget) {
        double flops = trainingFlops(config, batch, time);
        double achieved = flops / timing.medianSeconds() / 1e9, undisturbed = flops / timing.undisturbedSeconds() / 1e9;
        String target = endToEndTarget ? "≥ 35 % of sgemm" : "";
        String result = endToEndTarget ? verdict(achieved >= 0.35 * reference.sgemmGflops(),
                undisturbed >= 0.35 * reference.undisturbedSgemmGflops()) : "";
        rows.add(row(name, "B" + batch + "×T" + time, times(timing), tokensPerSecond(batch * time / timing.medianSeconds()),
                gflops(achieved), ofSgemm(achieved, reference.sgemmGflops()), cores(timing),
                ofSgemm(undisturbed, reference.undisturbedSgemmGflops()), target, result));
        rows.add(matmulRow("  its matmuls (fwd + bwd)", timing, reference));
    }

    private static String[] matmulRow(String name, Timing timing, Reference reference) {
        double achieved = timing.matmulGflops(), undisturbed = timing.undisturbedMatmulGflops();
        return row(name, "sgemm calls", ms(timing.matmulSeconds()) + " (mean)", "", gflops(achieved),
                ofSgemm(achieved, reference.sgemmGflops()),
                String.format(Locale.ROOT, "%.2f", timing.matmulCpuSeconds() / timing.matmulSeconds()),
                ofSgemm(undisturbed, reference.undisturbedSgemmGflops()), "≥ 50 % of sgemm",
                verdict(achieved >= 0.5 * reference.sgemmGflops(), undisturbed >= 0.5 * reference.undisturbedSgemmGflops()));
    }

    private static void sgemmRow(List<String[]> rows, String name, String shape, Timing timing, Reference reference) {
        double achieved = medianGflops(timing);
        rows.add(row(name, shape, times(timing), "", gflops(achieved), ofSgemm(achieved, reference.sgemmGflops()), cores(timing),
                ofSgemm(undisturbedGflops(timing), reference.undisturbedSgemmGflops()), "", ""));
    }

    private static void copyRow(List<String[]> rows, Copy copy) {
        rows.add(row("memory copy, " + copy.threads() + (copy.threads() == 1 ? " thread" : " threads"), "2 × 128 MiB float[]",
                ms(copy.medianSeconds()), gbPerSecond(copy.bytesPerSecond()), "", "", "",
                gbPerSecond(copy.undisturbedBytesPerSecond()), "", ""));
    }

    private static void decodeRows(List<String[]> rows, String name, ModelConfig config, Timing[] timings, int[] batches,
                                   Effort effort, Reference reference, boolean boundTarget) {
        for (int i = 0; i < batches.length; i++) {
            Timing timing = timings[i];
            // context attended to, averaged over the timed steps (prompt, the prefill's sample, the warm-up steps)
            double context = effort.promptLength() + 1 + effort.decodeWarmup() + (timing.runs() + 1) / 2.0;
            double step = timing.medianSeconds(), flops = decodeFlopsPerToken(config, context) * batches[i];
            String versus = ofSgemm(flops / step / 1e9, reference.sgemmGflops());
            String undisturbed = ofSgemm(flops / timing.undisturbedSeconds() / 1e9, reference.undisturbedSgemmGflops());
            String target = "", result = "";
            if (batches[i] == 1) {
                double bytes = decodeBytesPerStep(config, context);
                double bound = bytes / reference.copyBytesPerSecond();
                double undisturbedBound = bytes / reference.undisturbedCopyBytesPerSecond();
                versus = String.format(Locale.ROOT, "%.2f× bound (%s)", step / bound, ms(bound));
                undisturbed = String.format(Locale.ROOT, "%.2f× bound (%s)", timing.undisturbedSeconds() / undisturbedBound,
                        ms(undisturbedBound));
                if (boundTarget) {
                    target = "≤ 1.5× bound";
                    result = verdict(step <= 1.5 * bound, timing.undisturbedSeconds() <= 1.5 * undisturbedBound);
                }
            }
            rows.add(row("decode, " + name + ", batch " + batches[i], String.format(Locale.ROOT, "context ≈ %.0f", context),
                    times(timing), tokensPerSecond(batches[i] / step), gflops(flops / step / 1e9), versus, cores(timing),
                    undisturbed, target, result));
        }
    }

    /** The target's verdict on the wall-clock figures, and the undisturbed one where it differs. */
    private static String verdict(boolean wallClock, boolean undisturbed) {
        String result = wallClock ? "PASS" : "MISS";
        return wallClock == undisturbed ? result : result + " (" + (undisturbed ? "PASS" : "MISS") + " if undisturbed)";
    }

    private static void footnotes(Effort effort, int threads, Reference reference, String loadBefore, long wallStart) {
        List<String> lines = List.of(
                "- GFLOP/s are model FLOPs per second. Training: 6·N·tokens + 6·L·T²·d per sequence (causal attention,"
                        + " forward 2 + backward 4); forward: 2·N·tokens + 2·L·T²·d; decoding: 2·N + 4·L·p·d per token at"
                        + " context p. N = weights in matrix products (tied embedding counted once, as the output projection):"
                        + String.format(Locale.ROOT, " tiny %.2fM, GPT-2-small %.1fM, Qwen2.5-0.5B %.1fM; d = hidden size.",
                        matmulParameters(TINY) / 1e6, matmulParameters(GPT2_SMALL) / 1e6, matmulParameters(QWEN_05B) / 1e6),
                "- \"its matmuls\": the FLOPs of the step's sgemm calls over the (mean) time spent inside them.",
                "- Times are medians with the best run in brackets. \"cores busy\": the process's CPU time (all threads)"
                        + " over wall time during the timed runs; below the thread count, other processes had the cores (or"
                        + " the work was serial). \"if undisturbed\": the same ratio with every mean time scaled by"
                        + " cores busy / threads, as if the process had had its cores to itself (flatters serial work).",
                String.format(Locale.ROOT, "- sgemm reference %.1f GFLOP/s (%.1f if undisturbed): the best of the square"
                        + " measurements taken between the workloads (the engine's Blas, OpenBLAS with %d thread(s)).", reference.sgemmGflops(),
                        reference.undisturbedSgemmGflops(), threads),
                String.format(Locale.ROOT, "- Bandwidth bound of a batch-1 decoding step: every float32 parameter plus the"
                        + " slot's KV cache read once / the better copy bandwidth (%.1f GB/s, %.1f if undisturbed; bytes read"
                        + " + written, as in STREAM).", reference.copyBytesPerSecond() / 1e9,
                        reference.undisturbedCopyBytesPerSecond() / 1e9),
                String.format(Locale.ROOT, "- Medians over %d tiny / %d GPT-2-small training steps, %d forward passes, %d tiny"
                                + " / %d Qwen2.5-0.5B decoding steps, after warm-up; random weights; greedy sampling included in decoding.",
                        effort.tinySteps(), effort.gpt2Steps(), effort.forwardRuns(), effort.tinyDecodeSteps(), effort.qwenDecodeSteps()),
                String.format(Locale.ROOT, "- Machine: %d thread(s), Java %s; 1-minute load %s before, %s after; the run took %.0f s."
                                + " Other processes on a shared machine make every figure noisy.",
                        threads, Runtime.version(), loadBefore, loadAverage(), (System.nanoTime() - wallStart) / 1e9));
        lines.forEach(System.out::println);
        System.out.println();
    }

    private static String[] phaseHeader() {
        List<String> header = new ArrayList<>(List.of("workload", "mean run"));
        for (TimingBackend.Phase phase : TimingBackend.Phase.values()) header.add(phase.label);
        header.add("outside");
        return header.toArray(String[]::new);
    }

    private static String[] phaseRow(Breakdown b) {
        Timing t = b.timing();
        List<String> cells = new ArrayList<>(List.of(b.workload(), ms(t.meanSeconds())));
        for (double seconds : t.phaseSeconds()) cells.add(percent(seconds / t.meanSeconds()));
        cells.add(percent(Math.max(0, t.outsideSeconds()) / t.meanSeconds()));
        return cells.toArray(String[]::new);
    }

    private static String[] row(String... cells) {
        return cells;
    }

    // ---- formatting and small helpers -------------------------------------------------------------------------

    private static String ms(double seconds) {
        double ms = seconds * 1e3;
        return String.format(Locale.ROOT, ms < 10 ? "%.2f ms" : ms < 100 ? "%.1f ms" : "%.0f ms", ms);
    }

    /** An sgemm measurement's rate at its median time. */
    private static double medianGflops(Timing sgemm) {
        return sgemm.matmulFlops() / sgemm.medianSeconds() / 1e9;
    }

    private static double undisturbedGflops(Timing sgemm) {
        return sgemm.matmulFlops() / sgemm.undisturbedSeconds() / 1e9;
    }

    private static String gib(double bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / GIB);
    }

    private static String gbPerSecond(double bytesPerSecond) {
        return String.format(Locale.ROOT, "%.1f GB/s", bytesPerSecond / 1e9);
    }

    private static String times(Timing timing) {
        return ms(timing.medianSeconds()) + " (" + ms(timing.bestSeconds()) + ")";
    }

    private static String cores(Timing timing) {
        return String.format(Locale.ROOT, "%.2f", timing.cores());
    }

    private static String gflops(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    private static String ofSgemm(double gflops, double reference) {
        return String.format(Locale.ROOT, "%.0f %% of sgemm", 100 * gflops / reference);
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.0f %%", 100 * share);
    }

    private static String tokensPerSecond(double value) {
        return String.format(Locale.ROOT, value < 100 ? "%.1f tok/s" : "%.0f tok/s", value);
    }


    private static Tensor randomTensor(Backend backend, long size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] host = new float[Math.toIntExact(size)];
        for (int i = 0; i < host.length; i++) host[i] = (float) (random.nextDouble() - 0.5);
        Tensor tensor = backend.allocate(size);
        backend.copyFromHost(host, tensor);
        return tensor;
    }

    private static void progress(String what) {
        System.err.println("bench/engine: " + what + " ...");
    }
}
