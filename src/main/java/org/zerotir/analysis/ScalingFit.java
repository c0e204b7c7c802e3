package org.zerotir.analysis;

import java.util.ArrayList;
import java.util.List;

/**
 * Fits of a metric against training step, the curves the paper's "scaling law" is read from. Two forms,
 * both least squares after a transform: logarithmic y = a + b ln(step), and power law y = a step^b (fitted on
 * ln y, so only for positive y). R^2 is computed on y itself, so the forms compare fairly.
 */
public record ScalingFit(Form form, double a, double b, double rSquared, int points) {

    public enum Form { LOGARITHMIC, POWER_LAW }

    public double predict(double step) {
        return switch (form) {
            case LOGARITHMIC -> a + b * Math.log(step);
            case POWER_LAW -> a * Math.pow(step, b);
        };
    }

    /** The form in words, e.g. "0.12 + 0.08 ln(step)". */
    public String describe() {
        return switch (form) {
            case LOGARITHMIC -> String.format("%.4g %s %.4g ln(step)", a, b < 0 ? "-" : "+", Math.abs(b));
            case POWER_LAW -> String.format("%.4g step^%.4g", a, b);
        };
    }

    /** Fits both forms to the points with step >= 1 and returns the one with the higher R^2 (null if none fits). */
    public static ScalingFit best(double[] steps, double[] values) {
        ScalingFit best = null;
        for (Form form : Form.values()) {
            ScalingFit fit = fit(form, steps, values);
            if (fit != null && (best == null || fit.rSquared() > best.rSquared())) best = fit;
        }
        return best;
    }

    /** Null when fewer than 3 usable points or the data cannot take the form (power law needs y > 0). */
    public static ScalingFit fit(Form form, double[] steps, double[] values) {
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < steps.length; i++) {
            if (steps[i] < 1 || !Double.isFinite(values[i])) continue;
            if (form == Form.POWER_LAW && values[i] <= 0) return null;
            points.add(new double[] {Math.log(steps[i]), form == Form.POWER_LAW ? Math.log(values[i]) : values[i], values[i], steps[i]});
        }
        if (points.size() < 3) return null;
        double n = points.size(), mx = 0, my = 0;
        for (double[] p : points) {
            mx += p[0] / n;
            my += p[1] / n;
        }
        double sxy = 0, sxx = 0;
        for (double[] p : points) {
            sxy += (p[0] - mx) * (p[1] - my);
            sxx += (p[0] - mx) * (p[0] - mx);
        }
        if (sxx == 0) return null;
        double slope = sxy / sxx, intercept = my - slope * mx;
        ScalingFit fit = form == Form.LOGARITHMIC
                ? new ScalingFit(form, intercept, slope, 0, points.size())
                : new ScalingFit(form, Math.exp(intercept), slope, 0, points.size());
        double meanY = 0;
        for (double[] p : points) meanY += p[2] / n;
        double residual = 0, total = 0;
        for (double[] p : points) {
            residual += Math.pow(p[2] - fit.predict(p[3]), 2);
            total += Math.pow(p[2] - meanY, 2);
        }
        double rSquared = total == 0 ? 0 : 1 - residual / total;
        return new ScalingFit(form, fit.a(), fit.b(), rSquared, points.size());
    }
}
