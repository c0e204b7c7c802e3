package org.zerotir.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** The allocation-free inner loops every CPU operation is built from (llama3.java's style). */
final class VectorMath {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    private VectorMath() {}

    /** sum_i a[aOff+i] * b[bOff+i] */
    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int upper = SPECIES.loopBound(n); i < upper; i += LANES) {
            acc = FloatVector.fromArray(SPECIES, a, aOff + i).fma(FloatVector.fromArray(SPECIES, b, bOff + i), acc);
        }
        float sum = sum(acc);
        for (; i < n; i++) sum += a[aOff + i] * b[bOff + i];
        return sum;
    }

    /** Shuffles that swap lane i with lane i ^ h, for h = LANES/2, LANES/4, ..., 1. */
    private static final VectorShuffle<Float>[] BUTTERFLIES = butterflies();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] butterflies() {
        VectorShuffle<Float>[] shuffles = new VectorShuffle[Integer.numberOfTrailingZeros(LANES)];
        for (int step = 0, h = LANES / 2; h >= 1; h /= 2, step++) {
            final int distance = h;
            shuffles[step] = VectorShuffle.fromOp(SPECIES, lane -> lane ^ distance);
        }
        return shuffles;
    }

    /**
     * The lanes' sum, added pairwise in a fixed tree. Why not {@code reduceLanes(ADD)}: its order of additions is
     * unspecified, and the JIT-compiled reduction adds in another order than the interpreted one, so a pre-training
     * run gave different bits from one process to the next (depending on when C2 compiled the loop) and could not
     * be reproduced. Every tier performs these same additions.
     */
    static float sum(FloatVector v) {
        for (VectorShuffle<Float> butterfly : BUTTERFLIES) v = v.add(v.rearrange(butterfly));
        return v.lane(0);
    }

    /** y[yOff+i] += alpha * x[xOff+i] */
    static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(SPECIES, alpha);
        for (int upper = SPECIES.loopBound(n); i < upper; i += LANES) {
            FloatVector.fromArray(SPECIES, x, xOff + i).fma(va, FloatVector.fromArray(SPECIES, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    /** sum_i a[off+i]^2, accumulated in double across vector chunks to keep large norms accurate */
    static double sumOfSquares(float[] a, int off, int n) {
        double total = 0;
        int i = 0;
        final int block = LANES * 256;
        while (i + block <= n) {
            FloatVector acc = FloatVector.zero(SPECIES);
            for (int end = i + block; i < end; i += LANES) {
                FloatVector v = FloatVector.fromArray(SPECIES, a, off + i);
                acc = v.fma(v, acc);
            }
            total += sum(acc);
        }
        for (; i < n; i++) total += (double) a[off + i] * a[off + i];
        return total;
    }

    static float max(float[] a, int off, int n) {
        int i = 0;
        FloatVector acc = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        for (int upper = SPECIES.loopBound(n); i < upper; i += LANES) {
            acc = acc.max(FloatVector.fromArray(SPECIES, a, off + i));
        }
        float m = acc.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) m = Math.max(m, a[off + i]);
        return m;
    }

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HIGH = 0.693359375f;
    private static final float LN2_LOW = -2.12194440e-4f;
    /** Adding then subtracting 1.5 * 2^23 rounds a float to the nearest integer with plain IEEE arithmetic. */
    private static final float ROUNDING = 12582912f;

    /**
     * exp of each lane, within about 2 ulp. Why not {@code lanewise(EXP)}: its result depends on whether the JIT
     * has compiled the loop (an SVML stub) or not (a scalar fallback), so the same input gave different bits
     * early and late in a run, and reruns (resume, seeded sampling) were not reproducible. This version uses
     * only exactly rounded operations, so every tier computes the same bits.
     */
    static FloatVector exp(FloatVector x) {
        x = x.max(-87.33654f).min(88.72283f);
        FloatVector k = x.fma(LOG2E, ROUNDING).sub(ROUNDING);
        // r = x - k ln2, with ln2 split in two so the product k * ln2_high is exact
        FloatVector r = k.fma(FloatVector.broadcast(k.species(), -LN2_HIGH), x);
        r = k.fma(FloatVector.broadcast(k.species(), -LN2_LOW), r);
        // Taylor series of e^r on |r| <= ln2/2: the r^7 term is below 2^-24
        FloatVector p = r.fma(1f / 720, 1f / 120);
        p = p.fma(r, FloatVector.broadcast(r.species(), 1f / 24));
        p = p.fma(r, FloatVector.broadcast(r.species(), 1f / 6));
        p = p.fma(r, FloatVector.broadcast(r.species(), 0.5f));
        p = p.fma(r, FloatVector.broadcast(r.species(), 1f));
        p = p.fma(r, FloatVector.broadcast(r.species(), 1f));
        // 2^k from its exponent bits; x was clamped so that k + 127 stays in [1, 254]
        var exponent = ((jdk.incubator.vector.IntVector) k.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        return p.mul(exponent.reinterpretAsFloats());
    }

    /** Returns sum_i exp(a[off+i] - shift) and sum_i exp(a[off+i] - shift) * a[off+i], in double. */
    static double[] expSums(float[] a, int off, int n, float shift) {
        int i = 0;
        FloatVector vs = FloatVector.broadcast(SPECIES, shift);
        FloatVector s0 = FloatVector.zero(SPECIES);
        FloatVector s1 = FloatVector.zero(SPECIES);
        for (int upper = SPECIES.loopBound(n); i < upper; i += LANES) {
            FloatVector z = FloatVector.fromArray(SPECIES, a, off + i);
            FloatVector e = exp(z.sub(vs));
            s0 = s0.add(e);
            s1 = e.fma(z, s1);
        }
        double sum = sum(s0);
        double weighted = sum(s1);
        for (; i < n; i++) {
            double e = Math.exp(a[off + i] - shift);
            sum += e;
            weighted += e * a[off + i];
        }
        return new double[] {sum, weighted};
    }
}
