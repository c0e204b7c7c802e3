package org.zerotir.engine;

import java.util.Arrays;

import static org.zerotir.engine.ReferenceOps.attention;
import static org.zerotir.engine.ReferenceOps.embedding;
import static org.zerotir.engine.ReferenceOps.matmul;
import static org.zerotir.engine.ReferenceOps.rmsnorm;
import static org.zerotir.engine.ReferenceOps.rope;
import static org.zerotir.engine.ReferenceOps.swiglu;

/**
 * The whole Qwen2 decoder in double precision, built from {@link ReferenceOps} and reading its parameters from
 * one flat array in {@link ParameterLayout}'s order, so that a finite difference of {@link #objective} with
 * respect to any entry of that array is the exact (to double rounding) gradient the engine must produce.
 */
final class ReferenceQwen2 {

    /** Per position of B*T rows: log p(target), softmax entropy, and the logits (N,V). */
    record Scores(double[] logProbs, double[] entropies, double[] logits) {}

    private final ModelConfig config;
    private final ParameterLayout layout;
    private final double[] ropeCos, ropeSin;
    // The engine's RMSNorm takes eps as a float.
    private final double eps;

    ReferenceQwen2(ModelConfig config) {
        this.config = config;
        this.layout = ParameterLayout.of(config);
        double[][] tables = ReferenceOps.ropeTables(config.maxPositions(), config.headDim(), config.ropeTheta());
        this.ropeCos = tables[0];
        this.ropeSin = tables[1];
        this.eps = (float) config.rmsNormEps();
    }

    // tokens, targets (B*T), row-major; every sequence starts at position 0
    Scores forward(double[] parameters, int[] tokens, int[] targets, int batch, int time) {
        int n = batch * time;
        int c = config.hiddenSize(), h = config.numHeads(), kvh = config.numKvHeads(), d = config.headDim();
        int qDim = h * d, kvDim = config.kvDim(), f = config.intermediateSize(), vocab = config.vocabSize();
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) positions[i] = i % time;

        double[] x = embedding(tokens, tensor(parameters, ParameterLayout.EMBEDDING), n, c);
        for (int l = 0; l < config.numLayers(); l++) {
            double[] norm1 = rmsnorm(x, layer(parameters, l, "input_layernorm.weight"), n, c, eps);
            double[] q = matmul(norm1, layer(parameters, l, "self_attn.q_proj.weight"), layerBias(parameters, l, "q"), n, c, qDim);
            double[] k = matmul(norm1, layer(parameters, l, "self_attn.k_proj.weight"), layerBias(parameters, l, "k"), n, c, kvDim);
            double[] v = matmul(norm1, layer(parameters, l, "self_attn.v_proj.weight"), layerBias(parameters, l, "v"), n, c, kvDim);
            q = rope(q, ropeCos, ropeSin, positions, n, h, d);
            k = rope(k, ropeCos, ropeSin, positions, n, kvh, d);
            double[] att = attention(q, k, v, null, batch, time, h, kvh, d);
            x = add(x, matmul(att, layer(parameters, l, "self_attn.o_proj.weight"), null, n, qDim, c));
            double[] norm2 = rmsnorm(x, layer(parameters, l, "post_attention_layernorm.weight"), n, c, eps);
            double[] gate = matmul(norm2, layer(parameters, l, "mlp.gate_proj.weight"), null, n, c, f);
            double[] up = matmul(norm2, layer(parameters, l, "mlp.up_proj.weight"), null, n, c, f);
            x = add(x, matmul(swiglu(gate, up), layer(parameters, l, "mlp.down_proj.weight"), null, n, f, c));
        }
        double[] finalNorm = rmsnorm(x, tensor(parameters, ParameterLayout.FINAL_NORM), n, c, eps);
        double[] logits = matmul(finalNorm, tensor(parameters, layout.lmHeadName()), null, n, c, config.outputSize());
        if (config.head() == ModelConfig.OutputHead.VALUE) return new Scores(null, null, logits);
        double[][] scores = ReferenceOps.tokenScores(logits, targets, n, vocab);
        return new Scores(scores[0], scores[1], logits);
    }

    /** L = sum_i logProbWeights[i] * logp_i + entropyWeights[i] * H_i, the quantity Transformer.backward differentiates. */
    double objective(double[] parameters, int[] tokens, int[] targets, int batch, int time,
                     double[] logProbWeights, double[] entropyWeights) {
        Scores scores = forward(parameters, tokens, targets, batch, time);
        return ReferenceOps.dot(logProbWeights, scores.logProbs()) + ReferenceOps.dot(entropyWeights, scores.entropies());
    }

    /** A value model's objective: sum_i valueWeights[i] * value_i. */
    double valueObjective(double[] parameters, int[] tokens, int batch, int time, double[] valueWeights) {
        return ReferenceOps.dot(valueWeights, forward(parameters, tokens, new int[tokens.length], batch, time).logits());
    }

    private double[] tensor(double[] parameters, String name) {
        ParameterLayout.Entry entry = layout.get(name);
        return Arrays.copyOfRange(parameters, (int) entry.offset(), (int) (entry.offset() + entry.size()));
    }

    private double[] layer(double[] parameters, int layer, String suffix) {
        return tensor(parameters, ParameterLayout.layerName(layer, suffix));
    }

    private double[] layerBias(double[] parameters, int layer, String projection) {
        return config.qkvBias() ? layer(parameters, layer, "self_attn." + projection + "_proj.bias") : null;
    }

    private static double[] add(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i] + b[i];
        return out;
    }
}
