package org.zerotir.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
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
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) sum += a[aOff + i] * b[bOff + i];
        return sum;
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
            total += acc.reduceLanes(VectorOperators.ADD);
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

    /** Returns sum_i exp(a[off+i] - shift) and sum_i exp(a[off+i] - shift) * a[off+i], in double. */
    static double[] expSums(float[] a, int off, int n, float shift) {
        int i = 0;
        FloatVector vs = FloatVector.broadcast(SPECIES, shift);
        FloatVector s0 = FloatVector.zero(SPECIES);
        FloatVector s1 = FloatVector.zero(SPECIES);
        for (int upper = SPECIES.loopBound(n); i < upper; i += LANES) {
            FloatVector z = FloatVector.fromArray(SPECIES, a, off + i);
            FloatVector e = z.sub(vs).lanewise(VectorOperators.EXP);
            s0 = s0.add(e);
            s1 = e.fma(z, s1);
        }
        double sum = s0.reduceLanes(VectorOperators.ADD);
        double weighted = s1.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            double e = Math.exp(a[off + i] - shift);
            sum += e;
            weighted += e * a[off + i];
        }
        return new double[] {sum, weighted};
    }
}
