package org.zerotir.engine.pretrain;

import org.junit.jupiter.api.Test;
import org.zerotir.engine.ModelConfig;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.cpu.CpuBackend;
import org.zerotir.engine.generate.Generator;
import org.zerotir.engine.generate.SamplingParams;
import org.zerotir.engine.generate.StopReason;
import org.zerotir.engine.generate.StopRules;
import org.zerotir.engine.optim.AdamW;
import org.zerotir.engine.optim.LearningRateSchedule;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PretrainerTest {
    private static final int EOS = 0;

    @Test
    void learnsDocumentsFromTheirStartAndToStop() {
        // "aXb" documents: after 'a' and a digit, the digit repeats once and the document ends
        List<int[]> documents = new ArrayList<>();
        for (int d = 0; d < 10; d++) documents.add(new int[] {11, 1 + d, 1 + d, 12});
        ModelConfig config = new ModelConfig(13, 32, 64, 2, 4, 2, 16, 10000, 1e-6, false, true);
        try (CpuBackend backend = new CpuBackend(2); Transformer model = new Transformer(backend, config)) {
            model.initializeRandom(3);
            AdamW optimizer = new AdamW(model, new AdamW.Settings(0.9, 0.95, 1e-8, 0, 1));
            List<Double> losses = new ArrayList<>();
            double tail = new Pretrainer(model, optimizer, EOS).train(documents,
                    new Pretrainer.Settings(16, 8, 150, new LearningRateSchedule.Constant(3e-3, 10), 5),
                    (step, loss, report) -> losses.add(loss));
            assertEquals(150, losses.size());
            // the digit after 'a' is a uniform guess (ln 10 over 4 scored positions); everything else is learnable
            assertTrue(tail < Math.log(10) / 4 + 0.1, "final loss " + tail + ", first " + losses.getFirst());
            Generator generator = new Generator(model, 1, 16);
            generator.start(0, new int[] {11, 7}, SamplingParams.greedy(), StopRules.of(5, EOS));
            while (generator.hasRunning()) generator.step();
            int[] out = generator.tokens(0);
            assertEquals(StopReason.STOP_TOKEN, generator.stopReason(0));
            assertEquals(List.of(11, 7, 7, 12, EOS), java.util.Arrays.stream(out).boxed().toList());
        }
    }

    @Test
    void stopsAfterTheStepItsProgressSaysStop() {
        List<int[]> documents = List.of(new int[] {11, 1, 1, 12}, new int[] {11, 2, 2, 12});
        ModelConfig config = new ModelConfig(13, 16, 32, 1, 2, 1, 8, 10000, 1e-6, false, true);
        try (CpuBackend backend = new CpuBackend(1); Transformer model = new Transformer(backend, config)) {
            model.initializeRandom(4);
            AdamW optimizer = new AdamW(model, new AdamW.Settings(0.9, 0.95, 1e-8, 0, 1));
            List<Double> losses = new ArrayList<>();
            double tail = new Pretrainer(model, optimizer, EOS).train(documents,
                    new Pretrainer.Settings(4, 8, 100, new LearningRateSchedule.Constant(1e-3, 0), 1),
                    (step, loss, report) -> losses.add(loss) && step < 7);
            assertEquals(7, losses.size());
            assertEquals(7, optimizer.step());
            assertEquals(losses.getLast(), tail, 1e-12, "the tail of 7 steps is its last step");
        }
    }
}
