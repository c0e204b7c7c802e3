package org.zerotir.engine.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zerotir.engine.ModelConfig;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.cpu.CpuBackend;
import org.zerotir.engine.optim.AdamW;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Stopping, saving, loading and continuing gives the very same weights as never stopping. */
class TrainingCheckpointTest {
    private static CpuBackend backend;
    private static final ModelConfig CONFIG = new ModelConfig(17, 16, 24, 2, 4, 2, 32, 10000, 1e-6, true, false);

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    private static void train(Transformer model, AdamW optimizer, int fromStep, int toStep) {
        int batch = 2, time = 8, n = batch * time;
        float[] dLoss = new float[n];
        Arrays.fill(dLoss, -1f / n);
        for (int step = fromStep; step < toStep; step++) {
            SplittableRandom random = new SplittableRandom(step); // the batch depends only on the step
            int[] tokens = random.ints(n, 0, CONFIG.vocabSize()).toArray();
            int[] targets = random.ints(n, 0, CONFIG.vocabSize()).toArray();
            model.zeroGradients();
            model.forward(tokens, targets, batch, time);
            model.backward(dLoss, null);
            optimizer.step(1e-2);
        }
    }

    @Test
    void resumeIsBitExact(@TempDir Path dir) throws IOException {
        AdamW.Settings settings = new AdamW.Settings(0.9, 0.95, 1e-8, 0.1, 0.5);
        Transformer straight = new Transformer(backend, CONFIG);
        straight.initializeRandom(5);
        AdamW straightOptimizer = new AdamW(straight, settings);
        train(straight, straightOptimizer, 0, 6);

        Transformer interrupted = new Transformer(backend, CONFIG);
        interrupted.initializeRandom(5);
        AdamW interruptedOptimizer = new AdamW(interrupted, settings);
        train(interrupted, interruptedOptimizer, 0, 3);
        Path checkpoint = dir.resolve("step-3");
        TrainingCheckpoint.save(checkpoint, interrupted, interruptedOptimizer, new ObjectMapper().createObjectNode().put("cursor", 3));

        TrainingCheckpoint.Restored restored = TrainingCheckpoint.load(backend, checkpoint);
        assertEquals(3, restored.optimizer().step());
        assertEquals(3, restored.trainerState().path("cursor").asInt());
        assertEquals(settings, restored.optimizer().settings());
        train(restored.model(), restored.optimizer(), 3, 6);
        assertArrayEquals(backend.toHost(straight.parameters()), backend.toHost(restored.model().parameters()));
    }
}
