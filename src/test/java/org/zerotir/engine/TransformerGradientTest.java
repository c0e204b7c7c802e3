package org.zerotir.engine;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.zerotir.engine.cpu.CpuBackend;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.zerotir.engine.NumericChecks.assertClose;
import static org.zerotir.engine.NumericChecks.assertGradient;
import static org.zerotir.engine.NumericChecks.gaussian;
import static org.zerotir.engine.NumericChecks.sample;
import static org.zerotir.engine.ReferenceOps.widen;

/**
 * The whole model on tiny Qwen2 shapes with grouped-query attention: the training forward's log-probabilities,
 * entropies and logits against {@link ReferenceQwen2}, and the gradient of
 * L = sum_i a_i logp_i + e_i H_i with respect to every parameter against central differences of the reference.
 */
class TransformerGradientTest {
    private static final double FORWARD_ABSOLUTE = 1e-5, FORWARD_RELATIVE = 1e-5;
    private static final double GRADIENT_ABSOLUTE = 1e-4, GRADIENT_RELATIVE = 1e-3;
    private static final int BATCH = 2, TIME = 5;

    private static CpuBackend backend;

    @BeforeAll
    static void startBackend() {
        backend = new CpuBackend(3);
    }

    @AfterAll
    static void closeBackend() {
        backend.close();
    }

    static ModelConfig tinyConfig(boolean qkvBias, boolean tiedEmbeddings) {
        return new ModelConfig(19, 16, 24, 2, 4, 2, 16, 10000.0, 1e-6, qkvBias, tiedEmbeddings);
    }

    /**
     * GPT-2 initialisation, then perturbed: at std 0.02, unit norms and zero biases the logits are nearly
     * uniform and many gradients vanish or cancel, which would let a wrong gradient pass. Returns what was set.
     */
    static float[] setRandomParameters(Transformer model, long seed) {
        model.initializeRandom(seed);
        float[] host = model.backend().toHost(model.parameters());
        SplittableRandom random = new SplittableRandom(seed + 1);
        for (ParameterLayout.Entry entry : model.layout().entries()) {
            boolean norm = entry.name().endsWith("norm.weight"), bias = entry.name().endsWith(".bias");
            // Matrices of std ~0.3 keep activations of order one through hidden size 16.
            double scale = norm ? 0.3 : bias ? 0.5 : 0.3;
            for (long i = entry.offset(); i < entry.offset() + entry.size(); i++) {
                host[(int) i] += (float) (random.nextGaussian() * scale);
            }
        }
        model.backend().copyFromHost(host, model.parameters());
        return host;
    }

    @ParameterizedTest(name = "qkvBias={0} tied={1}")
    @CsvSource({"true, true", "false, false"})
    void forwardAndEveryGradientMatchTheReference(boolean qkvBias, boolean tiedEmbeddings) {
        ModelConfig config = tinyConfig(qkvBias, tiedEmbeddings);
        SplittableRandom random = new SplittableRandom(qkvBias ? 11 : 12);
        try (Transformer model = new Transformer(backend, config)) {
            double[] parameters = widen(setRandomParameters(model, 7));
            int n = BATCH * TIME;
            int[] tokens = NumericChecks.tokens(random, n, config.vocabSize());
            tokens[n - 1] = tokens[1]; // a token seen twice: its embedding gradient rows add up
            int[] targets = NumericChecks.tokens(random, n, config.vocabSize());
            float[] logProbWeights = gaussian(random, n, 1), entropyWeights = gaussian(random, n, 1);

            model.forward(tokens, targets, BATCH, TIME);
            ReferenceQwen2 reference = new ReferenceQwen2(config);
            ReferenceQwen2.Scores expected = reference.forward(parameters, tokens, targets, BATCH, TIME);
            assertClose("logits", model.logits(), expected.logits(), FORWARD_ABSOLUTE, FORWARD_RELATIVE);
            assertClose("log p(target)", model.logProbs(), expected.logProbs(), FORWARD_ABSOLUTE, FORWARD_RELATIVE);
            assertClose("entropies", model.entropies(), expected.entropies(), FORWARD_ABSOLUTE, FORWARD_RELATIVE);

            model.zeroGradients();
            model.backward(logProbWeights, entropyWeights);
            float[] gradients = backend.toHost(model.gradients());
            double[] a = widen(logProbWeights), e = widen(entropyWeights);
            checkEveryTensor(model.layout(), gradients, parameters, Integer.MAX_VALUE, random,
                    () -> reference.objective(parameters, tokens, targets, BATCH, TIME, a, e));
        }
    }

