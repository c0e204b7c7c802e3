package org.zerotir.analysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A metric against training step in three forms — linear y = a + b step, logarithmic y = a + b ln(step), power
 * law y = a step^b — each fitted on all points (parameters and R^2 reported) and chosen by held-out error: fitted
 * again on the earlier steps only, the form that best predicts the last ones wins. Selecting by in-sample R^2
 * would favour whichever form bends most; a scaling law is worth what it extrapolates.
 */
public final class ScalingAnalysis {
    private ScalingAnalysis() {}

    public enum Form { LINEAR, LOGARITHMIC, POWER_LAW }

    /** The share of latest steps the forms are judged on when a caller has no reason to choose another. */
    public static final double DEFAULT_HELD_OUT = 0.2;

    /** One form: parameters and R^2 on every point; heldOutRmse from the fit on the earlier points (NaN when it cannot fit). */
    public record FormFit(Form form, double a, double b, double rSquared, double heldOutRmse) {
        public double predict(double step) {
            return ScalingAnalysis.predict(form, a, b, step);
        }

        /** The law in words, e.g. "0.1 + 0.02 ln(step)" (4 significant digits, Locale.ROOT so a report reads the same everywhere). */
        public String formula() {
            String sign = b < 0 ? "-" : "+";
            return switch (form) {
                case LINEAR -> String.format(Locale.ROOT, "%.4g %s %.4g step", a, sign, Math.abs(b));
                case LOGARITHMIC -> String.format(Locale.ROOT, "%.4g %s %.4g ln(step)", a, sign, Math.abs(b));
                case POWER_LAW -> String.format(Locale.ROOT, "%.4g step^%.4g", a, b);
            };
        }
    }

    /** All forms that fit, the best (lowest held-out error) first; points: how many (step, value) pairs took part. */
    public record Result(int points, List<FormFit> fits) {
        public FormFit best() {
            return fits.isEmpty() ? null : fits.getFirst();
        }
    }

    /**
     * heldOutFraction of the points (the latest steps, at least one) are kept out of the selection fits. Points with
     * step < 1 or a non-finite value are ignored (ln and power need step >= 1).
     */
    public static Result analyse(double[] steps, double[] values, double heldOutFraction) {
        if (steps.length != values.length) throw new IllegalArgumentException("steps and values differ in length");
        if (!(heldOutFraction > 0 && heldOutFraction < 1)) throw new IllegalArgumentException("heldOutFraction must be in (0, 1)");
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < steps.length; i++) if (steps[i] >= 1 && Double.isFinite(values[i])) points.add(new double[] {steps[i], values[i]});
        points.sort(Comparator.comparingDouble(p -> p[0]));
        int held = Math.min(points.size(), Math.max(1, (int) Math.round(points.size() * heldOutFraction)));
        List<double[]> early = points.subList(0, Math.max(0, points.size() - held)), late = points.subList(points.size() - held, points.size());
        List<FormFit> fits = new ArrayList<>();
        for (Form form : Form.values()) {
            double[] all = leastSquares(form, points);
            if (all == null) continue;
            double[] selection = leastSquares(form, early);
            double rmse = Double.NaN;
            if (selection != null) {
                double sum = 0;
                for (double[] p : late) sum += Math.pow(p[1] - predict(form, selection[0], selection[1], p[0]), 2);
                rmse = Math.sqrt(sum / late.size());
            }
            fits.add(new FormFit(form, all[0], all[1], rSquared(form, all, points), rmse));
        }
        fits.sort(Comparator.comparingDouble((FormFit f) -> Double.isNaN(f.heldOutRmse()) ? Double.MAX_VALUE : f.heldOutRmse()));
        return new Result(points.size(), List.copyOf(fits));
    }

    /** Pearson and Spearman correlations between every pair of named series (same length, same steps). */
    public record Correlation(String first, String second, double pearson, double spearman) {}

    public static List<Correlation> correlations(Map<String, double[]> series) {
        List<String> names = new ArrayList<>(new LinkedHashMap<>(series).keySet());
        List<Correlation> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            for (int j = i + 1; j < names.size(); j++) {
                double[] x = series.get(names.get(i)), y = series.get(names.get(j));
                if (x.length != y.length) throw new IllegalArgumentException(names.get(i) + " and " + names.get(j) + " differ in length");
                out.add(new Correlation(names.get(i), names.get(j), Pearson.correlation(x, y), Spearman.correlation(x, y)));
            }
        }
        return out;
    }

    static double predict(Form form, double a, double b, double step) {
        return switch (form) {
            case LINEAR -> a + b * step;
            case LOGARITHMIC -> a + b * Math.log(step);
            case POWER_LAW -> a * Math.pow(step, b);
        };
    }

    /** [a, b] by least squares on the transformed axes (power law: ln y on ln step), or null. */
    private static double[] leastSquares(Form form, List<double[]> points) {
        if (points.size() < 3) return null;
        double n = points.size(), mx = 0, my = 0;
        double[][] t = new double[points.size()][2];
        for (int i = 0; i < points.size(); i++) {
            double step = points.get(i)[0], value = points.get(i)[1];
            if (form == Form.POWER_LAW && value <= 0) return null;
            t[i][0] = form == Form.LINEAR ? step : Math.log(step);
            t[i][1] = form == Form.POWER_LAW ? Math.log(value) : value;
            mx += t[i][0] / n;
            my += t[i][1] / n;
        }
        double sxy = 0, sxx = 0;
        for (double[] p : t) {
            sxy += (p[0] - mx) * (p[1] - my);
            sxx += (p[0] - mx) * (p[0] - mx);
        }
        if (sxx == 0) return null;
        double slope = sxy / sxx, intercept = my - slope * mx;
        return form == Form.POWER_LAW ? new double[] {Math.exp(intercept), slope} : new double[] {intercept, slope};
    }

    /** R^2 on y itself, so that the forms compare fairly. */
    private static double rSquared(Form form, double[] ab, List<double[]> points) {
        double mean = points.stream().mapToDouble(p -> p[1]).average().orElse(0), residual = 0, total = 0;
        for (double[] p : points) {
            residual += Math.pow(p[1] - predict(form, ab[0], ab[1], p[0]), 2);
            total += Math.pow(p[1] - mean, 2);
        }
        return total == 0 ? 0 : 1 - residual / total;
    }
}
