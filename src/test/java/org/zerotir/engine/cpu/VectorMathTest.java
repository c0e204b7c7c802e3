package org.zerotir.engine.cpu;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VectorMathTest {

    @Test
    void expIsAccurateAcrossTheFloatRange() {
        SplittableRandom random = new SplittableRandom(3);
        int lanes = VectorMath.SPECIES.length();
        float[] x = new float[lanes], y = new float[lanes];
        double worst = 0;
        for (int round = 0; round < 20_000; round++) {
            for (int i = 0; i < lanes; i++) x[i] = (float) (random.nextDouble() * 175 - 87);
            VectorMath.exp(FloatVector.fromArray(VectorMath.SPECIES, x, 0)).intoArray(y, 0);
            for (int i = 0; i < lanes; i++) {
                double exact = Math.exp(x[i]);
                worst = Math.max(worst, Math.abs(y[i] - exact) / exact);
            }
        }
        assertTrue(worst < 4e-7, "worst relative error " + worst);
        float[] edges = new float[lanes];
        edges[0] = 0f;
        edges[1 % lanes] = -1000f;
        VectorMath.exp(FloatVector.fromArray(VectorMath.SPECIES, edges, 0)).intoArray(y, 0);
        assertEquals(1f, y[0]);
        if (lanes > 1) assertTrue(y[1] >= 0 && y[1] < 1e-37f, "exp(-1000) underflows to ~0, got " + y[1]);
    }

    @Test
    void reductionsGiveTheSameBitsBeforeAndAfterTheJitCompilesThem() {
        // Values of very different magnitudes, so that the order of additions shows in the last bits.
        SplittableRandom random = new SplittableRandom(5);
        int n = VectorMath.SPECIES.length() * 16 + 3;
        float[] a = new float[n], b = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-3, 4)));
            b[i] = (float) random.nextGaussian();
        }
        float firstDot = VectorMath.dot(a, 0, b, 0, n);
        double firstSquares = VectorMath.sumOfSquares(a, 0, n);
        double[] firstExp = VectorMath.expSums(b, 0, n, 1f);
        float dot = 0;
        double squares = 0;
        double[] exp = null;
        for (int round = 0; round < 200_000; round++) {
            dot = VectorMath.dot(a, 0, b, 0, n);
            squares = VectorMath.sumOfSquares(a, 0, n);
            exp = VectorMath.expSums(b, 0, n, 1f);
        }
        assertEquals(Float.floatToRawIntBits(firstDot), Float.floatToRawIntBits(dot), firstDot + " then " + dot);
        assertEquals(Double.doubleToRawLongBits(firstSquares), Double.doubleToRawLongBits(squares), firstSquares + " then " + squares);
        assertEquals(Double.doubleToRawLongBits(firstExp[0]), Double.doubleToRawLongBits(exp[0]), firstExp[0] + " then " + exp[0]);
        assertEquals(Double.doubleToRawLongBits(firstExp[1]), Double.doubleToRawLongBits(exp[1]), firstExp[1] + " then " + exp[1]);
    }
}
