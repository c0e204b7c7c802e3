package org.zerotir.serve.bench;

import org.zerotir.bench.BenchTable;
import org.zerotir.engine.ModelConfig;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.cpu.CpuBackend;
import org.zerotir.engine.generate.SamplingParams;
import org.zerotir.rollout.CodeRunner;
import org.zerotir.serve.InferenceEngine;
import org.zerotir.tokenizer.Tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The serving engine under 1, 8 and 32 concurrent clients (issue 8): generated tokens per second over all
 * clients, and time to first token, on the CPU backend for the mini model's shape and Qwen2.5-0.5B's shape.
 * Each client is a closed loop: it submits a sequence, waits for its last token, submits the next. Every
 * sequence runs to its token limit (no stop token), so all clients do the same work. Random weights (speed
 * does not depend on their values); the Qwen2.5 tokenizer only decodes what is sampled. HTTP is not measured:
 * this is the engine's continuous batching, which is what concurrency changes.
 * Usage: {@code bench/serve [--quick] [--threads N]}.
 */
public final class ServeBench {
    private static final String USAGE = "bench/serve [--quick] [--threads N]";
    /** The mini ZeroTIR model of `zerotir pretrain` (its default shape). */
    static final ModelConfig MINI = new ModelConfig(384, 128, 384, 4, 4, 2, 512, 10000, 1e-6, false, true);
    /** Qwen2.5-0.5B's config.json. */
    static final ModelConfig QWEN_05B = org.zerotir.engine.ReferenceShapes.QWEN_05B;

    private record Load(String model, ModelConfig config, int promptTokens, int newTokens, int rounds) {}

    private record Result(double tokensPerSecond, double medianTtftMillis, double p90TtftMillis, double seconds, long tokens) {}

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        int threads = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--quick")) quick = true;
            else if (args[i].equals("--threads") && i + 1 < args.length) threads = Integer.parseInt(args[++i]);
            else throw new IllegalArgumentException("unknown argument " + args[i] + "; usage: " + USAGE);
        }
        String command = ("bench/serve " + String.join(" ", args)).trim();
        Tokenizer tokenizer = Tokenizer.load(org.zerotir.SharedData.DIR.resolve("qwen2.5-tokenizer"));
        List<Load> loads = List.of(
                new Load("mini (128 hidden, 4 layers)", MINI, 32, quick ? 32 : 128, quick ? 1 : 2),
                new Load("Qwen2.5-0.5B shape", QWEN_05B, 8, quick ? 12 : 32, 1));
        BenchTable table = new BenchTable("Serving: continuous batching on the CPU backend (" + threads + " threads)",
                "model", "clients", "tokens/s", "x single client", "TTFT median ms", "TTFT p90 ms", "tokens", "seconds");
        for (Load load : loads) {
            double single = 0;
            for (int clients : new int[] {1, 8, 32}) {
                Result r = run(load, clients, threads, tokenizer);
                if (clients == 1) single = r.tokensPerSecond();
                table.row(load.model(), clients, r.tokensPerSecond(), r.tokensPerSecond() / single, r.medianTtftMillis(), r.p90TtftMillis(),
                        r.tokens(), r.seconds());
                System.err.printf(Locale.ROOT, "serve bench: %s, %d clients: %.1f tokens/s%n", load.model(), clients, r.tokensPerSecond());
            }
        }
        table.print(command);
    }

    private static Result run(Load load, int clients, int threads, Tokenizer tokenizer) throws Exception {
        CpuBackend backend = new CpuBackend(threads);
        Transformer model = new Transformer(backend, load.config());
        model.initializeRandom(1);
        CodeRunner noTool = (code, session) -> { throw new IllegalStateException("no tool in the benchmark"); };
        int context = load.promptTokens() + load.newTokens() + 8;
        try (InferenceEngine engine = new InferenceEngine("bench", model, tokenizer, Set.of(), noTool, 32, context, 256, backend)) {
            // warm-up: one batch at the concurrency measured (JIT, thread pools, first allocation)
            clientsRun(engine, load, clients, 1, Math.min(load.newTokens(), 4), new ArrayList<>());
            List<Double> ttfts = Collections.synchronizedList(new ArrayList<>());
            long before = engine.generatedTokens();
            long started = System.nanoTime();
            clientsRun(engine, load, clients, load.rounds(), load.newTokens(), ttfts);
            double seconds = (System.nanoTime() - started) / 1e9;
            long tokens = engine.generatedTokens() - before;
            List<Double> sorted = new ArrayList<>(ttfts);
            Collections.sort(sorted);
            return new Result(tokens / seconds, sorted.get(sorted.size() / 2), sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * 0.9) - 1)),
                    seconds, tokens);
        }
    }

    /** Each client submits `rounds` sequences one after another; all clients at once. */
    private static void clientsRun(InferenceEngine engine, Load load, int clients, int rounds, int newTokens, List<Double> ttfts)
            throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            threads.add(Thread.ofPlatform().start(() -> {
                SplittableRandom random = new SplittableRandom(client);
                for (int round = 0; round < rounds; round++) {
                    int[] prompt = new int[load.promptTokens()];
                    for (int i = 0; i < prompt.length; i++) prompt[i] = random.nextInt(Math.min(load.config().vocabSize(), 20_000));
                    CountDownLatch done = new CountDownLatch(1);
                    long submitted = System.nanoTime();
                    boolean[] first = {true};
                    engine.submit(new InferenceEngine.Sequence(prompt, null, new SamplingParams(1.0, 1.0, 0, client * 1000L + round), newTokens,
                            List.of(), List.of(), false, 0), new InferenceEngine.Listener() {
                        @Override public void text(String delta) { }
                        @Override public void executed(CodeRunner.Execution execution) { }
                        @Override public void finished(String reason, int tokens, int toolOutputTokens) { done.countDown(); }
                        @Override public void failed(String message) { System.err.println("failed: " + message); done.countDown(); }

                        @Override
                        public void firstToken() {
                            if (first[0]) {
                                first[0] = false;
                                ttfts.add((System.nanoTime() - submitted) / 1e6);
                            }
                        }
                    });
                    try {
                        if (!done.await(30, TimeUnit.MINUTES)) throw new IllegalStateException("a sequence did not finish");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }));
        }
        for (Thread t : threads) t.join();
    }
}
