package org.zerotir.engine.optim;

import org.junit.jupiter.api.Test;
import org.zerotir.engine.ModelConfig;
import org.zerotir.engine.ParameterLayout;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.cpu.CpuBackend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdamWTest {

    @Test
    void clipsToTheGlobalNormAndDecaysOnlyMatrices() {
        ModelConfig config = new ModelConfig(11, 8, 12, 1, 2, 1, 16, 10000, 1e-6, true, true);
        try (CpuBackend backend = new CpuBackend(1); Transformer model = new Transformer(backend, config)) {
            model.initializeRandom(1);
            float[] before = backend.toHost(model.parameters());
            float[] gradients = new float[before.length];
            for (int i = 0; i < gradients.length; i++) gradients[i] = (i % 7 - 3) * 0.5f;
            double norm = 0;
            for (float g : gradients) norm += g * g;
            norm = Math.sqrt(norm);
            backend.copyFromHost(gradients, model.gradients());
            AdamW optimizer = new AdamW(model, new AdamW.Settings(0.9, 0.999, 1e-8, 0.5, 1.0));
            AdamW.StepReport report = optimizer.step(0.01);
            assertEquals(norm, report.gradNorm(), 1e-4 * norm);
            assertTrue(report.clipped());
            float[] clipped = backend.toHost(model.gradients());
            assertEquals(gradients[1] / norm, clipped[1], 1e-6);
            // First Adam step moves each weight by lr * sign(g) (m_hat / sqrt(v_hat) = g/|g|), plus decay on matrices.
            float[] after = backend.toHost(model.parameters());
            ParameterLayout layout = model.layout();
            ParameterLayout.Entry norm1 = layout.get("model.layers.0.input_layernorm.weight");
            ParameterLayout.Entry q = layout.get("model.layers.0.self_attn.q_proj.weight");
            for (ParameterLayout.Entry e : new ParameterLayout.Entry[] {norm1, q}) {
                int i = (int) e.offset() + 1;
                double decay = e == q ? 1 - 0.01 * 0.5 : 1;
                double expected = before[i] * decay - 0.01 * Math.signum(gradients[i]);
                assertEquals(expected, after[i], 1e-6, e.name());
            }
            assertThrows(IllegalArgumentException.class, () -> new AdamW.Settings(1.0, 0.999, 1e-8, 0, 1));
        }
    }

    @Test
    void refusesANonFiniteGradient() {
        ModelConfig config = new ModelConfig(11, 8, 12, 1, 2, 1, 16, 10000, 1e-6, false, true);
        try (CpuBackend backend = new CpuBackend(1); Transformer model = new Transformer(backend, config)) {
            float[] gradients = new float[(int) model.layout().totalSize()];
            gradients[3] = Float.NaN;
            backend.copyFromHost(gradients, model.gradients());
            float[] before = backend.toHost(model.parameters());
            AdamW optimizer = new AdamW(model, AdamW.Settings.defaults());
            assertThrows(ArithmeticException.class, () -> optimizer.step(0.1));
            assertArrayEquals(before, backend.toHost(model.parameters()));
            assertEquals(0, optimizer.step());
        }
    }

    @Test
    void schedulesWarmUpThenHoldOrDecay() {
        LearningRateSchedule constant = new LearningRateSchedule.Constant(1e-3, 10);
        assertEquals(1e-4, constant.at(1), 1e-12);
        assertEquals(1e-3, constant.at(10), 1e-12);
        assertEquals(1e-3, constant.at(1000), 1e-12);
        LearningRateSchedule cosine = new LearningRateSchedule.WarmupCosine(1e-3, 1e-4, 10, 110);
        assertEquals(5e-4, cosine.at(5), 1e-12);
        assertEquals(1e-3, cosine.at(10), 1e-12);
        assertEquals(1e-4 + 0.5 * 9e-4, cosine.at(60), 1e-12);
        assertEquals(1e-4, cosine.at(110), 1e-12);
        assertEquals(1e-4, cosine.at(500), 1e-12);
        assertFalse(cosine.at(30) < cosine.at(40));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule.WarmupCosine(1e-3, 0, 10, 10));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule.Constant(-1, 0));
    }
}
