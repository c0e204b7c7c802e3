package org.zerotir.engine;

/**
 * Everything the forward pass of B sequences of T tokens keeps for the backward pass, plus the scratch the
 * backward pass needs. Per-layer tensors are views into one allocation (llm.c's layout), and the gradient
 * scratch is shared by all layers because backward visits them one at a time.
 */
final class TrainingActivations {
    final int batch, time, rows;

    // per layer, [layer] -> view
    final Tensor[] layerInput;     // (N,C) residual stream entering the layer
    final Tensor[] norm1, rstd1;   // (N,C), (N)
    final Tensor[] q, k, v;        // (N,H*D), (N,KV*D), (N,KV*D), rotary already applied to q and k
    final Tensor[] probs;          // (B,H,T,T)
    final Tensor[] attention;      // (N,H*D) before o_proj
    final Tensor[] residualMid;    // (N,C) after the attention block's residual add
    final Tensor[] norm2, rstd2;   // (N,C), (N)
    final Tensor[] gate, up, act;  // (N,F)

    final Tensor output;           // (N,C) residual stream after the last layer
    final Tensor finalNorm, finalRstd;
    final Tensor logits;           // (N,V), or (N,1) values for a value head; overwritten by its gradient in backward
    final Tensor logProbs, entropies;   // (N)
    final Tensor dLogProbs, dEntropies; // (N)

    // backward scratch
    final Tensor dResidual, dNorm, dQ, dK, dV, dAttention, dGate, dUp, dAct;

    private final Tensor storage;

    TrainingActivations(Backend backend, ModelConfig config, int batch, int time) {
        this.batch = batch;
        this.time = time;
        this.rows = Math.multiplyExact(batch, time);
        long n = rows, c = config.hiddenSize(), qd = (long) config.numHeads() * config.headDim(), kv = config.kvDim();
        long f = config.intermediateSize(), probsSize = (long) batch * config.numHeads() * time * time;
        long perLayer = n * c * 4 + n * 2 + n * qd * 2 + n * kv * 2 + probsSize + n * f * 3;
        long total = perLayer * config.numLayers() + n * c * 2 + n + n * config.outputSize() + n * 4
                + n * c * 2 + n * qd * 2 + n * kv * 2 + n * f * 3;
        this.storage = backend.allocate(total);
        Cursor cursor = new Cursor(storage);
        int layers = config.numLayers();
        layerInput = new Tensor[layers]; norm1 = new Tensor[layers]; rstd1 = new Tensor[layers];
        q = new Tensor[layers]; k = new Tensor[layers]; v = new Tensor[layers]; probs = new Tensor[layers];
        attention = new Tensor[layers]; residualMid = new Tensor[layers]; norm2 = new Tensor[layers];
        rstd2 = new Tensor[layers]; gate = new Tensor[layers]; up = new Tensor[layers]; act = new Tensor[layers];
        for (int l = 0; l < layers; l++) {
            layerInput[l] = cursor.take(n * c);
            norm1[l] = cursor.take(n * c);
            rstd1[l] = cursor.take(n);
            q[l] = cursor.take(n * qd);
            k[l] = cursor.take(n * kv);
            v[l] = cursor.take(n * kv);
            probs[l] = cursor.take(probsSize);
            attention[l] = cursor.take(n * qd);
            residualMid[l] = cursor.take(n * c);
            norm2[l] = cursor.take(n * c);
            rstd2[l] = cursor.take(n);
            gate[l] = cursor.take(n * f);
            up[l] = cursor.take(n * f);
            act[l] = cursor.take(n * f);
        }
        output = cursor.take(n * c);
        finalNorm = cursor.take(n * c);
        finalRstd = cursor.take(n);
        logits = cursor.take(n * config.outputSize());
        logProbs = cursor.take(n);
        entropies = cursor.take(n);
        dLogProbs = cursor.take(n);
        dEntropies = cursor.take(n);
        dResidual = cursor.take(n * c);
        dNorm = cursor.take(n * c);
        dQ = cursor.take(n * qd);
        dAttention = cursor.take(n * qd);
        dK = cursor.take(n * kv);
        dV = cursor.take(n * kv);
        dGate = cursor.take(n * f);
        dUp = cursor.take(n * f);
        dAct = cursor.take(n * f);
        if (cursor.position != total) throw new IllegalStateException("activation layout miscounted");
    }

    long sizeInFloats() {
        return storage.size();
    }

    /** Hands out consecutive views of one allocation. */
    static final class Cursor {
        private final Tensor storage;
        long position;

        Cursor(Tensor storage) {
            this.storage = storage;
        }

        Tensor take(long size) {
            Tensor view = storage.slice(position, size);
            position += size;
            return view;
        }
    }
}
