package org.zerotir.runs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.zerotir.data.Problem;
import org.zerotir.engine.ModelConfig;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.checkpoint.HuggingFaceCheckpoint;
import org.zerotir.engine.cpu.CpuBackend;
import org.zerotir.rl.RunConfig;
import org.zerotir.rl.RunEnvironment;
import org.zerotir.rl.Scorer;
import org.zerotir.rl.TrainingLoop;
import org.zerotir.rollout.CodeRunner;
import org.zerotir.rollout.TextCodec;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;

/**
 * A real run environment small enough for tests (as in RlTrainerTest): a tiny random model learns "d?" -> the
 * next digit with a character codec and no sandbox. Steps really train; {@link #stepDelayMillis} only slows
 * them so that a test can stop a run in the middle.
 */
@Alternative
@Priority(1)
@Singleton
public class TinyRunEnvironment implements RunEnvironment.Factory {

    static final String SYMBOLS = "0123456789?";
    static final int EOS = SYMBOLS.length();
    public static volatile int stepDelayMillis = 0;
    /**
     * When positive, a run waits at the start of the pauseAtStep-th training step of its execution (step
     * pauseAtStep of a fresh run), until this is set back to 0; that step then completes as usual.
     */
    static volatile int pauseAtStep = 0;
    private static Path model;

    private final CpuBackend backend = new CpuBackend(1);

    static final TextCodec CODEC = new TextCodec() {
        @Override
        public int[] encode(String text) {
            return text.chars().map(c -> {
                int id = SYMBOLS.indexOf(c);
                if (id < 0) throw new IllegalArgumentException("no id for '" + (char) c + "'");
                return id;
            }).toArray();
        }

        @Override
        public String decode(int[] ids, int from, int to) {
            StringBuilder text = new StringBuilder();
            for (int i = from; i < to; i++) if (ids[i] != EOS) text.append(SYMBOLS.charAt(ids[i]));
            return text.toString();
        }
    };

    static final Scorer FIRST_DIGIT = (problem, trajectory) -> {
        String text = trajectory.responseText();
        String answer = text.isEmpty() ? null : text.substring(0, 1);
        boolean correct = problem.answer().equals(answer);
        return new Scorer.Score(correct ? 1 : 0, correct, answer);
    };

    static final CodeRunner NO_SANDBOX = (code, session) -> CompletableFuture.failedFuture(new AssertionError("no code expected"));

    static List<Problem> problems() {
        List<Problem> problems = new ArrayList<>();
        for (int d = 0; d < 10; d++) problems.add(new Problem("p" + d, d + "?", String.valueOf((d + 1) % 10)));
        return problems;
    }

    /** The base model directory, made once per JVM. */
    public static synchronized Path model() {
        if (model == null) {
            try (CpuBackend backend = new CpuBackend(1);
                 Transformer policy = new Transformer(backend, new ModelConfig(EOS + 1, 32, 64, 2, 4, 2, 16, 10000, 1e-6, false, true))) {
                policy.initializeRandom(5);
                Path directory = Files.createTempDirectory("zerotir-tiny-model");
                HuggingFaceCheckpoint.save(policy, directory);
                model = directory;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return model;
    }

    /** A run configuration for the tiny model: {@code steps} steps, a checkpoint every {@code checkpointEvery}. */
    public static String config(String name, int steps, int checkpointEvery) {
        return """
                {"name": "%s", "model": {"path": "%s"}, "steps": %d, "checkpointEvery": %d, "seed": 3, "rolloutsKeptPerStep": 3,
                 "data": {"heldOut": 3},
                 "algorithm": {"name": "grpo", "learningRate": 0.01, "microBatch": 16},
                 "rollout": {"promptsPerStep": 4, "samplesPerPrompt": 4, "maxResponseTokens": 2, "slots": 16},
                 "tool": {"enabled": false}}
                """.formatted(name, model(), steps, checkpointEvery);
    }

    @Override
    public RunEnvironment open(RunConfig config) {
        List<Problem> train = problems();
        // held-out problems under their own ids, so that the prompt function can tell evaluations from steps
        List<Problem> heldOut = train.subList(0, config.data().heldOut()).stream()
                .map(p -> new Problem("heldout-" + p.id(), p.problem(), p.answer())).toList();
        int promptsPerStep = config.rollout().promptsPerStep();
        java.util.concurrent.atomic.AtomicInteger trainingPrompts = new java.util.concurrent.atomic.AtomicInteger();
        return new RunEnvironment(new TrainingLoop.Environment(backend, CODEC, Set.of(EOS), List.of(), problem -> {
            if (!problem.id().startsWith("heldout-")) {
                int step = trainingPrompts.getAndIncrement() / promptsPerStep + 1;
                while (pauseAtStep > 0 && step >= pauseAtStep) sleep(5);
                int delay = stepDelayMillis;
                if (delay > 0) sleep(delay / promptsPerStep);
            }
            return problem.problem();
        }, FIRST_DIGIT, NO_SANDBOX), train, heldOut, null);
    }

    private static void sleep(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
