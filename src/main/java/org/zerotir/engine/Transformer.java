package org.zerotir.engine;

import java.util.SplittableRandom;

/**
 * A Qwen2-shaped decoder: token embedding, L layers of (RMSNorm, grouped-query attention with RoPE, residual,
 * RMSNorm, SwiGLU MLP, residual), a final RMSNorm and the output projection. Forward and backward are written
 * out layer by layer; parameters and gradients are flat buffers laid out by {@link ParameterLayout}.
 */
public final class Transformer implements AutoCloseable {
    private final Backend backend;
    private final ModelConfig config;
    private final ParameterLayout layout;
    private final Tensor parameters;
    private final LayerWeights[] layers;
    private final Tensor ropeCos, ropeSin;
    private Tensor gradients;
    private LayerWeights[] layerGradients;

    private TrainingActivations training;
    private int[] trainingTokens, trainingTargets, trainingPositions;
    private boolean backwardReady;
    private InferenceActivations inference;

    public Transformer(Backend backend, ModelConfig config) {
        this.backend = backend;
        this.config = config;
        this.layout = ParameterLayout.of(config);
        this.parameters = backend.allocate(layout.totalSize());
        this.layers = LayerWeights.of(layout, parameters);
        int half = config.headDim() / 2;
        float[][] tables = ropeTables(config.maxPositions(), config.headDim(), config.ropeTheta());
        this.ropeCos = backend.allocate((long) config.maxPositions() * half);
        this.ropeSin = backend.allocate((long) config.maxPositions() * half);
        backend.copyFromHost(tables[0], ropeCos);
        backend.copyFromHost(tables[1], ropeSin);
    }

    public ModelConfig config() {
        return config;
    }

    public ParameterLayout layout() {
        return layout;
    }

    public Backend backend() {
        return backend;
    }

    /** The flat parameter buffer, laid out by {@link #layout()}. */
    public Tensor parameters() {
        return parameters;
    }

    /** The flat gradient buffer (allocated on first use), laid out like the parameters. */
    public Tensor gradients() {
        if (gradients == null) {
            gradients = backend.allocate(layout.totalSize());
            layerGradients = LayerWeights.of(layout, gradients);
        }
        return gradients;
    }

    public void zeroGradients() {
        backend.zero(gradients());
    }

