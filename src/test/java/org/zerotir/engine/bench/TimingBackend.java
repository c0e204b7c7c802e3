package org.zerotir.engine.bench;

import org.zerotir.engine.Backend;
import org.zerotir.engine.Tensor;

/**
 * Wraps a backend and adds up, per kind of operation, the wall time spent inside its calls, plus the
 * floating-point operations of the matrix products. The backend's calls are synchronous, so the time inside a
 * call is the time the operation took; what a step spends outside every call is the model's own Java code.
 * One nanoTime pair per call (a few hundred calls per training step) costs far below a percent.
 */
final class TimingBackend implements Backend {

    /** How the benchmark groups the operations when it says where the time goes. */
    enum Phase {
        MATMUL("matmul"),
        ATTENTION("attention"),
        TOKEN_SCORES("softmax/scores"),
        ELEMENTWISE("norm/rope/swiglu/add/embed"),
        OPTIMIZER("AdamW+clip"),
        MEMORY("zero/copy/kv-write");

        final String label;

        Phase(String label) {
            this.label = label;
        }
    }

    private final Backend inner;
    private final long[] nanos = new long[Phase.values().length];
    private long matmulFlops;
    private long wallAtReset, cpuAtReset;

    TimingBackend(Backend inner) {
        this.inner = inner;
    }

    void reset() {
        java.util.Arrays.fill(nanos, 0);
        matmulFlops = 0;
        wallAtReset = System.nanoTime();
        cpuAtReset = processCpuNanos();
    }

