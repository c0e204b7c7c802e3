package org.zerotir.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.zerotir.analysis.CurvesChart;
import org.zerotir.analysis.ScalingFit;
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
                ScalingFit fit = series.steps().length >= 3 ? ScalingFit.best(series.steps(), series.values()) : null;
                out.printf("| %s | %s | %.3f | %.3f | %.3f | %s |%n", name, METRICS.get(m), mean(series.values(), 0, window),
                        mean(series.values(), series.values().length - window, window),
                        series.steps().length >= 3 ? Spearman.correlation(series.steps(), series.values()) : Double.NaN,
                        fit == null ? "" : fit.describe() + String.format(", R² %.2f", fit.rSquared()));
            }
            CurvesChart.Series heldOut = series(name, lines[1], HELD_OUT);
            panels.get(METRICS.size()).add(heldOut);
            if (heldOut.steps().length > 0) {
                out.printf("| %s | %s | %.3f (step %.0f) | %.3f (step %.0f) | | |%n", name, HELD_OUT, heldOut.values()[0], heldOut.steps()[0],
                        heldOut.values()[heldOut.values().length - 1], heldOut.steps()[heldOut.steps().length - 1]);
            }
        }
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
