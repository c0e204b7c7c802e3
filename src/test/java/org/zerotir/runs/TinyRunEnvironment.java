package org.zerotir.runs;

import org.zerotir.rl.DigitTask;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.zerotir.data.Problem;
import org.zerotir.engine.ModelConfig;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.checkpoint.HuggingFaceCheckpoint;
import org.zerotir.engine.cpu.CpuBackend;
import org.zerotir.rl.RunConfig;
import org.zerotir.rl.RunEnvironment;
import org.zerotir.rl.TrainingLoop;
import org.zerotir.rollout.PromptFormat;
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

    public static volatile int stepDelayMillis = 0;
    /**
     * When positive, a run waits at the start of the pauseAtStep-th training step of its execution (step
     * pauseAtStep of a fresh run), until this is set back to 0; that step then completes as usual.
     */
    static volatile int pauseAtStep = 0;
    private static Path model;

    private final CpuBackend backend = new CpuBackend(1);


    /** The base model directory, made once per JVM. */
    public static synchronized Path model() {
        if (model == null) {
            try (CpuBackend backend = new CpuBackend(1);
                 Transformer policy = new Transformer(backend, new ModelConfig(DigitTask.EOS + 1, 32, 64, 2, 4, 2, 16, 10000, 1e-6, false, true))) {
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
    public RunEnvironment open(RunConfig config) throws IOException {
        List<Problem> train = DigitTask.problems();
        // held-out problems under their own ids, so that the prompt function can tell evaluations from steps
        List<Problem> heldOut = train.subList(0, config.data().heldOut()).stream()
                .map(p -> new Problem("heldout-" + p.id(), p.problem(), p.answer())).toList();
        int promptsPerStep = config.rollout().promptsPerStep();
        java.util.concurrent.atomic.AtomicInteger trainingPrompts = new java.util.concurrent.atomic.AtomicInteger();
        // a model with its own tokenizer (a scratch model) reads the digit task through it; the tiny model has none
        Path modelDirectory = Path.of(config.model().path());
        TextCodec codec = DigitTask.CODEC;
        Set<Integer> stopTokens = Set.of(DigitTask.EOS);
        if (Files.isRegularFile(modelDirectory.resolve("tokenizer.json"))) {
            PromptFormat format = PromptFormat.open(modelDirectory, config.template());
            codec = format.codec();
            stopTokens = format.stopTokens();
        }
        return new RunEnvironment(new TrainingLoop.Environment(backend, codec, stopTokens, List.of(), problem -> {
            if (!problem.id().startsWith("heldout-")) {
                int step = trainingPrompts.getAndIncrement() / promptsPerStep + 1;
                while (pauseAtStep > 0 && step >= pauseAtStep) sleep(5);
                int delay = stepDelayMillis;
                if (delay > 0) sleep(delay / promptsPerStep);
            }
            return problem.problem();
        }, DigitTask.FIRST_DIGIT, DigitTask.NO_SANDBOX), train, heldOut, null);
    }

    private static void sleep(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
