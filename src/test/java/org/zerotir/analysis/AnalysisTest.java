package org.zerotir.analysis;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnalysisTest {

    @Test
    void spearmanRanksWithTies() {
        assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, Spearman.ranks(new double[] {1, 5, 5, 9}), 1e-12);
        assertEquals(1, Spearman.correlation(new double[] {1, 2, 3, 4}, new double[] {1, 4, 9, 16}), 1e-12);
        assertEquals(-1, Spearman.correlation(new double[] {1, 2, 3, 4}, new double[] {9, 7, 3, 1}), 1e-12);
        // rank differences -1, 1, -1, 1, 0: 1 - 6 * 4 / (5 * 24) = 0.8
        assertEquals(0.8, Spearman.correlation(new double[] {1, 2, 3, 4, 5}, new double[] {2, 1, 4, 3, 5}), 1e-12);
        assertTrue(Double.isNaN(Spearman.correlation(new double[] {1, 2, 3}, new double[] {4, 4, 4})));
    }

    @Test
    void fitsRecoverTheirOwnCurves() {
        double[] steps = new double[50], logarithmic = new double[50], power = new double[50];
        for (int i = 0; i < 50; i++) {
            steps[i] = i + 1;
            logarithmic[i] = 0.1 + 0.2 * Math.log(steps[i]);
            power[i] = 3 * Math.pow(steps[i], 0.4);
        }
        ScalingFit log = ScalingFit.fit(ScalingFit.Form.LOGARITHMIC, steps, logarithmic);
        assertEquals(0.1, log.a(), 1e-9);
        assertEquals(0.2, log.b(), 1e-9);
        assertEquals(1, log.rSquared(), 1e-9);
        ScalingFit pow = ScalingFit.best(steps, power);
        assertEquals(ScalingFit.Form.POWER_LAW, pow.form());
        assertEquals(3, pow.a(), 1e-9);
        assertEquals(0.4, pow.b(), 1e-9);
        assertEquals("3.000 step^0.4000", pow.describe());
        assertNull(ScalingFit.fit(ScalingFit.Form.POWER_LAW, steps, new double[50]));
        assertNull(ScalingFit.fit(ScalingFit.Form.LOGARITHMIC, new double[] {1, 2}, new double[] {1, 2}));
    }
}