    /**
     * GPT-2's initialisation: N(0, 0.02) weights, residual output projections scaled by 1/sqrt(2L) so the
     * residual stream's variance does not grow with depth, unit norm weights, zero biases.
     */
    public void initializeRandom(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] host = new float[Math.toIntExact(layout.totalSize())];
        double residualStd = 0.02 / Math.sqrt(2.0 * config.numLayers());
        for (ParameterLayout.Entry entry : layout.entries()) {
            String name = entry.name();
            int from = (int) entry.offset(), to = (int) (entry.offset() + entry.size());
            if (name.endsWith("norm.weight")) {
                java.util.Arrays.fill(host, from, to, 1f);
            } else if (name.endsWith(".bias")) {
                java.util.Arrays.fill(host, from, to, 0f);
            } else {
                double std = name.endsWith("o_proj.weight") || name.endsWith("down_proj.weight") ? residualStd : 0.02;
                for (int i = from; i < to; i++) host[i] = (float) (random.nextGaussian() * std);
            }
        }
        backend.copyFromHost(host, parameters);
    }

    // ===================================================================================================
    // Training: forward over B sequences of T tokens, keeping activations; scores of given targets.
    // ===================================================================================================

    /**
     * Runs the model over tokens (B*T, row-major) and scores targets (B*T): afterwards {@link #logProbs()} and
     * {@link #entropies()} hold log p(target) and the softmax entropy at every position.
     */
    public void forward(int[] tokens, int[] targets, int batch, int time) {
        requireHead(ModelConfig.OutputHead.LANGUAGE_MODEL);
        int n = Math.multiplyExact(batch, time);
        if (targets.length < n) throw new IllegalArgumentException("need " + n + " targets, got " + targets.length);
        trunkForward(tokens, batch, time);
        trainingTargets = targets.clone();
        TrainingActivations a = training;
        int c = config.hiddenSize();
        backend.matmulForward(a.logits, a.finalNorm, layout.view(parameters, layout.lmHeadName()), null, n, c, config.vocabSize());
        backend.tokenScoresForward(a.logProbs, a.entropies, a.logits, trainingTargets, n, config.vocabSize());
        backwardReady = true;
    }

    /** A value model's forward: one value per position (B*T), e.g. PPO's critic. */
    public float[] forwardValues(int[] tokens, int batch, int time) {
        requireHead(ModelConfig.OutputHead.VALUE);
        trunkForward(tokens, batch, time);
        TrainingActivations a = training;
        backend.matmulForward(a.logits, a.finalNorm, layout.view(parameters, ParameterLayout.VALUE_HEAD), null, a.rows,
                config.hiddenSize(), 1);
        backwardReady = true;
        return backend.toHost(a.logits);
    }

    /** Accumulates into {@link #gradients()} the gradient of sum_i dValues[i] * value_i for the last forwardValues. */
    public void backwardValues(float[] dValues) {
        requireHead(ModelConfig.OutputHead.VALUE);
        TrainingActivations a = requireTraining();
        if (!backwardReady) throw new IllegalStateException("backwardValues needs a fresh forwardValues");
        backwardReady = false;
        gradients();
        backend.copyFromHost(dValues, a.logits);
        headAndTrunkBackward(a.logits);
    }

    private void requireHead(ModelConfig.OutputHead head) {
        if (config.head() != head) throw new IllegalStateException("this model has a " + config.head() + " head, not " + head);
    }

    /** Embedding, the layers and the final norm, keeping what backward needs. */
    private void trunkForward(int[] tokens, int batch, int time) {
        int n = Math.multiplyExact(batch, time);
        if (tokens.length < n) throw new IllegalArgumentException("need " + n + " tokens, got " + tokens.length);
        if (time > config.maxPositions()) {
            throw new IllegalArgumentException("sequence length " + time + " exceeds max_position_embeddings " + config.maxPositions());
        }
        if (training == null || training.batch != batch || training.time != time) {
            training = null; // let the old buffers go before the new ones are allocated
            training = new TrainingActivations(backend, config, batch, time);
            trainingPositions = new int[n];
            for (int i = 0; i < n; i++) trainingPositions[i] = i % time;
        }
        trainingTokens = tokens.clone();
        TrainingActivations a = training;
        int c = config.hiddenSize(), h = config.numHeads(), kvh = config.numKvHeads(), d = config.headDim();
        int qDim = h * d, kvDim = config.kvDim(), f = config.intermediateSize();

        backend.embeddingForward(a.layerInput[0], trainingTokens, layout.view(parameters, ParameterLayout.EMBEDDING), n, c);
        for (int l = 0; l < config.numLayers(); l++) {
            LayerWeights w = layers[l];
            Tensor input = a.layerInput[l];
            backend.rmsnormForward(a.norm1[l], a.rstd1[l], input, w.inputNorm(), n, c, (float) config.rmsNormEps());
            backend.matmulForward(a.q[l], a.norm1[l], w.qWeight(), w.qBias(), n, c, qDim);
            backend.matmulForward(a.k[l], a.norm1[l], w.kWeight(), w.kBias(), n, c, kvDim);
            backend.matmulForward(a.v[l], a.norm1[l], w.vWeight(), w.vBias(), n, c, kvDim);
            backend.ropeForward(a.q[l], ropeCos, ropeSin, trainingPositions, n, h, d);
            backend.ropeForward(a.k[l], ropeCos, ropeSin, trainingPositions, n, kvh, d);
            backend.attentionForward(a.attention[l], a.probs[l], a.q[l], a.k[l], a.v[l], batch, time, h, kvh, d);
            // residualMid temporarily holds the o_proj output, then the residual sum.
            backend.matmulForward(a.residualMid[l], a.attention[l], w.oWeight(), null, n, qDim, c);
            backend.add(a.residualMid[l], a.residualMid[l], input);
            backend.rmsnormForward(a.norm2[l], a.rstd2[l], a.residualMid[l], w.postAttentionNorm(), n, c, (float) config.rmsNormEps());
            backend.matmulForward(a.gate[l], a.norm2[l], w.gateWeight(), null, n, c, f);
            backend.matmulForward(a.up[l], a.norm2[l], w.upWeight(), null, n, c, f);
            backend.swigluForward(a.act[l], a.gate[l], a.up[l], n, f);
            Tensor out = l + 1 < config.numLayers() ? a.layerInput[l + 1] : a.output;
            backend.matmulForward(out, a.act[l], w.downWeight(), null, n, f, c);
            backend.add(out, out, a.residualMid[l]);
        }
        backend.rmsnormForward(a.finalNorm, a.finalRstd, a.output, layout.view(parameters, ParameterLayout.FINAL_NORM),
                n, c, (float) config.rmsNormEps());
    }

    /** log p(target) per position of the last forward, (B*T). */
    public float[] logProbs() {
        return backend.toHost(requireTraining().logProbs);
    }

    /** Softmax entropy per position of the last forward, (B*T). */
    public float[] entropies() {
        return backend.toHost(requireTraining().entropies);
    }

    /** Logits of the last forward, (B*T, V); only valid before {@link #backward}. */
    public float[] logits() {
        if (!backwardReady) throw new IllegalStateException("the logits were overwritten by backward");
        return backend.toHost(requireTraining().logits);
    }

    /**
     * Accumulates into {@link #gradients()} the gradient of sum_i (dLogProbs[i] * logp_i + dEntropies[i] * H_i)
     * for the last forward. dEntropies may be null. Cross-entropy over M counted positions is
     * dLogProbs[i] = -1/M on those positions.
     */
    public void backward(float[] dLogProbs, float[] dEntropies) {
        requireHead(ModelConfig.OutputHead.LANGUAGE_MODEL);
        TrainingActivations a = requireTraining();
        if (!backwardReady) throw new IllegalStateException("backward needs a fresh forward");
        backwardReady = false;
        int n = a.rows;
        gradients();
        backend.copyFromHost(dLogProbs, a.dLogProbs);
        if (dEntropies != null) backend.copyFromHost(dEntropies, a.dEntropies);
        backend.tokenScoresBackward(a.logits, a.logits, trainingTargets, a.dLogProbs, dEntropies == null ? null : a.dEntropies,
                n, config.vocabSize());
        headAndTrunkBackward(a.logits);
    }

    /** From the gradient of the output projection's result (N, outputSize) down to the embedding. */
    private void headAndTrunkBackward(Tensor dOutput) {
        TrainingActivations a = training;
        int n = a.rows, batch = a.batch, time = a.time;
        int c = config.hiddenSize(), h = config.numHeads(), kvh = config.numKvHeads(), d = config.headDim();
        int qDim = h * d, kvDim = config.kvDim(), f = config.intermediateSize();
        backend.zero(a.dNorm);
        backend.matmulBackward(a.dNorm, layout.view(gradients, layout.lmHeadName()), null, dOutput, a.finalNorm,
                layout.view(parameters, layout.lmHeadName()), n, c, config.outputSize());
        backend.zero(a.dResidual);
        backend.rmsnormBackward(a.dResidual, layout.view(gradients, ParameterLayout.FINAL_NORM), a.dNorm, a.output,
                layout.view(parameters, ParameterLayout.FINAL_NORM), a.finalRstd, n, c);

        for (int l = config.numLayers() - 1; l >= 0; l--) {
            LayerWeights w = layers[l], dw = layerGradients[l];
            // MLP block: out = residualMid + down(swiglu(gate(norm2), up(norm2)))
            backend.zero(a.dAct);
            backend.matmulBackward(a.dAct, dw.downWeight(), null, a.dResidual, a.act[l], w.downWeight(), n, f, c);
            backend.swigluBackward(a.dGate, a.dUp, a.dAct, a.gate[l], a.up[l], n, f);
            backend.zero(a.dNorm);
            backend.matmulBackward(a.dNorm, dw.gateWeight(), null, a.dGate, a.norm2[l], w.gateWeight(), n, c, f);
            backend.matmulBackward(a.dNorm, dw.upWeight(), null, a.dUp, a.norm2[l], w.upWeight(), n, c, f);
            backend.rmsnormBackward(a.dResidual, dw.postAttentionNorm(), a.dNorm, a.residualMid[l], w.postAttentionNorm(),
                    a.rstd2[l], n, c);
            // attention block: residualMid = input + o(attention(rope(q), rope(k), v))
            backend.zero(a.dAttention);
            backend.matmulBackward(a.dAttention, dw.oWeight(), null, a.dResidual, a.attention[l], w.oWeight(), n, qDim, c);
            backend.attentionBackward(a.dQ, a.dK, a.dV, a.dAttention, a.probs[l], a.q[l], a.k[l], a.v[l], batch, time, h, kvh, d);
            backend.ropeBackward(a.dQ, ropeCos, ropeSin, trainingPositions, n, h, d);
            backend.ropeBackward(a.dK, ropeCos, ropeSin, trainingPositions, n, kvh, d);
            backend.zero(a.dNorm);
            backend.matmulBackward(a.dNorm, dw.qWeight(), dw.qBias(), a.dQ, a.norm1[l], w.qWeight(), n, c, qDim);
            backend.matmulBackward(a.dNorm, dw.kWeight(), dw.kBias(), a.dK, a.norm1[l], w.kWeight(), n, c, kvDim);
            backend.matmulBackward(a.dNorm, dw.vWeight(), dw.vBias(), a.dV, a.norm1[l], w.vWeight(), n, c, kvDim);
            backend.rmsnormBackward(a.dResidual, dw.inputNorm(), a.dNorm, a.layerInput[l], w.inputNorm(), a.rstd1[l], n, c);
        }
        backend.embeddingBackward(layout.view(gradients, ParameterLayout.EMBEDDING), a.dResidual, trainingTokens, n, c);
    }

    /** Floats held by the training activations of the last forward (0 before any). */
    public long trainingActivationFloats() {
        return training == null ? 0 : training.sizeInFloats();
    }

    /** Drops the training activations (a large buffer) until the next training forward. */
    public void releaseTrainingActivations() {
        training = null;
        backwardReady = false;
    }

    private TrainingActivations requireTraining() {
        if (training == null) throw new IllegalStateException("no forward pass has run");
        return training;
    }

    // ===================================================================================================
    // Inference against a KV cache: any mix of prefill chunks and single decode tokens in one call.
    // ===================================================================================================

    /**
     * Feeds n tokens; token i belongs to cache slot slots[i] at position positions[i] (each slot's positions
     * consecutive and following what the slot already holds). Writes the next-token logits of the rows listed
     * in logitRows into logitsOut (logitRows.length, V).
     */
    public void decode(KvCache cache, int[] tokens, int[] slots, int[] positions, int n, int[] logitRows, float[] logitsOut) {
        requireHead(ModelConfig.OutputHead.LANGUAGE_MODEL);
        if (n < 1) throw new IllegalArgumentException("decode needs at least one token");
        for (int i = 0; i < n; i++) {
            if (slots[i] < 0 || slots[i] >= cache.slots()) {
                throw new IllegalArgumentException("slot " + slots[i] + " outside a cache of " + cache.slots() + " slots");
            }
            if (positions[i] < 0 || positions[i] >= cache.length()) {
                throw new IllegalArgumentException("position " + positions[i] + " outside a cache of length " + cache.length());
            }
        }
        if (inference == null || inference.capacity < n || inference.logitCapacity < logitRows.length) {
            inference = new InferenceActivations(backend, config, Math.max(n, inference == null ? 0 : inference.capacity),
                    Math.max(logitRows.length, inference == null ? 0 : inference.logitCapacity));
        }
        InferenceActivations a = inference;
        int c = config.hiddenSize(), h = config.numHeads(), kvh = config.numKvHeads(), d = config.headDim();
        int qDim = h * d, kvDim = config.kvDim(), f = config.intermediateSize();
        Tensor x = a.x.slice(0, (long) n * c), norm = a.norm.slice(0, (long) n * c);
        Tensor q = a.q.slice(0, (long) n * qDim), k = a.k.slice(0, (long) n * kvDim), v = a.v.slice(0, (long) n * kvDim);
        Tensor att = a.attention.slice(0, (long) n * qDim), proj = a.projection.slice(0, (long) n * c);
        Tensor gate = a.gate.slice(0, (long) n * f), up = a.up.slice(0, (long) n * f);

        backend.embeddingForward(x, tokens, layout.view(parameters, ParameterLayout.EMBEDDING), n, c);
        for (int l = 0; l < config.numLayers(); l++) {
            LayerWeights w = layers[l];
            backend.rmsnormForward(norm, null, x, w.inputNorm(), n, c, (float) config.rmsNormEps());
            backend.matmulForward(q, norm, w.qWeight(), w.qBias(), n, c, qDim);
            backend.matmulForward(k, norm, w.kWeight(), w.kBias(), n, c, kvDim);
            backend.matmulForward(v, norm, w.vWeight(), w.vBias(), n, c, kvDim);
            backend.ropeForward(q, ropeCos, ropeSin, positions, n, h, d);
            backend.ropeForward(k, ropeCos, ropeSin, positions, n, kvh, d);
            backend.kvCacheWrite(cache.keys[l], cache.values[l], k, v, slots, positions, n, cache.length(), kvDim);
            backend.cachedAttention(att, q, cache.keys[l], cache.values[l], slots, positions, n, cache.length(), h, kvh, d);
            backend.matmulForward(proj, att, w.oWeight(), null, n, qDim, c);
            backend.add(x, x, proj);
            backend.rmsnormForward(norm, null, x, w.postAttentionNorm(), n, c, (float) config.rmsNormEps());
            backend.matmulForward(gate, norm, w.gateWeight(), null, n, c, f);
            backend.matmulForward(up, norm, w.upWeight(), null, n, c, f);
            backend.swigluForward(gate, gate, up, n, f);
            backend.matmulForward(proj, gate, w.downWeight(), null, n, f, c);
            backend.add(x, x, proj);
        }
        int m = logitRows.length;
        if (m == 0) return;
        Tensor selected = a.selected.slice(0, (long) m * c), selectedNorm = a.selectedNorm.slice(0, (long) m * c);
        Tensor logits = a.logits.slice(0, (long) m * config.vocabSize());
        for (int r = 0; r < m; r++) {
            if (logitRows[r] < 0 || logitRows[r] >= n) throw new IllegalArgumentException("logit row " + logitRows[r] + " outside " + n + " rows");
            backend.copy(x.slice((long) logitRows[r] * c, c), selected.slice((long) r * c, c));
        }
        backend.rmsnormForward(selectedNorm, null, selected, layout.view(parameters, ParameterLayout.FINAL_NORM), m, c,
                (float) config.rmsNormEps());
        backend.matmulForward(logits, selectedNorm, layout.view(parameters, layout.lmHeadName()), null, m, c, config.vocabSize());
        backend.copyToHost(logits, logitsOut, 0);
    }

    /** Scratch for {@link #decode}, grown when a call brings more rows. */
    private static final class InferenceActivations {
        final int capacity, logitCapacity;
        final Tensor x, norm, q, k, v, attention, projection, gate, up, selected, selectedNorm, logits;

        InferenceActivations(Backend backend, ModelConfig config, int capacity, int logitCapacity) {
            this.capacity = capacity;
            this.logitCapacity = logitCapacity;
            long n = capacity, c = config.hiddenSize(), qd = (long) config.numHeads() * config.headDim();
            long kv = config.kvDim(), f = config.intermediateSize();
            x = backend.allocate(n * c);
            norm = backend.allocate(n * c);
            q = backend.allocate(n * qd);
            k = backend.allocate(n * kv);
            v = backend.allocate(n * kv);
            attention = backend.allocate(n * qd);
            projection = backend.allocate(n * c);
            gate = backend.allocate(n * f);
            up = backend.allocate(n * f);
            selected = backend.allocate((long) logitCapacity * c);
            selectedNorm = backend.allocate((long) logitCapacity * c);
            logits = backend.allocate((long) logitCapacity * config.vocabSize());
        }
    }

    // ===================================================================================================

    /**
     * Hugging Face's rotary tables: inv_freq_i = theta^(-2i/D) and the angle position * inv_freq_i both in
     * float32 as transformers computes them, so long positions round the same way; cos and sin in double.
     */
    static float[][] ropeTables(int positions, int headDim, double theta) {
        int half = headDim / 2;
        float[] cos = new float[positions * half], sin = new float[positions * half];
        float[] inverseFrequency = new float[half];
        for (int i = 0; i < half; i++) {
            inverseFrequency[i] = (float) (1.0 / Math.pow(theta, (float) (2 * i) / headDim));
        }
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * inverseFrequency[i];
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
        return new float[][] {cos, sin};
    }

    @Override
    public void close() {
        training = null;
        inference = null;
    }
}
