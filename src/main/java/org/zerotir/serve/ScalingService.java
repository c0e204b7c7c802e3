package org.zerotir.serve;

import jakarta.enterprise.context.ApplicationScoped;
import org.zerotir.analysis.ScalingAnalysis;
import org.zerotir.rl.MetricNames;
import org.zerotir.runs.ApiError;
import org.zerotir.runs.RunService;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The scaling-law view of a run for the dashboard: each metric against training step fitted in the three forms of
 * {@link ScalingAnalysis} (the best chosen by held-out error), and the Pearson and Spearman correlations between
 * step, code use, response length and accuracy. The metrics are read through {@link RunService}, as stored.
 */
@ApplicationScoped
public class ScalingService {

    /** What a run is judged on when the caller names nothing; every eval/* metric present is added. */
    static final List<String> DEFAULT_METRICS = List.of(MetricNames.ACCURACY, MetricNames.TOOL_CODE_RATIO,
            MetricNames.TOOL_CALLS_PER_RESPONSE, MetricNames.RESPONSE_LENGTH_MEAN, MetricNames.REWARD_MEAN);

    /** The paper's question: do code use, length and accuracy rise together with step? */
    static final List<String> CORRELATED = List.of(MetricNames.TOOL_CODE_RATIO, MetricNames.RESPONSE_LENGTH_MEAN, MetricNames.ACCURACY);

    /** JSON has no NaN: a figure that cannot be computed (a constant series, too few early points) is null. */
    public record Fit(String form, Double a, Double b, Double rSquared, Double heldOutRmse, String formula) {}

    public record MetricScaling(String metric, int points, String best, List<Fit> fits) {}

    public record Correlation(String first, String second, Double pearson, Double spearman) {}

    public record RunScaling(String run, List<MetricScaling> metrics, List<Correlation> correlations) {}

    private final RunService runs;

    public ScalingService(RunService runs) {
        this.runs = runs;
    }

    /**
     * @param metrics  the metrics to fit; empty: {@link #DEFAULT_METRICS} and every eval/* metric the run has
     * @param heldOut  the share of latest steps the forms are judged on, in (0, 1)
     */
    public RunScaling scaling(UUID run, List<String> metrics, double heldOut) {
        if (!(heldOut > 0 && heldOut < 1)) throw ApiError.invalid("heldOut", "heldOut must be in (0, 1), got " + heldOut);
        for (String m : metrics) if (m == null || m.isBlank()) throw ApiError.invalid("metric", "a metric name must not be empty");
        LinkedHashSet<String> wanted = new LinkedHashSet<>(metrics.isEmpty() ? DEFAULT_METRICS : metrics);
        LinkedHashSet<String> read = new LinkedHashSet<>(wanted);
        read.addAll(CORRELATED);
        List<RunService.StepMetrics> steps = new ArrayList<>(runs.metrics(run, null, null, List.copyOf(read), false));
        if (metrics.isEmpty()) {
            List<RunService.StepMetrics> evaluations = runs.metrics(run, null, null, List.of(), true);
            for (RunService.StepMetrics s : evaluations) wanted.addAll(s.metrics().keySet());
            steps.addAll(evaluations);
        }
        List<MetricScaling> fitted = new ArrayList<>();
        for (String metric : wanted) fitted.add(fit(metric, steps, heldOut));
        return new RunScaling(run.toString(), fitted, correlations(steps));
    }

    private static MetricScaling fit(String metric, List<RunService.StepMetrics> steps, double heldOut) {
        double[][] series = series(steps, List.of(metric));
        ScalingAnalysis.Result result = ScalingAnalysis.analyse(series[0], series[1], heldOut);
        List<Fit> fits = result.fits().stream().map(f -> new Fit(f.form().name(), finite(f.a()), finite(f.b()), finite(f.rSquared()),
                finite(f.heldOutRmse()), f.formula())).toList();
        ScalingAnalysis.FormFit best = result.best();
        // a best form whose held-out error is unknown was not chosen by anything: report none
        String bestForm = best == null || Double.isNaN(best.heldOutRmse()) ? null : best.form().name();
        return new MetricScaling(metric, result.points(), bestForm, fits);
    }

    /** Pairwise over the steps (>= 1) where step and every correlated metric have a value, so the series pair up. */
    private static List<Correlation> correlations(List<RunService.StepMetrics> steps) {
        double[][] aligned = series(steps, CORRELATED);
        if (aligned[0].length < 3) return List.of();
        Map<String, double[]> named = new LinkedHashMap<>();
        named.put("step", aligned[0]);
        for (int m = 0; m < CORRELATED.size(); m++) named.put(CORRELATED.get(m), aligned[m + 1]);
        return ScalingAnalysis.correlations(named).stream()
                .map(c -> new Correlation(c.first(), c.second(), finite(c.pearson()), finite(c.spearman()))).toList();
    }

    /** [steps, values of names[0], values of names[1], ...] over training steps (>= 1) where every name has a finite value. */
    private static double[][] series(List<RunService.StepMetrics> steps, List<String> names) {
        List<double[]> rows = new ArrayList<>();
        for (RunService.StepMetrics s : steps) {
            if (s.step() < 1) continue;
            double[] row = new double[names.size() + 1];
            row[0] = s.step();
            boolean complete = true;
            for (int m = 0; m < names.size() && complete; m++) {
                Double value = s.metrics().get(names.get(m));
                complete = value != null && Double.isFinite(value);
                if (complete) row[m + 1] = value;
            }
            if (complete) rows.add(row);
        }
        double[][] columns = new double[names.size() + 1][rows.size()];
        for (int i = 0; i < rows.size(); i++) for (int c = 0; c <= names.size(); c++) columns[c][i] = rows.get(i)[c];
        return columns;
    }

    /** A run id from a URL; what is not a UUID names no run (404, as the run API answers). */
    static UUID runId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiError.notFound("no run " + id + " (run ids are UUIDs)");
        }
    }

    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
