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
}
