package org.zerotir.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.zerotir.analysis.CurvesChart;
import org.zerotir.analysis.ScalingAnalysis;
import org.zerotir.analysis.Spearman;
import org.zerotir.rl.MetricNames;
import org.zerotir.rl.TrainingLoop;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * Reads runs' metrics.jsonl and says whether they show the paper's result: how accuracy, code use and response
 * length moved with step (start and end means, Spearman correlation with step, the best scaling-law fit), the
 * held-out accuracy at the first and last evaluation, and optionally the curves as a PNG.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Summarise runs' metrics against step (correlations, scaling fits) and draw their curves.")
final class ReportCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String HELD_OUT = MetricNames.evalAverage(TrainingLoop.HELD_OUT, 1);
    static final List<String> METRICS = List.of(MetricNames.ACCURACY, MetricNames.TOOL_CODE_RATIO, MetricNames.RESPONSE_LENGTH_MEAN);

    @Spec
    CommandSpec spec;

    @Option(names = "--run", required = true, description = "a run directory (repeat to compare runs)")
    List<Path> runs;

    @Option(names = "--png", description = "write the curves of accuracy, code use, response length and held-out accuracy here")
    Path png;

    @Option(names = "--window", defaultValue = "5", description = "steps averaged for the start and end figures (default: ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--scaling", description = "also fit each metric with linear, logarithmic and power-law forms (chosen by the error "
            + "on the last --held-out share of steps) and correlate step, accuracy, code use and response length")
    boolean scaling;

    @Option(names = "--held-out", defaultValue = "0.2", description = "share of the latest steps the --scaling forms are judged on (default: ${DEFAULT-VALUE})")
    double heldOut;

    @Override
    public Integer call() throws IOException {
        if (window < 1) throw new IllegalArgumentException("--window must be >= 1, got " + window);
        PrintWriter out = spec.commandLine().getOut();
        List<List<CurvesChart.Series>> panels = new ArrayList<>();
        for (int i = 0; i <= METRICS.size(); i++) panels.add(new ArrayList<>());
        out.println("| run | metric | first " + window + " | last " + window + " | Spearman with step | best fit |");
        out.println("|---|---|---|---|---|---|");
        for (Path run : runs) {
            TreeMap<Integer, JsonNode>[] lines = read(run);
            String name = run.getFileName().toString();
            for (int m = 0; m < METRICS.size(); m++) {
                CurvesChart.Series series = series(name, lines[0], METRICS.get(m));
                panels.get(m).add(series);
                if (series.steps().length == 0) continue;
                ScalingAnalysis.FormFit fit = ScalingAnalysis.analyse(series.steps(), series.values(), heldOutShare()).best();
                out.printf("| %s | %s | %.3f | %.3f | %.3f | %s |%n", name, METRICS.get(m), mean(series.values(), 0, window),
                        mean(series.values(), series.values().length - window, window),
                        series.steps().length >= 3 ? Spearman.correlation(series.steps(), series.values()) : Double.NaN,
                        fit == null ? "" : fit.formula() + String.format(java.util.Locale.ROOT, ", R² %.2f", fit.rSquared()));
            }
            CurvesChart.Series heldOut = series(name, lines[1], HELD_OUT);
            panels.get(METRICS.size()).add(heldOut);
            if (heldOut.steps().length > 0) {
                // its Spearman is over the evaluation steps: fewer points than the training series, but each a fixed set of problems
                out.printf("| %s | %s | %.3f (step %.0f) | %.3f (step %.0f) | %.3f | |%n", name, HELD_OUT, heldOut.values()[0], heldOut.steps()[0],
                        heldOut.values()[heldOut.values().length - 1], heldOut.steps()[heldOut.steps().length - 1],
                        heldOut.steps().length >= 3 ? Spearman.correlation(heldOut.steps(), heldOut.values()) : Double.NaN);
            }
        }
        if (scaling) scalingReport(out);
        out.flush();
        if (png != null) {
            List<CurvesChart.Panel> chart = new ArrayList<>();
            for (int m = 0; m < METRICS.size(); m++) chart.add(new CurvesChart.Panel(METRICS.get(m), panels.get(m)));
            chart.add(new CurvesChart.Panel(HELD_OUT + " (greedy)", panels.get(METRICS.size())));
            CurvesChart.write(chart, "Zerotir runs: " + String.join(" vs ", runs.stream().map(p -> p.getFileName().toString()).toList()), png);
            spec.commandLine().getErr().println("report: curves in " + png);
        }
        return 0;
    }

    /** The scaling-law section: every form of every metric, the chosen one first, then the correlations. */
    private void scalingReport(PrintWriter out) throws IOException {
        out.println();
        out.println("| run | metric | form | a | b | R² | held-out RMSE | chosen |");
        out.println("|---|---|---|---|---|---|---|---|");
        List<String> correlationRows = new ArrayList<>();
        for (Path run : runs) {
            String name = run.getFileName().toString();
            TreeMap<Integer, JsonNode> lines = read(run)[0];
            for (String metric : METRICS) {
                CurvesChart.Series series = series(name, lines, metric);
                ScalingAnalysis.Result result = ScalingAnalysis.analyse(series.steps(), series.values(), heldOutShare());
                for (ScalingAnalysis.FormFit fit : result.fits()) {
                    out.printf(java.util.Locale.ROOT, "| %s | %s | %s | %.4g | %.4g | %.3f | %.4g | %s |%n", name, metric,
                            fit.form().name().toLowerCase(java.util.Locale.ROOT), fit.a(), fit.b(), fit.rSquared(), fit.heldOutRmse(),
                            fit == result.best() ? "yes" : "");
                }
            }
            // steps where every metric is present, so the series pair up point by point
            java.util.Map<String, double[]> aligned = new java.util.LinkedHashMap<>();
            List<Integer> steps = lines.entrySet().stream().filter(e -> METRICS.stream().allMatch(e.getValue()::has)).map(java.util.Map.Entry::getKey).toList();
            if (steps.size() < 3) continue;
            aligned.put("step", steps.stream().mapToDouble(Integer::doubleValue).toArray());
            for (String metric : METRICS) aligned.put(metric, steps.stream().mapToDouble(st -> lines.get(st).get(metric).asDouble()).toArray());
            for (ScalingAnalysis.Correlation c : ScalingAnalysis.correlations(aligned)) {
                correlationRows.add(String.format(java.util.Locale.ROOT, "| %s | %s | %s | %.3f | %.3f |", name, c.first(), c.second(), c.pearson(), c.spearman()));
            }
        }
        out.println();
        out.println("| run | series | series | Pearson | Spearman |");
        out.println("|---|---|---|---|---|");
        correlationRows.forEach(out::println);
    }

    private double heldOutShare() {
        if (!(heldOut > 0 && heldOut < 1)) throw new IllegalArgumentException("--held-out must be in (0, 1), got " + heldOut);
        return heldOut;
    }

    /** [step lines, evaluation lines] by step; a later line for the same step replaces an earlier one. */
    @SuppressWarnings("unchecked")
    private static TreeMap<Integer, JsonNode>[] read(Path run) throws IOException {
        Path file = run.resolve(RunFiles.METRICS);
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("--run " + run + " has no " + RunFiles.METRICS);
        TreeMap<Integer, JsonNode> steps = new TreeMap<>(), evaluations = new TreeMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) continue;
            JsonNode node = JSON.readTree(line);
            (node.path("metrics").has(HELD_OUT) ? evaluations : steps).put(node.path("step").asInt(), node.path("metrics"));
        }
        return new TreeMap[] {steps, evaluations};
    }

    private static CurvesChart.Series series(String run, TreeMap<Integer, JsonNode> lines, String metric) {
        List<double[]> points = new ArrayList<>();
        lines.forEach((step, metrics) -> {
            if (metrics.has(metric)) points.add(new double[] {step, metrics.get(metric).asDouble()});
        });
        double[] steps = new double[points.size()], values = new double[points.size()];
        for (int i = 0; i < points.size(); i++) {
            steps[i] = points.get(i)[0];
            values[i] = points.get(i)[1];
        }
        return new CurvesChart.Series(run, steps, values);
    }

    private static double mean(double[] values, int from, int count) {
        from = Math.max(0, from);
        int to = Math.min(values.length, from + count);
        double sum = 0;
        for (int i = from; i < to; i++) sum += values[i];
        return to > from ? sum / (to - from) : Double.NaN;
    }
}
