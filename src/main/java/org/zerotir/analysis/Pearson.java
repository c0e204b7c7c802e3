package org.zerotir.analysis;

/** Pearson's linear correlation. */
public final class Pearson {
    private Pearson() {}

    /** NaN when either series is constant: there is no correlation to speak of. */
    public static double correlation(double[] x, double[] y) {
        // tested exactly: the mean of a constant like 0.1 is not exactly 0.1 in floating point, and the rounding
        // residues would otherwise give a "correlation" made of noise
        if (constant(x) || constant(y)) return Double.NaN;
        int n = x.length;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i] / n;
            my += y[i] / n;
        }
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }

    private static boolean constant(double[] values) {
        for (double v : values) if (v != values[0]) return false;
        return true;
    }
}
