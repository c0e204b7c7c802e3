package org.zerotir.analysis;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/** Spearman's rank correlation: the paper's evidence that code use and accuracy rise with training steps. */
public final class Spearman {
    private Spearman() {}

    /** rho in [-1, 1]; ties get their average rank. NaN when either series is constant or shorter than 2. */
    public static double correlation(double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException("series differ in length: " + x.length + " and " + y.length);
        if (x.length < 2) return Double.NaN;
        return Pearson.correlation(ranks(x), ranks(y));
    }

    static double[] ranks(double[] values) {
        Integer[] order = IntStream.range(0, values.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
        double[] ranks = new double[values.length];
        for (int i = 0; i < order.length; ) {
            int j = i;
            while (j + 1 < order.length && values[order[j + 1]] == values[order[i]]) j++;
            double average = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) ranks[order[k]] = average;
            i = j + 1;
        }
        return ranks;
    }
}
