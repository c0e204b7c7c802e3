package org.zerotir.engine.checkpoint;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.zerotir.engine.ParameterLayout;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.cpu.CpuBackend;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our Qwen2 against PyTorch: fixtures made by src/test/python/make_qwen2_fixtures.py (a port of transformers'
 * modeling_qwen2.py run in float64) hold weights in Hugging Face naming plus logits, loss, per-token log-probs,
 * entropies and the gradients of the loss and of the mean entropy. The engine loads the directory through the
 * same code path as a real Qwen2.5 checkpoint. Tolerance (fixtures README): float32 engine against the float64
 * reference, |a - e| <= 1e-4 |e| + 1e-5 max(1, max|e| of the tensor).
 */
class Qwen2PyTorchParityTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures");
    private static CpuBackend backend;

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-tiny-bias-tied", "qwen2-tiny-untied"})
    void forwardAndGradientsMatchPyTorch(String fixture) throws IOException {
        Path dir = FIXTURES.resolve(fixture);
        try (Transformer model = HuggingFaceCheckpoint.load(backend, dir);
             SafeTensors.Reader expected = SafeTensors.open(dir.resolve("expected.safetensors"))) {
            long[] shape = expected.entry("input_ids").shape();
            int batch = (int) shape[0], time = (int) shape[1], n = batch * time;
            int[] tokens = Arrays.stream(expected.readLongs("input_ids")).mapToInt(Math::toIntExact).toArray();
            int[] targets = Arrays.stream(expected.readLongs("targets")).mapToInt(Math::toIntExact).toArray();

            model.forward(tokens, targets, batch, time);
            assertClose("logits", expected.readFloats("logits"), model.logits());
            float[] logProbs = model.logProbs();
            assertClose("token_logprobs", expected.readFloats("token_logprobs"), logProbs);
            assertClose("token_entropies", expected.readFloats("token_entropies"), model.entropies());
            double loss = 0;
            for (float lp : logProbs) loss -= lp;
            assertClose("loss", expected.readFloats("loss"), new float[] {(float) (loss / n)});

            ParameterLayout layout = model.layout();
            float[] dLoss = new float[n];
            Arrays.fill(dLoss, -1f / n);
            model.zeroGradients();
            model.backward(dLoss, null);
            int checked = 0;
            for (ParameterLayout.Entry entry : layout.entries()) {
                assertClose("grad." + entry.name(), expected.readFloats("grad." + entry.name()),
                        backend.toHost(layout.view(model.gradients(), entry.name())));
                checked++;
            }
            assertEquals(layout.entries().size(), checked);

            model.forward(tokens, targets, batch, time);
            float[] dEntropy = new float[n];
            Arrays.fill(dEntropy, 1f / n);
            model.zeroGradients();
            model.backward(new float[n], dEntropy);
            for (String name : expected.entries().keySet()) {
                if (!name.startsWith("grad_entropy.")) continue;
                String parameter = name.substring("grad_entropy.".length());
                assertClose(name, expected.readFloats(name), backend.toHost(layout.view(model.gradients(), parameter)));
            }
        }
    }

    private static void assertClose(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + " size");
        double scale = 1;
        for (float e : expected) scale = Math.max(scale, Math.abs(e));
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double allowed = 1e-4 * Math.abs(expected[i]) + 1e-5 * scale;
            double ratio = Math.abs(actual[i] - expected[i]) / allowed;
            assertTrue(ratio <= 1, what + "[" + i + "]: engine " + actual[i] + " vs PyTorch " + expected[i]);
            worst = Math.max(worst, ratio);
        }
        assertTrue(worst <= 1);
    }
}