    /**
     * CPU time of the whole process (every Java and OpenBLAS thread) over wall time since {@link #reset}: how many
     * cores the work actually got. Below the thread count, other processes took the rest, or the work was serial.
     */
    double coresUsedSinceReset() {
        return (double) (processCpuNanos() - cpuAtReset) / (System.nanoTime() - wallAtReset);
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    long nanos(Phase phase) {
        return nanos[phase.ordinal()];
    }

    long totalNanos() {
        long total = 0;
        for (long n : nanos) total += n;
        return total;
    }

    long matmulFlops() {
        return matmulFlops;
    }

    private void add(Phase phase, long start) {
        nanos[phase.ordinal()] += System.nanoTime() - start;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public Tensor allocate(long size) {
        return inner.allocate(size);
    }

    @Override
    public void copyFromHost(float[] source, int sourceOffset, Tensor destination) {
        long start = System.nanoTime();
        inner.copyFromHost(source, sourceOffset, destination);
        add(Phase.MEMORY, start);
    }

    @Override
    public void copyToHost(Tensor source, float[] destination, int destinationOffset) {
        long start = System.nanoTime();
        inner.copyToHost(source, destination, destinationOffset);
        add(Phase.MEMORY, start);
    }

    @Override
    public void zero(Tensor tensor) {
        long start = System.nanoTime();
        inner.zero(tensor);
        add(Phase.MEMORY, start);
    }

    @Override
    public void copy(Tensor source, Tensor destination) {
        long start = System.nanoTime();
        inner.copy(source, destination);
        add(Phase.MEMORY, start);
    }

    @Override
    public void accumulate(Tensor destination, Tensor source) {
        long start = System.nanoTime();
        inner.accumulate(destination, source);
        add(Phase.ELEMENTWISE, start);
    }

    @Override
    public void scale(Tensor tensor, float factor) {
        long start = System.nanoTime();
        inner.scale(tensor, factor);
        add(Phase.OPTIMIZER, start);
    }

    @Override
    public double sumOfSquares(Tensor tensor) {
        long start = System.nanoTime();
        double result = inner.sumOfSquares(tensor);
        add(Phase.OPTIMIZER, start);
        return result;
    }

    @Override
    public void matmulForward(Tensor out, Tensor inp, Tensor weight, Tensor bias, int n, int inChannels, int outChannels) {
        long start = System.nanoTime();
        inner.matmulForward(out, inp, weight, bias, n, inChannels, outChannels);
        add(Phase.MATMUL, start);
        matmulFlops += 2L * n * inChannels * outChannels;
    }

    @Override
    public void matmulBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight,
                               int n, int inChannels, int outChannels) {
        long start = System.nanoTime();
        inner.matmulBackward(dinp, dweight, dbias, dout, inp, weight, n, inChannels, outChannels);
        add(Phase.MATMUL, start);
        long product = 2L * n * inChannels * outChannels;
        matmulFlops += (dinp != null ? product : 0) + (dweight != null ? product : 0);
    }

    @Override
    public void embeddingForward(Tensor out, int[] tokens, Tensor table, int n, int channels) {
        long start = System.nanoTime();
        inner.embeddingForward(out, tokens, table, n, channels);
        add(Phase.ELEMENTWISE, start);
    }

    @Override
    public void embeddingBackward(Tensor dtable, Tensor dout, int[] tokens, int n, int channels) {
        long start = System.nanoTime();
        inner.embeddingBackward(dtable, dout, tokens, n, channels);
        add(Phase.ELEMENTWISE, start);
    }

    @Override
    public void rmsnormForward(Tensor out, Tensor rstd, Tensor inp, Tensor weight, int n, int channels, float eps) {
        long start = System.nanoTime();
        inner.rmsnormForward(out, rstd, inp, weight, n, channels, eps);
        add(Phase.ELEMENTWISE, start);
    }

    @Override
    public void rmsnormBackward(Tensor dinp, Tensor dweight, Tensor dout, Tensor inp, Tensor weight, Tensor rstd,
                                int n, int channels) {
        long start = System.nanoTime();
        inner.rmsnormBackward(dinp, dweight, dout, inp, weight, rstd, n, channels);
        add(Phase.ELEMENTWISE, start);
    }

    @Override
    public void ropeForward(Tensor x, Tensor cos, Tensor sin, int[] positions, int n, int heads, int headDim) {
        long start = System.nanoTime();
        inner.ropeForward(x, cos, sin, positions, n, heads, headDim);
        add(Phase.ELEMENTWISE, start);
    }

    @Override
    public void ropeBackward(Tensor dx, Tensor cos, Tensor sin, int[] positions, int n, int heads, int headDim) {
        long start = System.nanoTime();
        inner.ropeBackward(dx, cos, sin, positions, n, heads, headDim);
        add(Phase.ELEMENTWISE, start);
    }

    @Override
    public void attentionForward(Tensor out, Tensor probs, Tensor q, Tensor k, Tensor v,
                                 int batch, int time, int heads, int kvHeads, int headDim) {
        long start = System.nanoTime();
        inner.attentionForward(out, probs, q, k, v, batch, time, heads, kvHeads, headDim);
        add(Phase.ATTENTION, start);
    }

    @Override
    public void attentionBackward(Tensor dq, Tensor dk, Tensor dv, Tensor dout, Tensor probs, Tensor q, Tensor k,
                                  Tensor v, int batch, int time, int heads, int kvHeads, int headDim) {
        long start = System.nanoTime();
        inner.attentionBackward(dq, dk, dv, dout, probs, q, k, v, batch, time, heads, kvHeads, headDim);
        add(Phase.ATTENTION, start);
    }

    @Override
    public void kvCacheWrite(Tensor kCache, Tensor vCache, Tensor k, Tensor v, int[] slots, int[] positions,
                             int n, int cacheLength, int kvDim) {
        long start = System.nanoTime();
        inner.kvCacheWrite(kCache, vCache, k, v, slots, positions, n, cacheLength, kvDim);
        add(Phase.MEMORY, start);
    }

    @Override
    public void cachedAttention(Tensor out, Tensor q, Tensor kCache, Tensor vCache, int[] slots, int[] positions,
                                int n, int cacheLength, int heads, int kvHeads, int headDim) {
        long start = System.nanoTime();
        inner.cachedAttention(out, q, kCache, vCache, slots, positions, n, cacheLength, heads, kvHeads, headDim);
        add(Phase.ATTENTION, start);
    }

    @Override
    public void swigluForward(Tensor out, Tensor gate, Tensor up, int n, int features) {
        long start = System.nanoTime();
        inner.swigluForward(out, gate, up, n, features);
        add(Phase.ELEMENTWISE, start);
    }

    @Override
    public void swigluBackward(Tensor dgate, Tensor dup, Tensor dout, Tensor gate, Tensor up, int n, int features) {
        long start = System.nanoTime();
        inner.swigluBackward(dgate, dup, dout, gate, up, n, features);
        add(Phase.ELEMENTWISE, start);
    }

    @Override
    public void add(Tensor out, Tensor a, Tensor b) {
        long start = System.nanoTime();
        inner.add(out, a, b);
        add(Phase.ELEMENTWISE, start);
    }

    @Override
    public void tokenScoresForward(Tensor logProbs, Tensor entropies, Tensor logits, int[] targets, int n, int vocab) {
        long start = System.nanoTime();
        inner.tokenScoresForward(logProbs, entropies, logits, targets, n, vocab);
        add(Phase.TOKEN_SCORES, start);
    }

    @Override
    public void tokenScoresBackward(Tensor dlogits, Tensor logits, int[] targets, Tensor dLogProbs, Tensor dEntropies,
                                    int n, int vocab) {
        long start = System.nanoTime();
        inner.tokenScoresBackward(dlogits, logits, targets, dLogProbs, dEntropies, n, vocab);
        add(Phase.TOKEN_SCORES, start);
    }

    @Override
    public void adamwUpdate(Tensor params, Tensor grads, Tensor m, Tensor v, float learningRate, float beta1,
                            float beta2, float eps, float weightDecay, int step) {
        long start = System.nanoTime();
        inner.adamwUpdate(params, grads, m, v, learningRate, beta1, beta2, eps, weightDecay, step);
        add(Phase.OPTIMIZER, start);
    }

    @Override
    public void close() {
        inner.close();
    }
}
