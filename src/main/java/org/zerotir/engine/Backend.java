package org.zerotir.engine;

/**
 * The operations the transformer needs, each forward beside its backward. Shapes are given in the comment
 * above each pair (N rows, C channels, ...), all row-major. Backward operations ACCUMULATE into weight
 * gradients (so micro-batches add up) and, unless stated, also into input gradients.
 * The CPU backend is the reference; other backends must match it within stated tolerances.
 */
public interface Backend extends AutoCloseable {

    String name();

    /** Zero-filled memory for {@code size} floats. */
    Tensor allocate(long size);

    void copyFromHost(float[] source, int sourceOffset, Tensor destination);

    void copyToHost(Tensor source, float[] destination, int destinationOffset);

    default void copyFromHost(float[] source, Tensor destination) {
        copyFromHost(source, 0, destination);
    }

    default float[] toHost(Tensor source) {
        float[] out = new float[Math.toIntExact(source.size())];
        copyToHost(source, out, 0);
        return out;
    }

    void zero(Tensor tensor);

    void copy(Tensor source, Tensor destination);

    /** destination += source */
    void accumulate(Tensor destination, Tensor source);

    /** tensor *= factor */
    void scale(Tensor tensor, float factor);

    /** Sum of squares in double precision, for global gradient-norm clipping. */
    double sumOfSquares(Tensor tensor);

    // ---- linear layers: out (N,OC) = inp (N,IC) @ weight (OC,IC)^T + bias (OC) ---------------------------

    void matmulForward(Tensor out, Tensor inp, Tensor weight, Tensor bias, int n, int inChannels, int outChannels);

    /** dinp (N,IC) += dout @ weight; dweight (OC,IC) += dout^T @ inp; dbias (OC) += column sums. Any may be null. */
    void matmulBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight,
                        int n, int inChannels, int outChannels);

    // ---- embedding: out (N,C) = table (V,C)[tokens] -------------------------------------------------------

    void embeddingForward(Tensor out, int[] tokens, Tensor table, int n, int channels);

    /** dtable[tokens[i]] += dout[i] */
    void embeddingBackward(Tensor dtable, Tensor dout, int[] tokens, int n, int channels);

    // ---- RMSNorm: out (N,C) = inp * rsqrt(mean(inp^2) + eps) * weight (C); rstd (N) saved for backward ---

    void rmsnormForward(Tensor out, Tensor rstd, Tensor inp, Tensor weight, int n, int channels, float eps);

    void rmsnormBackward(Tensor dinp, Tensor dweight, Tensor dout, Tensor inp, Tensor weight, Tensor rstd,
                         int n, int channels);

    // ---- rotary embedding, in place on x (N, heads*headDim), Hugging Face's rotate-half convention ---------
    // cos, sin: (maxPositions, headDim/2) tables; positions[i] is the position of row i.

    void ropeForward(Tensor x, Tensor cos, Tensor sin, int[] positions, int n, int heads, int headDim);

    /** Rotates the gradient back (the transpose of a rotation is the opposite rotation), in place. */
    void ropeBackward(Tensor dx, Tensor cos, Tensor sin, int[] positions, int n, int heads, int headDim);

    // ---- causal grouped-query attention over B sequences of T tokens ----------------------------------------
    // q (B,T,H*D); k, v (B,T,KV*D); out (B,T,H*D); probs (B,H,T,T) saved for backward (upper triangle zero).

    void attentionForward(Tensor out, Tensor probs, Tensor q, Tensor k, Tensor v,
                          int batch, int time, int heads, int kvHeads, int headDim);

    /** Writes (not accumulates) dq, dk, dv. */
    void attentionBackward(Tensor dq, Tensor dk, Tensor dv, Tensor dout, Tensor probs, Tensor q, Tensor k, Tensor v,
                           int batch, int time, int heads, int kvHeads, int headDim);

    // ---- attention against a KV cache, for generation ---------------------------------------------------------
    // kCache, vCache: (slots, cacheLength, KV*D). Row i (of N) belongs to slots[i], sits at positions[i] and
    // attends to cache entries 0..positions[i] of its slot. q, out: (N, H*D).

    /** Writes k, v (N, KV*D) into the cache rows (slots[i], positions[i]). */
    void kvCacheWrite(Tensor kCache, Tensor vCache, Tensor k, Tensor v, int[] slots, int[] positions,
                      int n, int cacheLength, int kvDim);

    void cachedAttention(Tensor out, Tensor q, Tensor kCache, Tensor vCache, int[] slots, int[] positions,
                         int n, int cacheLength, int heads, int kvHeads, int headDim);

    // ---- SwiGLU: out (N,F) = silu(gate) * up ------------------------------------------------------------------

    void swigluForward(Tensor out, Tensor gate, Tensor up, int n, int features);

    /** Writes (not accumulates) dgate and dup. */
    void swigluBackward(Tensor dgate, Tensor dup, Tensor dout, Tensor gate, Tensor up, int n, int features);

    /** out = a + b (elementwise; out may alias a or b) */
    void add(Tensor out, Tensor a, Tensor b);

    // ---- scores of given tokens: logits (N,V) -> log p(target) and entropy of softmax, per row ----------------

    void tokenScoresForward(Tensor logProbs, Tensor entropies, Tensor logits, int[] targets, int n, int vocab);

    /**
     * dlogits (N,V) = dLogProbs[i] * d logp/d logits + dEntropies[i] * d H/d logits. Writes dlogits, which may
     * alias logits (llm.c's trick: the logits are not needed afterwards). dEntropies may be null.
     */
    void tokenScoresBackward(Tensor dlogits, Tensor logits, int[] targets, Tensor dLogProbs, Tensor dEntropies,
                             int n, int vocab);

    // ---- AdamW with decoupled weight decay (Loshchilov & Hutter), bias-corrected, step counted from 1 -----------

    void adamwUpdate(Tensor params, Tensor grads, Tensor m, Tensor v, float learningRate, float beta1, float beta2,
                     float eps, float weightDecay, int step);

    @Override
    void close();
}
