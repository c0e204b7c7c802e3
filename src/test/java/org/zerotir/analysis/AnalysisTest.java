package org.zerotir.analysis;

import org.junit.jupiter.api.Test;

import java.util.List;

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
        // a constant that floating point cannot average exactly still has no correlation
        assertTrue(Double.isNaN(Pearson.correlation(new double[] {1, 2, 3, 4, 5, 6, 7}, new double[] {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1})));
    }

    @Test
    void exactCurvesAreRecoveredExactlyAndNamedInWords() {
        double[] steps = new double[50], logarithmic = new double[50], power = new double[50];
        for (int i = 0; i < 50; i++) {
            steps[i] = i + 1;
            logarithmic[i] = 0.1 - 0.2 * Math.log(steps[i]);
            power[i] = 3 * Math.pow(steps[i], 0.4);
        }
        ScalingAnalysis.FormFit log = ScalingAnalysis.analyse(steps, logarithmic, ScalingAnalysis.DEFAULT_HELD_OUT).best();
        assertEquals(ScalingAnalysis.Form.LOGARITHMIC, log.form());
        assertEquals(0.1, log.a(), 1e-9);
        assertEquals(-0.2, log.b(), 1e-9);
        assertEquals(1, log.rSquared(), 1e-9);
        assertEquals(0, log.heldOutRmse(), 1e-9);
        assertEquals("0.1000 - 0.2000 ln(step)", log.formula());
        ScalingAnalysis.FormFit pow = ScalingAnalysis.analyse(steps, power, ScalingAnalysis.DEFAULT_HELD_OUT).best();
        assertEquals(ScalingAnalysis.Form.POWER_LAW, pow.form());
        assertEquals(3, pow.a(), 1e-9);
        assertEquals(0.4, pow.b(), 1e-9);
        assertEquals("3.000 step^0.4000", pow.formula());
        assertEquals("2.000 + 0.5000 step", new ScalingAnalysis.FormFit(ScalingAnalysis.Form.LINEAR, 2, 0.5, 1, 0).formula());
        // all zeros: no power law (ln 0), and the other forms explain nothing
        List<ScalingAnalysis.FormFit> zeros = ScalingAnalysis.analyse(steps, new double[50], 0.2).fits();
        assertTrue(zeros.stream().noneMatch(f -> f.form() == ScalingAnalysis.Form.POWER_LAW), zeros.toString());
        assertTrue(zeros.stream().allMatch(f -> f.rSquared() == 0), zeros.toString());
    }

    @Test
    void theChartDrawsTheChosenForm() {
        double[] steps = new double[40], values = new double[40];
        for (int i = 0; i < 40; i++) {
            steps[i] = i;                 // step 0 (the starting model) takes no part in a fit
            values[i] = i == 0 ? 99 : 0.3 + 0.01 * i;
        }
        ScalingAnalysis.FormFit fit = CurvesChart.fit(new CurvesChart.Series("run", steps, values));
        assertEquals(ScalingAnalysis.Form.LINEAR, fit.form());
        assertEquals(0.3, fit.a(), 1e-9);
        assertNull(CurvesChart.fit(new CurvesChart.Series("run", new double[] {1, 2}, new double[] {1, 2})));
    }
}