    @Test
    void backwardWithoutEntropyWeights() {
        ModelConfig config = tinyConfig(true, false);
        SplittableRandom random = new SplittableRandom(13);
        try (Transformer model = new Transformer(backend, config)) {
            double[] parameters = widen(setRandomParameters(model, 8));
            int n = BATCH * TIME;
            int[] tokens = NumericChecks.tokens(random, n, config.vocabSize());
            int[] targets = NumericChecks.tokens(random, n, config.vocabSize());
            float[] logProbWeights = gaussian(random, n, 1);

            model.forward(tokens, targets, BATCH, TIME);
            model.zeroGradients();
            model.backward(logProbWeights, null);
            ReferenceQwen2 reference = new ReferenceQwen2(config);
            double[] a = widen(logProbWeights), e = new double[n];
            checkEveryTensor(model.layout(), backend.toHost(model.gradients()), parameters, 24, random,
                    () -> reference.objective(parameters, tokens, targets, BATCH, TIME, a, e));
        }
    }

    /** Micro-batches: gradients of two backward calls add up, whatever their shapes; zeroGradients starts over. */
    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        ModelConfig config = tinyConfig(true, true);
        SplittableRandom random = new SplittableRandom(14);
        try (Transformer model = new Transformer(backend, config)) {
            setRandomParameters(model, 9);
            int[] tokens1 = NumericChecks.tokens(random, BATCH * TIME, config.vocabSize());
            int[] targets1 = NumericChecks.tokens(random, BATCH * TIME, config.vocabSize());
            float[] a1 = gaussian(random, BATCH * TIME, 1), e1 = gaussian(random, BATCH * TIME, 1);
            int[] tokens2 = NumericChecks.tokens(random, 7, config.vocabSize());
            int[] targets2 = NumericChecks.tokens(random, 7, config.vocabSize());
            float[] a2 = gaussian(random, 7, 1);

            model.zeroGradients();
            model.forward(tokens1, targets1, BATCH, TIME);
            model.backward(a1, e1);
            float[] first = backend.toHost(model.gradients());
            model.zeroGradients();
            assertArrayEquals(new float[first.length], backend.toHost(model.gradients()), "gradients after zeroGradients");
            model.forward(tokens2, targets2, 1, 7);
            model.backward(a2, null);
            float[] second = backend.toHost(model.gradients());

            model.zeroGradients();
            model.forward(tokens1, targets1, BATCH, TIME);
            model.backward(a1, e1);
            assertClose("gradients of the first micro-batch after zeroGradients", backend.toHost(model.gradients()),
                    widen(first), 1e-7, 1e-6);
            model.forward(tokens2, targets2, 1, 7);
            model.backward(a2, null);
            double[] sum = new double[first.length];
            for (int i = 0; i < sum.length; i++) sum[i] = (double) first[i] + second[i];
            assertClose("gradients of two micro-batches", backend.toHost(model.gradients()), sum, 1e-6, 1e-6);
        }
    }

    /** PPO's critic: the same trunk under a one-column value head, values and gradients against the reference. */
    @Test
    void valueModelForwardAndGradients() {
        ModelConfig config = tinyConfig(true, false).asValueModel();
        SplittableRandom random = new SplittableRandom(15);
        try (Transformer critic = new Transformer(backend, config)) {
            double[] parameters = widen(setRandomParameters(critic, 10));
            int n = BATCH * TIME;
            int[] tokens = NumericChecks.tokens(random, n, config.vocabSize());
            float[] values = critic.forwardValues(tokens, BATCH, TIME);
            ReferenceQwen2 reference = new ReferenceQwen2(config);
            assertClose("values", values, reference.forward(parameters, tokens, new int[n], BATCH, TIME).logits(),
                    FORWARD_ABSOLUTE, FORWARD_RELATIVE);
            float[] valueWeights = gaussian(random, n, 1);
            critic.zeroGradients();
            critic.backwardValues(valueWeights);
            double[] w = widen(valueWeights);
            checkEveryTensor(critic.layout(), backend.toHost(critic.gradients()), parameters, Integer.MAX_VALUE, random,
                    () -> reference.valueObjective(parameters, tokens, BATCH, TIME, w));
        }
    }

    /** Every named tensor's gradient, on at most perTensor elements of each (all of them if it has fewer). */
    private static void checkEveryTensor(ParameterLayout layout, float[] gradients, double[] parameters, int perTensor,
                                         SplittableRandom random, DoubleSupplier objective) {
        for (ParameterLayout.Entry entry : layout.entries()) {
            int offset = (int) entry.offset();
            int[] indices = IntStream.of(sample((int) entry.size(), perTensor, random)).map(i -> i + offset).toArray();
            assertGradient(entry.name(), gradients, null, parameters, indices, objective, GRADIENT_ABSOLUTE, GRADIENT_RELATIVE);
        }
    }
}
