package org.zerotir.rl;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zerotir.data.Problem;
import org.zerotir.engine.ModelConfig;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.checkpoint.HuggingFaceCheckpoint;
import org.zerotir.engine.cpu.CpuBackend;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The run loop: checkpoints, held-out evaluations, and a stopped run resumed to the same weights as an unstopped one. */
class TrainingLoopTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static CpuBackend backend;

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    private static Path baseModel(Path directory, ModelConfig config) throws Exception {
        try (Transformer model = new Transformer(backend, config)) {
            model.initializeRandom(5);
            HuggingFaceCheckpoint.save(model, directory);
        }
        return directory;
    }

    private static RunConfig config(Path model, String algorithm) throws Exception {
        return JSON.readValue("""
                {"model": {"path": "%s"}, "steps": 4, "checkpointEvery": 2, "seed": 3,
                 "algorithm": {"name": "%s", "learningRate": 0.01, "epochs": 2, "miniBatches": 2, "microBatch": 16},
                 "rollout": {"promptsPerStep": 4, "samplesPerPrompt": 4, "maxResponseTokens": 2, "slots": 16},
                 "tool": {"enabled": false}}
                """.formatted(model, algorithm), RunConfig.class);
    }

    private static TrainingLoop.Environment environment() {
        return new TrainingLoop.Environment(backend, DigitTask.CODEC, Set.of(DigitTask.EOS),
                List.of(), Problem::problem, DigitTask.FIRST_DIGIT, DigitTask.NO_SANDBOX);
    }

    /** Remembers what the loop reported. */
    private static final class Recorder implements TrainingLoop.Listener {
        final List<Integer> steps = new ArrayList<>(), checkpoints = new ArrayList<>(), evaluations = new ArrayList<>();
        final List<Map<String, Double>> evaluationMetrics = new ArrayList<>();

        @Override
        public void step(RlTrainer.StepResult result) {
            steps.add(result.step());
        }

        @Override
        public void evaluated(int step, Map<String, Double> metrics) {
            evaluations.add(step);
            evaluationMetrics.add(metrics);
        }

        @Override
        public void checkpointed(int step, Path directory) {
            checkpoints.add(step);
        }
    }

    private static float[] finalWeights(Path run) throws Exception {
        try (Transformer model = HuggingFaceCheckpoint.load(backend, run.resolve("checkpoints/step-4"))) {
            return backend.toHost(model.parameters());
        }
    }

    @Test
    void aStoppedRunResumesFromItsCheckpointToTheSameWeights(@TempDir Path tmp) throws Exception {
        ModelConfig modelConfig = new ModelConfig(12, 32, 64, 2, 4, 2, 16, 10000, 1e-6, false, true);
        Path model = baseModel(tmp.resolve("base"), modelConfig);
        for (String algorithm : List.of("grpo", "ppo")) {
            RunConfig config = config(model, algorithm);
            List<Problem> train = DigitTask.problems(), heldOut = train.subList(0, 3);

            Path whole = tmp.resolve(algorithm + "-whole");
            Recorder uninterrupted = new Recorder();
            assertEquals(4, new TrainingLoop(config, environment(), whole).run(train, heldOut, uninterrupted, () -> false));
            assertEquals(List.of(0, 1, 2, 3), uninterrupted.steps);
            assertEquals(List.of(2, 4), uninterrupted.checkpoints);
            assertEquals(List.of(0, 2, 4), uninterrupted.evaluations);
            assertTrue(uninterrupted.evaluationMetrics.getFirst().containsKey("eval/heldout/avg@1"));

            Path split = tmp.resolve(algorithm + "-split");
            Recorder first = new Recorder();
            int[] done = {0};
            // stopped after step 3 of 4: the checkpoint holds step 2, so step 3 is recomputed on resume
            int reached = new TrainingLoop(config, environment(), split).run(train, heldOut, new TrainingLoop.Listener() {
                @Override
                public void step(RlTrainer.StepResult result) {
                    first.step(result);
                    done[0]++;
                }

                @Override
                public void checkpointed(int step, Path directory) {
                    first.checkpointed(step, directory);
                }
            }, () -> done[0] == 3);
            assertEquals(3, reached);
            assertEquals(List.of(2), first.checkpoints);
            Recorder second = new Recorder();
            TrainingLoop resumed = new TrainingLoop(config, environment(), split);
            assertEquals(split.resolve("checkpoints/step-2"), resumed.latestCheckpoint());
            assertEquals(4, resumed.run(train, heldOut, second, () -> false));
            assertEquals(List.of(2, 3), second.steps);
            assertArrayEquals(finalWeights(whole), finalWeights(split), algorithm + ": resumed weights differ from the unstopped run's");
            if (algorithm.equals("ppo")) assertTrue(Files.isDirectory(split.resolve("checkpoints/step-4/critic")), "PPO checkpoints its critic");
        }
    }
}
