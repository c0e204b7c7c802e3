package org.zerotir.analysis;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Synthetic series with known laws and noise: the form is recognised by held-out error and its parameters recovered. */
class ScalingAnalysisTest {

    private static double[][] series(DoubleUnaryOperator law, double noise, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] steps = new double[200], values = new double[200];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = i + 1;
            values[i] = law.applyAsDouble(steps[i]) + noise * random.nextGaussian();
        }
        return new double[][] {steps, values};
    }

    @Test
    void recoversEachFormAndItsParameters() {
        record Case(ScalingAnalysis.Form form, DoubleUnaryOperator law, double a, double b) {}
        List<Case> cases = List.of(
                new Case(ScalingAnalysis.Form.LINEAR, s -> 0.1 + 0.002 * s, 0.1, 0.002),
                new Case(ScalingAnalysis.Form.LOGARITHMIC, s -> 0.2 + 0.08 * Math.log(s), 0.2, 0.08),
                new Case(ScalingAnalysis.Form.POWER_LAW, s -> 0.05 * Math.pow(s, 0.6), 0.05, 0.6));
        for (Case c : cases) {
            double[][] xy = series(c.law(), 0.002, 7);
            ScalingAnalysis.Result result = ScalingAnalysis.analyse(xy[0], xy[1], 0.2);
            ScalingAnalysis.FormFit best = result.best();
            assertEquals(c.form(), best.form(), result.toString());
            assertEquals(c.a(), best.a(), Math.abs(c.a()) * 0.05 + 1e-3, result.toString());
            assertEquals(c.b(), best.b(), Math.abs(c.b()) * 0.05, result.toString());
            assertTrue(best.rSquared() > 0.99, result.toString());
            assertEquals(3, result.fits().size());
        }
    }

    @Test
    void correlationsBetweenSeries() {
        double[] step = new double[50], accuracy = new double[50], length = new double[50], noise = new double[50];
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 50; i++) {
            step[i] = i + 1;
            accuracy[i] = Math.log(step[i]);
            length[i] = 500 - 3 * step[i];
            noise[i] = random.nextDouble();
        }
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("step", step);
        series.put("accuracy", accuracy);
        series.put("response/length_mean", length);
        series.put("noise", noise);
        List<ScalingAnalysis.Correlation> c = ScalingAnalysis.correlations(series);
        assertEquals(6, c.size());
        assertEquals(1.0, c.get(0).spearman(), 1e-12);                 // step vs accuracy: monotone
        assertTrue(c.get(0).pearson() > 0.9 && c.get(0).pearson() < 1.0); // but not linear
        assertEquals(-1.0, c.get(1).pearson(), 1e-12);                  // step vs length: exactly linear, decreasing
        assertTrue(Math.abs(c.get(2).spearman()) < 0.4, c.toString());  // step vs noise
    }

    @Test
    void refusesBadInput() {
        assertThrows(IllegalArgumentException.class, () -> ScalingAnalysis.analyse(new double[] {1, 2}, new double[] {1}, 0.2));
        assertThrows(IllegalArgumentException.class, () -> ScalingAnalysis.analyse(new double[] {1, 2}, new double[] {1, 2}, 1.0));
        assertTrue(ScalingAnalysis.analyse(new double[] {1, 2}, new double[] {1, 2}, 0.2).fits().isEmpty(), "two points fit nothing");
        ScalingAnalysis.Result none = ScalingAnalysis.analyse(new double[0], new double[0], 0.2);
        assertTrue(none.fits().isEmpty() && none.best() == null && none.points() == 0, "no points: nothing, and no failure");
        assertEquals(0, ScalingAnalysis.analyse(new double[] {0}, new double[] {5}, 0.2).points(), "step 0 takes no part");
    }
}
