package org.zerotir.engine;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.fail;

/** Comparisons of float32 engine results with double references, and central finite differences. */
final class NumericChecks {
    private NumericChecks() {}

    /**
     * Step of the central differences. The truncation error is O(h^2 f''') ~ 1e-12 and the rounding error
     * ~ 1e-16 |f| / h ~ 1e-9 for the objectives used here: both far below what float32 can resolve.
     */
    static final double STEP = 1e-6;

    /** d objective / d x[index] by central differences; x[index] is restored afterwards. */
    static double centralDifference(double[] x, int index, DoubleSupplier objective) {
        double saved = x[index];
        double h = STEP * Math.max(1, Math.abs(saved));
        // The actual distance between the two evaluation points, not 2h: x +- h rounds.
        double plus = saved + h, minus = saved - h;
        x[index] = plus;
        double up = objective.getAsDouble();
        x[index] = minus;
        double down = objective.getAsDouble();
        x[index] = saved;
        return (up - down) / (plus - minus);
    }

    /** Fails unless |actual - expected| <= absolute + relative * |expected| at every element. */
    static void assertClose(String what, float[] actual, double[] expected, double absolute, double relative) {
        if (actual.length != expected.length) {
            fail(what + ": " + actual.length + " values, expected " + expected.length);
        }
        int[] all = IntStream.range(0, expected.length).toArray();
        double[] got = new double[actual.length];
        for (int i = 0; i < got.length; i++) got[i] = actual[i];
        assertCloseAt(what, got, expected, all, absolute, relative);
    }

    /** As {@link #assertClose} at the given indices only; NaN anywhere fails. */
    static void assertCloseAt(String what, double[] actual, double[] expected, int[] indices,
                              double absolute, double relative) {
        int worst = -1;
        double worstExcess = 0;
        for (int i : indices) {
            double allowed = absolute + relative * Math.abs(expected[i]);
            double error = Math.abs(actual[i] - expected[i]);
            if (!(error <= allowed) && (worst < 0 || !(error - allowed <= worstExcess))) {
                worst = i;
                worstExcess = error - allowed;
            }
        }
        if (worst >= 0) {
            fail(String.format("%s: element %d is %.9g, expected %.9g (|diff| %.3g > %.1g + %.1g * |expected|)",
                    what, worst, actual[worst], expected[worst], Math.abs(actual[worst] - expected[worst]),
                    absolute, relative));
        }
    }

    /**
     * Checks an engine gradient against central differences of a double objective with respect to x. The
     * engine's gradient is {@code after - before} when the operation accumulates into a pre-filled buffer
     * ({@code before} its content beforehand), or {@code after} when it writes ({@code before} null).
     * Also fails if the checked gradient is so small that the tolerance alone would let it pass.
     */
    static void assertGradient(String what, float[] after, float[] before, double[] x, int[] indices,
                               DoubleSupplier objective, double absolute, double relative) {
        double[] engine = new double[after.length];
        for (int i = 0; i < engine.length; i++) engine[i] = before == null ? after[i] : (double) after[i] - before[i];
        double[] numeric = new double[x.length];
        double largest = 0;
        for (int i : indices) {
            numeric[i] = centralDifference(x, i, objective);
            largest = Math.max(largest, Math.abs(numeric[i]));
        }
        if (largest < 100 * absolute) {
            fail(what + ": the largest checked gradient is " + largest + ", too small for the check to mean anything");
        }
        assertCloseAt(what + " gradient", engine, numeric, indices, absolute, relative);
    }

    static int[] all(int size) {
        return IntStream.range(0, size).toArray();
    }

    /** count distinct indices in [0, size), including both ends, or all of them if size <= count. */
    static int[] sample(int size, int count, SplittableRandom random) {
        if (size <= count) return all(size);
        return IntStream.concat(IntStream.of(0, size - 1), random.ints(0, size).distinct().limit(count - 2L))
                .distinct().sorted().toArray();
    }

    static float[] gaussian(SplittableRandom random, int size, double scale) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) values[i] = (float) (random.nextGaussian() * scale);
        return values;
    }

    static float[] nans(int size) {
        float[] values = new float[size];
        java.util.Arrays.fill(values, Float.NaN);
        return values;
    }

    static int[] tokens(SplittableRandom random, int size, int vocab) {
        return random.ints(size, 0, vocab).toArray();
    }
}
