package org.zerotir.engine.bench;

import org.zerotir.engine.Backend;
import org.zerotir.engine.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Wraps a backend and adds up, per kind of operation, the wall time spent inside its calls, plus the
 * floating-point operations of the matrix products. The backend's calls are synchronous, so the time inside a
 * call is the time the operation took; what a step spends outside every call is the model's own Java code.
 * It also adds up the process's CPU time inside the calls, so that a run on a busy machine can be judged per
 * CPU-second. Two clock reads per call (a few hundred calls per training step) cost far below a percent.
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
    private final int threads;
    private final long[] nanos = new long[Phase.values().length];
    private final long[] cpuNanos = new long[Phase.values().length];
    private long matmulFlops;
    private long wallAtReset, cpuAtReset;
    private long callStart, callCpuStart; // backend calls do not nest

    TimingBackend(Backend inner, int threads) {
        this.inner = inner;
        this.threads = threads;
    }

    /** Threads the wrapped backend computes with. */
    int threads() {
        return threads;
    }

    void reset() {
        java.util.Arrays.fill(nanos, 0);
        java.util.Arrays.fill(cpuNanos, 0);
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

    // clock_gettime(CLOCK_PROCESS_CPUTIME_ID): OperatingSystemMXBean's process CPU time comes from times(), in
    // 10 ms ticks, too coarse for one backend call.
    private static final int CLOCK_PROCESS_CPUTIME_ID = 2;
    private static final MethodHandle CLOCK_GETTIME = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("clock_gettime").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MemorySegment TIMESPEC = Arena.global().allocate(16, 8);

    /** CPU time of every thread of the process, in nanoseconds. */
    static synchronized long processCpuNanos() {
        try {
            int status = (int) CLOCK_GETTIME.invokeExact(CLOCK_PROCESS_CPUTIME_ID, TIMESPEC);
            if (status != 0) throw new IllegalStateException("clock_gettime failed with " + status);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot read the process CPU time", e);
        }
        return TIMESPEC.get(JAVA_LONG, 0) * 1_000_000_000L + TIMESPEC.get(JAVA_LONG, 8);
    }

    long nanos(Phase phase) {
        return nanos[phase.ordinal()];
    }

    /** CPU time of the whole process (all threads) while inside the phase's calls. */
    long cpuNanos(Phase phase) {
        return cpuNanos[phase.ordinal()];
    }

    long totalNanos() {
        long total = 0;
        for (long n : nanos) total += n;
        return total;
    }

    long matmulFlops() {
        return matmulFlops;
    }

    private void begin() {
        callCpuStart = processCpuNanos();
        callStart = System.nanoTime();
    }

    private void end(Phase phase) {
        nanos[phase.ordinal()] += System.nanoTime() - callStart;
        cpuNanos[phase.ordinal()] += processCpuNanos() - callCpuStart;
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
        begin();
        inner.copyFromHost(source, sourceOffset, destination);
        end(Phase.MEMORY);
    }

    @Override
    public void copyToHost(Tensor source, float[] destination, int destinationOffset) {
        begin();
        inner.copyToHost(source, destination, destinationOffset);
        end(Phase.MEMORY);
    }

    @Override
    public void zero(Tensor tensor) {
        begin();
        inner.zero(tensor);
        end(Phase.MEMORY);
    }

    @Override
    public void copy(Tensor source, Tensor destination) {
        begin();
        inner.copy(source, destination);
        end(Phase.MEMORY);
    }

    @Override
    public void accumulate(Tensor destination, Tensor source) {
        begin();
        inner.accumulate(destination, source);
        end(Phase.ELEMENTWISE);
    }

    @Override
    public void scale(Tensor tensor, float factor) {
        begin();
        inner.scale(tensor, factor);
        end(Phase.OPTIMIZER);
    }

    @Override
    public double sumOfSquares(Tensor tensor) {
        begin();
        double result = inner.sumOfSquares(tensor);
        end(Phase.OPTIMIZER);
        return result;
    }

    @Override
    public void matmulForward(Tensor out, Tensor inp, Tensor weight, Tensor bias, int n, int inChannels, int outChannels) {
        begin();
        inner.matmulForward(out, inp, weight, bias, n, inChannels, outChannels);
        end(Phase.MATMUL);
        matmulFlops += 2L * n * inChannels * outChannels;
    }

    @Override
    public void matmulBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight,
                               int n, int inChannels, int outChannels) {
        begin();
        inner.matmulBackward(dinp, dweight, dbias, dout, inp, weight, n, inChannels, outChannels);
        end(Phase.MATMUL);
        long product = 2L * n * inChannels * outChannels;
        matmulFlops += (dinp != null ? product : 0) + (dweight != null ? product : 0);
    }

    @Override
    public void embeddingForward(Tensor out, int[] tokens, Tensor table, int n, int channels) {
        begin();
        inner.embeddingForward(out, tokens, table, n, channels);
        end(Phase.ELEMENTWISE);
    }

    @Override
    public void embeddingBackward(Tensor dtable, Tensor dout, int[] tokens, int n, int channels) {
        begin();
        inner.embeddingBackward(dtable, dout, tokens, n, channels);
        end(Phase.ELEMENTWISE);
    }

    @Override
    public void rmsnormForward(Tensor out, Tensor rstd, Tensor inp, Tensor weight, int n, int channels, float eps) {
        begin();
        inner.rmsnormForward(out, rstd, inp, weight, n, channels, eps);
        end(Phase.ELEMENTWISE);
    }

    @Override
    public void rmsnormBackward(Tensor dinp, Tensor dweight, Tensor dout, Tensor inp, Tensor weight, Tensor rstd,
                                int n, int channels) {
        begin();
        inner.rmsnormBackward(dinp, dweight, dout, inp, weight, rstd, n, channels);
        end(Phase.ELEMENTWISE);
    }

    @Override
    public void ropeForward(Tensor x, Tensor cos, Tensor sin, int[] positions, int n, int heads, int headDim) {
        begin();
        inner.ropeForward(x, cos, sin, positions, n, heads, headDim);
        end(Phase.ELEMENTWISE);
    }

    @Override
    public void ropeBackward(Tensor dx, Tensor cos, Tensor sin, int[] positions, int n, int heads, int headDim) {
        begin();
        inner.ropeBackward(dx, cos, sin, positions, n, heads, headDim);
        end(Phase.ELEMENTWISE);
    }

    @Override
    public void attentionForward(Tensor out, Tensor probs, Tensor q, Tensor k, Tensor v,
                                 int batch, int time, int heads, int kvHeads, int headDim) {
        begin();
        inner.attentionForward(out, probs, q, k, v, batch, time, heads, kvHeads, headDim);
        end(Phase.ATTENTION);
    }

    @Override
    public void attentionBackward(Tensor dq, Tensor dk, Tensor dv, Tensor dout, Tensor probs, Tensor q, Tensor k,
                                  Tensor v, int batch, int time, int heads, int kvHeads, int headDim) {
        begin();
        inner.attentionBackward(dq, dk, dv, dout, probs, q, k, v, batch, time, heads, kvHeads, headDim);
        end(Phase.ATTENTION);
    }

    @Override
    public void kvCacheWrite(Tensor kCache, Tensor vCache, Tensor k, Tensor v, int[] slots, int[] positions,
                             int n, int cacheLength, int kvDim) {
        begin();
        inner.kvCacheWrite(kCache, vCache, k, v, slots, positions, n, cacheLength, kvDim);
        end(Phase.MEMORY);
    }

    @Override
    public void cachedAttention(Tensor out, Tensor q, Tensor kCache, Tensor vCache, int[] slots, int[] positions,
                                int n, int cacheLength, int heads, int kvHeads, int headDim) {
        begin();
        inner.cachedAttention(out, q, kCache, vCache, slots, positions, n, cacheLength, heads, kvHeads, headDim);
        end(Phase.ATTENTION);
    }

    @Override
    public void swigluForward(Tensor out, Tensor gate, Tensor up, int n, int features) {
        begin();
        inner.swigluForward(out, gate, up, n, features);
        end(Phase.ELEMENTWISE);
    }

    @Override
    public void swigluBackward(Tensor dgate, Tensor dup, Tensor dout, Tensor gate, Tensor up, int n, int features) {
        begin();
        inner.swigluBackward(dgate, dup, dout, gate, up, n, features);
        end(Phase.ELEMENTWISE);
    }

    @Override
    public void add(Tensor out, Tensor a, Tensor b) {
        begin();
        inner.add(out, a, b);
        end(Phase.ELEMENTWISE);
    }

    @Override
    public void tokenScoresForward(Tensor logProbs, Tensor entropies, Tensor logits, int[] targets, int n, int vocab) {
        begin();
        inner.tokenScoresForward(logProbs, entropies, logits, targets, n, vocab);
        end(Phase.TOKEN_SCORES);
    }

    @Override
    public void tokenScoresBackward(Tensor dlogits, Tensor logits, int[] targets, Tensor dLogProbs, Tensor dEntropies,
                                    int n, int vocab) {
        begin();
        inner.tokenScoresBackward(dlogits, logits, targets, dLogProbs, dEntropies, n, vocab);
        end(Phase.TOKEN_SCORES);
    }

    @Override
    public void adamwUpdate(Tensor params, Tensor grads, Tensor m, Tensor v, float learningRate, float beta1,
                            float beta2, float eps, float weightDecay, int step) {
        begin();
        inner.adamwUpdate(params, grads, m, v, learningRate, beta1, beta2, eps, weightDecay, step);
        end(Phase.OPTIMIZER);
    }

    @Override
    public void close() {
        inner.close();
    }
}
