package org.zerotir.engine.cpu;

import org.zerotir.engine.optim.AdamWScalars;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.zerotir.engine.Backend;
import org.zerotir.engine.Tensor;

import java.util.Arrays;

import static org.zerotir.engine.cpu.CpuTensor.of;
import static org.zerotir.engine.cpu.VectorMath.SPECIES;

/**
 * The reference backend: matrix products through OpenBLAS, everything else as Vector API loops split over the
 * machine's cores. Memory is Java float arrays, so a buffer holds at most 2^31 - 1 floats.
 */
public final class CpuBackend implements Backend {

    private final Parallel parallel;

    public CpuBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public CpuBackend(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        this.parallel = new Parallel(threads);
        Blas.setThreads(threads);
    }

    @Override
    public String name() {
        return "cpu";
    }

    public int threads() {
        return parallel.threads();
    }

    @Override
    public Tensor allocate(long size) {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a CPU buffer holds at most 2^31 floats, asked for " + size);
        }
        return new CpuTensor(new float[(int) size], 0, (int) size);
    }

    @Override
    public void copyFromHost(float[] source, int sourceOffset, Tensor destination) {
        CpuTensor d = of(destination);
        System.arraycopy(source, sourceOffset, d.data(), d.offset(), d.length());
    }

    @Override
    public void copyToHost(Tensor source, float[] destination, int destinationOffset) {
        CpuTensor s = of(source);
        System.arraycopy(s.data(), s.offset(), destination, destinationOffset, s.length());
    }

    @Override
    public void zero(Tensor tensor) {
        CpuTensor t = of(tensor);
        parallel.forRange(blocks(t.length()), BLOCK, (from, to) ->
                Arrays.fill(t.data(), t.offset() + from * BLOCK, t.offset() + Math.min(t.length(), to * BLOCK), 0f));
    }

    @Override
    public void copy(Tensor source, Tensor destination) {
        CpuTensor s = of(source), d = of(destination);
        requireSameSize(s, d);
        System.arraycopy(s.data(), s.offset(), d.data(), d.offset(), s.length());
    }

    @Override
    public void accumulate(Tensor destination, Tensor source) {
        CpuTensor d = of(destination), s = of(source);
        requireSameSize(s, d);
        parallel.forRange(blocks(d.length()), BLOCK, (from, to) -> {
            int start = from * BLOCK, end = Math.min(d.length(), to * BLOCK);
            VectorMath.axpy(1f, s.data(), s.offset() + start, d.data(), d.offset() + start, end - start);
        });
    }

    @Override
    public void scale(Tensor tensor, float factor) {
        CpuTensor t = of(tensor);
        parallel.forRange(blocks(t.length()), BLOCK, (from, to) -> {
            float[] a = t.data();
            for (int i = t.offset() + from * BLOCK, end = t.offset() + Math.min(t.length(), to * BLOCK); i < end; i++) {
                a[i] *= factor;
            }
        });
    }

    @Override
    public double sumOfSquares(Tensor tensor) {
        CpuTensor t = of(tensor);
        int count = blocks(t.length());
        double[] partial = new double[count];
        parallel.forRange(count, BLOCK, (from, to) -> {
            for (int b = from; b < to; b++) {
                int start = b * BLOCK, end = Math.min(t.length(), start + BLOCK);
                partial[b] = VectorMath.sumOfSquares(t.data(), t.offset() + start, end - start);
            }
        });
        double total = 0;
        for (double p : partial) total += p;
        return total;
    }

    // ---- linear layers --------------------------------------------------------------------------------------

    @Override
    public void matmulForward(Tensor out, Tensor inp, Tensor weight, Tensor bias, int n, int inChannels, int outChannels) {
        CpuTensor o = of(out), x = of(inp), w = of(weight);
        requireSize(o, (long) n * outChannels, "out");
        requireSize(x, (long) n * inChannels, "inp");
        requireSize(w, (long) outChannels * inChannels, "weight");
        float beta = 0f;
        if (bias != null) {
            CpuTensor b = of(bias);
            requireSize(b, outChannels, "bias");
            for (int row = 0; row < n; row++) {
                System.arraycopy(b.data(), b.offset(), o.data(), o.offset() + row * outChannels, outChannels);
            }
            beta = 1f;
        }
        if (n == 1) {
            // A single row (batch-1 decoding): OpenBLAS's sgemm with one row took 2.7-4x as long as its sgemv
            // over Qwen2.5-0.5B's weights (bench/engine), far from the memory-bandwidth bound that sgemv nears.
            Blas.sgemv(outChannels, inChannels, 1f, w.data(), w.offset(), inChannels, x.data(), x.offset(),
                    beta, o.data(), o.offset());
            return;
        }
        Blas.sgemm(false, true, n, outChannels, inChannels, 1f, x.data(), x.offset(), inChannels,
                w.data(), w.offset(), inChannels, beta, o.data(), o.offset(), outChannels);
    }

    @Override
    public void matmulBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight,
                               int n, int inChannels, int outChannels) {
        CpuTensor dy = of(dout);
        requireSize(dy, (long) n * outChannels, "dout");
        if (dinp != null) {
            CpuTensor dx = of(dinp), w = of(weight);
            Blas.sgemm(false, false, n, inChannels, outChannels, 1f, dy.data(), dy.offset(), outChannels,
                    w.data(), w.offset(), inChannels, 1f, dx.data(), dx.offset(), inChannels);
        }
        if (dweight != null) {
            CpuTensor dw = of(dweight), x = of(inp);
            Blas.sgemm(true, false, outChannels, inChannels, n, 1f, dy.data(), dy.offset(), outChannels,
                    x.data(), x.offset(), inChannels, 1f, dw.data(), dw.offset(), inChannels);
        }
        if (dbias != null) {
            CpuTensor db = of(dbias);
            parallel.forRange(blocks(outChannels), (long) BLOCK * n, (from, to) -> {
                int start = from * BLOCK, end = Math.min(outChannels, to * BLOCK);
                for (int row = 0; row < n; row++) {
                    VectorMath.axpy(1f, dy.data(), dy.offset() + row * outChannels + start,
                            db.data(), db.offset() + start, end - start);
                }
            });
        }
    }

    // ---- embedding ------------------------------------------------------------------------------------------

    @Override
    public void embeddingForward(Tensor out, int[] tokens, Tensor table, int n, int channels) {
        CpuTensor o = of(out), t = of(table);
        int vocab = t.length() / channels;
        for (int i = 0; i < n; i++) {
            int token = tokens[i];
            if (token < 0 || token >= vocab) {
                throw new IllegalArgumentException("token id " + token + " at position " + i + " is outside the vocabulary of " + vocab);
            }
            System.arraycopy(t.data(), t.offset() + token * channels, o.data(), o.offset() + i * channels, channels);
        }
    }

    @Override
    public void embeddingBackward(Tensor dtable, Tensor dout, int[] tokens, int n, int channels) {
        CpuTensor dt = of(dtable), dy = of(dout);
        // Split over channels, not rows: two rows may carry the same token.
        parallel.forRange(blocks(channels), (long) BLOCK * n, (from, to) -> {
            int start = from * BLOCK, end = Math.min(channels, to * BLOCK);
            for (int i = 0; i < n; i++) {
                VectorMath.axpy(1f, dy.data(), dy.offset() + i * channels + start,
                        dt.data(), dt.offset() + tokens[i] * channels + start, end - start);
            }
        });
    }

    // ---- RMSNorm --------------------------------------------------------------------------------------------

    @Override
    public void rmsnormForward(Tensor out, Tensor rstd, Tensor inp, Tensor weight, int n, int channels, float eps) {
        CpuTensor o = of(out), x = of(inp), w = of(weight);
        CpuTensor r = rstd == null ? null : of(rstd);
        parallel.forRange(n, 3L * channels, (from, to) -> {
            for (int row = from; row < to; row++) {
                int base = row * channels;
                double meanSquare = VectorMath.sumOfSquares(x.data(), x.offset() + base, channels) / channels;
                float s = (float) (1.0 / Math.sqrt(meanSquare + eps));
                if (r != null) r.data()[r.offset() + row] = s;
                float[] od = o.data(), xd = x.data(), wd = w.data();
                int oo = o.offset() + base, xo = x.offset() + base, wo = w.offset();
                int i = 0;
                for (int upper = SPECIES.loopBound(channels); i < upper; i += SPECIES.length()) {
                    FloatVector.fromArray(SPECIES, xd, xo + i).mul(s)
                            .mul(FloatVector.fromArray(SPECIES, wd, wo + i)).intoArray(od, oo + i);
                }
                for (; i < channels; i++) od[oo + i] = xd[xo + i] * s * wd[wo + i];
            }
        });
    }

    @Override
    public void rmsnormBackward(Tensor dinp, Tensor dweight, Tensor dout, Tensor inp, Tensor weight, Tensor rstd,
                                int n, int channels) {
        CpuTensor dx = of(dinp), dw = of(dweight), dy = of(dout), x = of(inp), w = of(weight), r = of(rstd);
        // dinp: rows are independent.
        parallel.forRange(n, 4L * channels, (from, to) -> {
            float[] dyd = dy.data(), xd = x.data(), wd = w.data(), dxd = dx.data();
            for (int row = from; row < to; row++) {
                int base = row * channels;
                float s = r.data()[r.offset() + row];
                // d/dx_j [w_j x_j s] summed against dout: s w_j dy_j - s^3/C x_j sum_i(dy_i w_i x_i)
                double projection = 0;
                for (int i = 0; i < channels; i++) {
                    projection += (double) dyd[dy.offset() + base + i] * wd[w.offset() + i] * xd[x.offset() + base + i];
                }
                float coefficient = (float) (projection * s * s * s / channels);
                for (int i = 0; i < channels; i++) {
                    dxd[dx.offset() + base + i] += s * wd[w.offset() + i] * dyd[dy.offset() + base + i]
                            - coefficient * xd[x.offset() + base + i];
                }
            }
        });
        // dweight: split over channels so that no two threads write the same element.
        parallel.forRange(blocks(channels), (long) BLOCK * n, (from, to) -> {
            int start = from * BLOCK, end = Math.min(channels, to * BLOCK);
            float[] dyd = dy.data(), xd = x.data(), dwd = dw.data();
            for (int row = 0; row < n; row++) {
                int base = row * channels;
                float s = r.data()[r.offset() + row];
                for (int i = start; i < end; i++) {
                    dwd[dw.offset() + i] += dyd[dy.offset() + base + i] * xd[x.offset() + base + i] * s;
                }
            }
        });
    }

    // ---- rotary embedding -----------------------------------------------------------------------------------

    @Override
    public void ropeForward(Tensor x, Tensor cos, Tensor sin, int[] positions, int n, int heads, int headDim) {
        rotate(x, cos, sin, positions, n, heads, headDim, 1f);
    }

    @Override
    public void ropeBackward(Tensor dx, Tensor cos, Tensor sin, int[] positions, int n, int heads, int headDim) {
        rotate(dx, cos, sin, positions, n, heads, headDim, -1f);
    }

    private void rotate(Tensor tensor, Tensor cos, Tensor sin, int[] positions, int n, int heads, int headDim,
                        float direction) {
        CpuTensor x = of(tensor), c = of(cos), s = of(sin);
        int half = headDim / 2;
        int maxPositions = c.length() / half;
        parallel.forRange(n, 6L * heads * headDim, (from, to) -> {
            float[] xd = x.data(), cd = c.data(), sd = s.data();
            for (int row = from; row < to; row++) {
                int position = positions[row];
                if (position < 0 || position >= maxPositions) {
                    throw new IllegalArgumentException("position " + position + " is outside the rotary table of " + maxPositions);
                }
                int table = position * half;
                for (int h = 0; h < heads; h++) {
                    int base = x.offset() + (row * heads + h) * headDim;
                    for (int i = 0; i < half; i++) {
                        float cv = cd[c.offset() + table + i], sv = direction * sd[s.offset() + table + i];
                        float first = xd[base + i], second = xd[base + i + half];
                        xd[base + i] = first * cv - second * sv;
                        xd[base + i + half] = second * cv + first * sv;
                    }
                }
            }
        });
    }

    // ---- attention ------------------------------------------------------------------------------------------

    @Override
    public void attentionForward(Tensor out, Tensor probs, Tensor q, Tensor k, Tensor v,
                                 int batch, int time, int heads, int kvHeads, int headDim) {
        CpuTensor o = of(out), qt = of(q), kt = of(k), vt = of(v);
        CpuTensor p = probs == null ? null : of(probs);
        int qDim = heads * headDim, kvDim = kvHeads * headDim, group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        parallel.forRange(batch * heads, (long) time * time * headDim * 2, (from, to) -> {
            float[] scores = p == null ? new float[time] : null;
            for (int task = from; task < to; task++) {
                int b = task / heads, h = task % heads, g = h / group;
                for (int t = 0; t < time; t++) {
                    float[] row = p == null ? scores : p.data();
                    int rowOffset = p == null ? 0 : p.offset() + ((b * heads + h) * time + t) * time;
                    int qOffset = qt.offset() + (b * time + t) * qDim + h * headDim;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j <= t; j++) {
                        float score = scale * VectorMath.dot(qt.data(), qOffset,
                                kt.data(), kt.offset() + (b * time + j) * kvDim + g * headDim, headDim);
                        row[rowOffset + j] = score;
                        max = Math.max(max, score);
                    }
                    float sum = 0;
                    for (int j = 0; j <= t; j++) {
                        float e = (float) Math.exp(row[rowOffset + j] - max);
                        row[rowOffset + j] = e;
                        sum += e;
                    }
                    float inverse = 1f / sum;
                    int outOffset = o.offset() + (b * time + t) * qDim + h * headDim;
                    Arrays.fill(o.data(), outOffset, outOffset + headDim, 0f);
                    for (int j = 0; j <= t; j++) {
                        row[rowOffset + j] *= inverse;
                        VectorMath.axpy(row[rowOffset + j], vt.data(), vt.offset() + (b * time + j) * kvDim + g * headDim,
                                o.data(), outOffset, headDim);
                    }
                    if (p != null) Arrays.fill(row, rowOffset + t + 1, rowOffset + time, 0f);
                }
            }
        });
    }

    @Override
    public void attentionBackward(Tensor dq, Tensor dk, Tensor dv, Tensor dout, Tensor probs, Tensor q, Tensor k,
                                  Tensor v, int batch, int time, int heads, int kvHeads, int headDim) {
        CpuTensor dqt = of(dq), dkt = of(dk), dvt = of(dv), dy = of(dout), p = of(probs), qt = of(q), kt = of(k), vt = of(v);
        int qDim = heads * headDim, kvDim = kvHeads * headDim, group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        // One task per (sequence, kv head): the query heads of a group all write that group's dk and dv.
        parallel.forRange(batch * kvHeads, (long) group * time * time * headDim * 4, (from, to) -> {
            float[] dScores = new float[time];
            for (int task = from; task < to; task++) {
                int b = task / kvHeads, g = task % kvHeads;
                for (int t = 0; t < time; t++) {
                    int kvOffset = (b * time + t) * kvDim + g * headDim;
                    Arrays.fill(dkt.data(), dkt.offset() + kvOffset, dkt.offset() + kvOffset + headDim, 0f);
                    Arrays.fill(dvt.data(), dvt.offset() + kvOffset, dvt.offset() + kvOffset + headDim, 0f);
                }
                for (int h = g * group; h < (g + 1) * group; h++) {
                    for (int t = 0; t < time; t++) {
                        int rowOffset = p.offset() + ((b * heads + h) * time + t) * time;
                        int qOffset = (b * time + t) * qDim + h * headDim;
                        float weighted = 0;
                        for (int j = 0; j <= t; j++) {
                            float dp = VectorMath.dot(dy.data(), dy.offset() + qOffset,
                                    vt.data(), vt.offset() + (b * time + j) * kvDim + g * headDim, headDim);
                            dScores[j] = dp;
                            weighted += dp * p.data()[rowOffset + j];
                        }
                        Arrays.fill(dqt.data(), dqt.offset() + qOffset, dqt.offset() + qOffset + headDim, 0f);
                        for (int j = 0; j <= t; j++) {
                            float pj = p.data()[rowOffset + j];
                            float dScore = pj * (dScores[j] - weighted) * scale;
                            int kvOffset = (b * time + j) * kvDim + g * headDim;
                            VectorMath.axpy(dScore, kt.data(), kt.offset() + kvOffset, dqt.data(), dqt.offset() + qOffset, headDim);
                            VectorMath.axpy(dScore, qt.data(), qt.offset() + qOffset, dkt.data(), dkt.offset() + kvOffset, headDim);
                            VectorMath.axpy(pj, dy.data(), dy.offset() + qOffset, dvt.data(), dvt.offset() + kvOffset, headDim);
                        }
                    }
                }
            }
        });
    }

    @Override
    public void kvCacheWrite(Tensor kCache, Tensor vCache, Tensor k, Tensor v, int[] slots, int[] positions,
                             int n, int cacheLength, int kvDim) {
        CpuTensor kc = of(kCache), vc = of(vCache), kt = of(k), vt = of(v);
        for (int i = 0; i < n; i++) {
            if (positions[i] < 0 || positions[i] >= cacheLength) {
                throw new IllegalArgumentException("position " + positions[i] + " does not fit a cache of " + cacheLength);
            }
            int destination = (slots[i] * cacheLength + positions[i]) * kvDim;
            System.arraycopy(kt.data(), kt.offset() + i * kvDim, kc.data(), kc.offset() + destination, kvDim);
            System.arraycopy(vt.data(), vt.offset() + i * kvDim, vc.data(), vc.offset() + destination, kvDim);
        }
    }

    @Override
    public void cachedAttention(Tensor out, Tensor q, Tensor kCache, Tensor vCache, int[] slots, int[] positions,
                                int n, int cacheLength, int heads, int kvHeads, int headDim) {
        CpuTensor o = of(out), qt = of(q), kc = of(kCache), vc = of(vCache);
        int qDim = heads * headDim, kvDim = kvHeads * headDim, group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int longest = 0;
        for (int i = 0; i < n; i++) longest = Math.max(longest, positions[i] + 1);
        parallel.forRange(n * heads, (long) longest * headDim * 4, (from, to) -> {
            float[] scores = new float[cacheLength];
            for (int task = from; task < to; task++) {
                int row = task / heads, h = task % heads, g = h / group;
                int length = positions[row] + 1;
                int cacheBase = slots[row] * cacheLength * kvDim + g * headDim;
                int qOffset = qt.offset() + row * qDim + h * headDim;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < length; j++) {
                    scores[j] = scale * VectorMath.dot(qt.data(), qOffset, kc.data(), kc.offset() + cacheBase + j * kvDim, headDim);
                    max = Math.max(max, scores[j]);
                }
                float sum = 0;
                for (int j = 0; j < length; j++) {
                    scores[j] = (float) Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                int outOffset = o.offset() + row * qDim + h * headDim;
                Arrays.fill(o.data(), outOffset, outOffset + headDim, 0f);
                float inverse = 1f / sum;
                for (int j = 0; j < length; j++) {
                    VectorMath.axpy(scores[j] * inverse, vc.data(), vc.offset() + cacheBase + j * kvDim, o.data(), outOffset, headDim);
                }
            }
        });
    }

    // ---- SwiGLU ---------------------------------------------------------------------------------------------

    @Override
    public void swigluForward(Tensor out, Tensor gate, Tensor up, int n, int features) {
        CpuTensor o = of(out), gt = of(gate), ut = of(up);
        int total = n * features;
        parallel.forRange(blocks(total), BLOCK * 8L, (from, to) -> {
            float[] od = o.data(), gd = gt.data(), ud = ut.data();
            int start = from * BLOCK, end = Math.min(total, to * BLOCK);
            int i = start;
            int step = SPECIES.length();
            for (; i + step <= end; i += step) {
                FloatVector g = FloatVector.fromArray(SPECIES, gd, gt.offset() + i);
                FloatVector sigmoid = FloatVector.broadcast(SPECIES, 1f).div(VectorMath.exp(g.neg()).add(1f));
                g.mul(sigmoid).mul(FloatVector.fromArray(SPECIES, ud, ut.offset() + i)).intoArray(od, o.offset() + i);
            }
            for (; i < end; i++) {
                float g = gd[gt.offset() + i];
                od[o.offset() + i] = g / (1f + (float) Math.exp(-g)) * ud[ut.offset() + i];
            }
        });
    }

    @Override
    public void swigluBackward(Tensor dgate, Tensor dup, Tensor dout, Tensor gate, Tensor up, int n, int features) {
        CpuTensor dg = of(dgate), du = of(dup), dy = of(dout), gt = of(gate), ut = of(up);
        int total = n * features;
        parallel.forRange(blocks(total), BLOCK * 12L, (from, to) -> {
            for (int i = from * BLOCK, end = Math.min(total, to * BLOCK); i < end; i++) {
                float g = gt.data()[gt.offset() + i];
                float sigmoid = 1f / (1f + (float) Math.exp(-g));
                float d = dy.data()[dy.offset() + i];
                du.data()[du.offset() + i] = d * g * sigmoid;
                dg.data()[dg.offset() + i] = d * ut.data()[ut.offset() + i] * sigmoid * (1f + g * (1f - sigmoid));
            }
        });
    }

    @Override
    public void add(Tensor out, Tensor a, Tensor b) {
        CpuTensor o = of(out), at = of(a), bt = of(b);
        requireSameSize(at, bt);
        requireSameSize(at, o);
        parallel.forRange(blocks(o.length()), BLOCK, (from, to) -> {
            int start = from * BLOCK, end = Math.min(o.length(), to * BLOCK);
            int i = start;
            int step = SPECIES.length();
            for (; i + step <= end; i += step) {
                FloatVector.fromArray(SPECIES, at.data(), at.offset() + i)
                        .add(FloatVector.fromArray(SPECIES, bt.data(), bt.offset() + i)).intoArray(o.data(), o.offset() + i);
            }
            for (; i < end; i++) o.data()[o.offset() + i] = at.data()[at.offset() + i] + bt.data()[bt.offset() + i];
        });
    }

    // ---- token scores ---------------------------------------------------------------------------------------

    @Override
    public void tokenScoresForward(Tensor logProbs, Tensor entropies, Tensor logits, int[] targets, int n, int vocab) {
        CpuTensor lp = of(logProbs), z = of(logits);
        CpuTensor ent = entropies == null ? null : of(entropies);
        parallel.forRange(n, 6L * vocab, (from, to) -> {
            for (int row = from; row < to; row++) {
                int base = z.offset() + row * vocab;
                checkTarget(targets[row], row, vocab);
                float max = VectorMath.max(z.data(), base, vocab);
                double[] sums = VectorMath.expSums(z.data(), base, vocab, max);
                double logSumExp = max + Math.log(sums[0]);
                lp.data()[lp.offset() + row] = (float) (z.data()[base + targets[row]] - logSumExp);
                // H = -sum p (z - lse) = lse - E_p[z]
                if (ent != null) ent.data()[ent.offset() + row] = (float) (logSumExp - sums[1] / sums[0]);
            }
        });
    }

    @Override
    public void tokenScoresBackward(Tensor dlogits, Tensor logits, int[] targets, Tensor dLogProbs, Tensor dEntropies,
                                    int n, int vocab) {
        CpuTensor dz = of(dlogits), z = of(logits), dlp = of(dLogProbs);
        CpuTensor dent = dEntropies == null ? null : of(dEntropies);
        parallel.forRange(n, 8L * vocab, (from, to) -> {
            for (int row = from; row < to; row++) {
                int base = z.offset() + row * vocab, outBase = dz.offset() + row * vocab;
                checkTarget(targets[row], row, vocab);
                float max = VectorMath.max(z.data(), base, vocab);
                double[] sums = VectorMath.expSums(z.data(), base, vocab, max);
                float logSumExp = (float) (max + Math.log(sums[0]));
                float entropy = (float) (logSumExp - sums[1] / sums[0]);
                float a = dlp.data()[dlp.offset() + row];
                float e = dent == null ? 0f : dent.data()[dent.offset() + row];
                // d logp_t/dz_j = [j=t] - p_j ;  dH/dz_j = -p_j (log p_j + H). Each z_j is read before its
                // gradient overwrites it, so dlogits may alias logits.
                for (int j = 0; j < vocab; j++) {
                    float logP = z.data()[base + j] - logSumExp;
                    float prob = (float) Math.exp(logP);
                    dz.data()[outBase + j] = -a * prob - e * prob * (logP + entropy);
                }
                dz.data()[outBase + targets[row]] += a;
            }
        });
    }

    // ---- AdamW ----------------------------------------------------------------------------------------------

    @Override
    public void adamwUpdate(Tensor params, Tensor grads, Tensor m, Tensor v, float learningRate, float beta1,
                            float beta2, float eps, float weightDecay, int step) {
        CpuTensor p = of(params), g = of(grads), mt = of(m), vt = of(v);
        requireSameSize(p, g);
        requireSameSize(p, mt);
        requireSameSize(p, vt);
        AdamWScalars scalars = AdamWScalars.of(learningRate, beta1, beta2, weightDecay, step);
        float correction1 = scalars.correction1(), correction2 = scalars.correction2(), decay = scalars.decay();
        parallel.forRange(blocks(p.length()), BLOCK * 12L, (from, to) -> {
            float[] pd = p.data(), gd = g.data(), md = mt.data(), vd = vt.data();
            for (int i = from * BLOCK, end = Math.min(p.length(), to * BLOCK); i < end; i++) {
                float grad = gd[g.offset() + i];
                float mi = beta1 * md[mt.offset() + i] + (1 - beta1) * grad;
                float vi = beta2 * vd[vt.offset() + i] + (1 - beta2) * grad * grad;
                md[mt.offset() + i] = mi;
                vd[vt.offset() + i] = vi;
                // PyTorch's AdamW order: decay the weight, then take the Adam step.
                pd[p.offset() + i] = pd[p.offset() + i] * decay
                        - learningRate * (mi / correction1) / ((float) Math.sqrt(vi / correction2) + eps);
            }
        });
    }

    @Override
    public void close() {
        parallel.close();
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private static final int BLOCK = 4096;

    private static int blocks(int length) {
        return (length + BLOCK - 1) / BLOCK;
    }

    private static void checkTarget(int target, int row, int vocab) {
        if (target < 0 || target >= vocab) {
            throw new IllegalArgumentException("target id " + target + " at row " + row + " is outside the vocabulary of " + vocab);
        }
    }

    private static void requireSameSize(CpuTensor a, CpuTensor b) {
        if (a.length() != b.length()) {
            throw new IllegalArgumentException("tensor sizes differ: " + a.length() + " and " + b.length());
        }
    }

    private static void requireSize(CpuTensor t, long expected, String what) {
        if (t.length() != expected) {
            throw new IllegalArgumentException(what + " holds " + t.length() + " floats, expected " + expected);
        }
    }
}
