package org.zerotir.rl;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ValueLossTest {

    @Test
    void clipsAroundTheOldValuesAndExplainsVariance() {
        boolean[] trainable = {true, true, false, true};
        Batch batch = new Batch(new int[] {0}, new int[] {4}, new int[] {0}, new double[] {1}, new boolean[] {true}, trainable);
        float[] oldValues = {0.5f, 0.5f, 9f, 0.5f};
        // token 0 moved inside the range; token 1 moved past it away from the target; token 3 moved past it toward it
        float[] values = {0.6f, 0.0f, 9f, 1.0f};
        double[] returns = {1, 1, 0, 1};
        ValueLoss.Result r = new ValueLoss(0.2).compute(batch, values, oldValues, returns);
        // token 0: plain 0.16 = clipped -> gradient (0.6 - 1) / 3
        // token 1: plain 1.0 > clipped (0.3 - 1)^2 = 0.49 -> gradient (0 - 1) / 3
        // token 3: plain 0 < clipped (0.7 - 1)^2 = 0.09, v outside the range -> gradient 0
        assertEquals((-0.4) / 3, r.dValues()[0], 1e-6);
        assertEquals(-1.0 / 3, r.dValues()[1], 1e-6);
        assertEquals(0f, r.dValues()[2]);
        assertEquals(0f, r.dValues()[3]);
        assertEquals(0.5 * (0.16 + 1.0 + 0.09) / 3, r.loss(), 1e-6);
        assertEquals(1.0 / 3, r.clipFraction(), 1e-12);
        // all returns equal: no variance to explain
        assertEquals(0, r.explainedVariance(), 1e-12);
    }
}
