package org.zerotir.engine;

/**
 * Every engine operation's forward, in double precision and plain loops, written from the math rather than
 * from the CPU backend, so that the backend can be checked against it and, through finite differences of it,
 * its backward too. All arrays are row-major; shapes are stated above each operation as in {@link Backend}.
 */
final class ReferenceOps {
    private ReferenceOps() {}

    // out (N,OC) = inp (N,IC) @ weight (OC,IC)^T + bias (OC); bias may be null
    static double[] matmul(double[] inp, double[] weight, double[] bias, int n, int inChannels, int outChannels) {
        double[] out = new double[n * outChannels];
        for (int row = 0; row < n; row++) {
            for (int o = 0; o < outChannels; o++) {
                double sum = bias == null ? 0 : bias[o];
                for (int i = 0; i < inChannels; i++) sum += inp[row * inChannels + i] * weight[o * inChannels + i];
                out[row * outChannels + o] = sum;
            }
        }
        return out;
    }

    // out (N,C) = table (V,C)[tokens]
    static double[] embedding(int[] tokens, double[] table, int n, int channels) {
        double[] out = new double[n * channels];
        for (int row = 0; row < n; row++) {
            System.arraycopy(table, tokens[row] * channels, out, row * channels, channels);
        }
        return out;
    }

    /** 1 / sqrt(mean(inp_row^2) + eps) per row of inp (N,C). */
    static double[] rmsnormRstd(double[] inp, int n, int channels, double eps) {
        double[] rstd = new double[n];
        for (int row = 0; row < n; row++) {
            double sumSquares = 0;
            for (int i = 0; i < channels; i++) sumSquares += inp[row * channels + i] * inp[row * channels + i];
            rstd[row] = 1 / Math.sqrt(sumSquares / channels + eps);
        }
        return rstd;
    }

    // out (N,C) = inp * rsqrt(mean(inp^2) + eps) * weight (C), Hugging Face's Qwen2RMSNorm
    static double[] rmsnorm(double[] inp, double[] weight, int n, int channels, double eps) {
        double[] rstd = rmsnormRstd(inp, n, channels, eps);
        double[] out = new double[n * channels];
        for (int row = 0; row < n; row++) {
            for (int i = 0; i < channels; i++) out[row * channels + i] = inp[row * channels + i] * rstd[row] * weight[i];
        }
        return out;
    }

    /**
     * x (N, heads*D) rotated as transformers' apply_rotary_pos_emb does: x * cos + rotate_half(x) * sin with
     * rotate_half(x) = cat(-x2, x1) and cos, sin (positions, D/2) repeated over both halves.
     */
    static double[] rope(double[] x, double[] cos, double[] sin, int[] positions, int n, int heads, int headDim) {
        int half = headDim / 2;
        double[] out = new double[x.length];
        for (int row = 0; row < n; row++) {
            for (int h = 0; h < heads; h++) {
                int base = (row * heads + h) * headDim;
                for (int d = 0; d < headDim; d++) {
                    int frequency = d % half;
                    double c = cos[positions[row] * half + frequency], s = sin[positions[row] * half + frequency];
                    double rotated = d < half ? -x[base + d + half] : x[base + d - half];
                    out[base + d] = x[base + d] * c + rotated * s;
                }
            }
        }
        return out;
    }

    /** cos and sin (positions, D/2) of {@link Transformer#ropeTables}, widened to double. */
    static double[][] ropeTables(int positions, int headDim, double theta) {
        float[][] tables = Transformer.ropeTables(positions, headDim, theta);
        return new double[][] {widen(tables[0]), widen(tables[1])};
    }

    /**
     * Softmax(q.k / sqrt(D)) v for one query head over {@code count} keys; key j of the head's kv group sits at
     * keys[keyBase + j*keyStride .. +D). Writes out[outOffset .. +D) and, when probs is not null, the weights
     * into probs[probsOffset .. +count).
     */
    static void attendOne(double[] out, int outOffset, double[] probs, int probsOffset, double[] q, int qOffset,
                          double[] keys, double[] values, int keyBase, int keyStride, int count, int headDim) {
        double[] scores = new double[count];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < count; j++) {
            double dot = 0;
            for (int d = 0; d < headDim; d++) dot += q[qOffset + d] * keys[keyBase + j * keyStride + d];
            scores[j] = dot / Math.sqrt(headDim);
            max = Math.max(max, scores[j]);
        }
        double sum = 0;
        for (int j = 0; j < count; j++) {
            scores[j] = Math.exp(scores[j] - max);
            sum += scores[j];
        }
        for (int d = 0; d < headDim; d++) out[outOffset + d] = 0;
        for (int j = 0; j < count; j++) {
            double p = scores[j] / sum;
            if (probs != null) probs[probsOffset + j] = p;
            for (int d = 0; d < headDim; d++) out[outOffset + d] += p * values[keyBase + j * keyStride + d];
        }
    }

    // q (B,T,H*D); k, v (B,T,KV*D) -> out (B,T,H*D); query head h reads kv head h / (H/KV); position t sees 0..t.
    // probs (B,H,T,T), may be null, receives the attention weights with zeros above the diagonal.
    static double[] attention(double[] q, double[] k, double[] v, double[] probs,
                              int batch, int time, int heads, int kvHeads, int headDim) {
        int qDim = heads * headDim, kvDim = kvHeads * headDim, group = heads / kvHeads;
        double[] out = new double[batch * time * qDim];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int kvHead = h / group;
                for (int t = 0; t < time; t++) {
                    int probsOffset = ((b * heads + h) * time + t) * time;
                    attendOne(out, (b * time + t) * qDim + h * headDim, probs, probsOffset,
                            q, (b * time + t) * qDim + h * headDim,
                            k, v, b * time * kvDim + kvHead * headDim, kvDim, t + 1, headDim);
                }
            }
        }
        return out;
    }

    static double silu(double x) {
        return x / (1 + Math.exp(-x));
    }

    // out (N,F) = silu(gate) * up
    static double[] swiglu(double[] gate, double[] up) {
        double[] out = new double[gate.length];
        for (int i = 0; i < gate.length; i++) out[i] = silu(gate[i]) * up[i];
        return out;
    }

    /** logits (N,V) -> {log p(target) (N), entropy of the softmax (N)}. */
    static double[][] tokenScores(double[] logits, int[] targets, int n, int vocab) {
        double[] logProbs = new double[n], entropies = new double[n];
        for (int row = 0; row < n; row++) {
            int base = row * vocab;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < vocab; j++) max = Math.max(max, logits[base + j]);
            double sum = 0;
            for (int j = 0; j < vocab; j++) sum += Math.exp(logits[base + j] - max);
            double logSumExp = max + Math.log(sum);
            double entropy = 0;
            for (int j = 0; j < vocab; j++) {
                double logP = logits[base + j] - logSumExp;
                entropy -= Math.exp(logP) * logP;
            }
            logProbs[row] = logits[base + targets[row]] - logSumExp;
            entropies[row] = entropy;
        }
        return new double[][] {logProbs, entropies};
    }

    static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) sum += a[i] * b[i];
        return sum;
    }

    static double[] widen(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) out[i] = values[i];
        return out;
    }
}
