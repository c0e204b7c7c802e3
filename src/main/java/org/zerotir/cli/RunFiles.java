package org.zerotir.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.zerotir.rl.MetricNames;
import org.zerotir.rl.RlTrainer;
import org.zerotir.rl.Scorer;
import org.zerotir.rl.TrainingLoop;
import org.zerotir.rollout.CodeRunner;
import org.zerotir.rollout.Trajectory;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The CLI's record of a run, in its directory: {@code metrics.jsonl} (one line per step and per evaluation),
 * {@code rollouts.jsonl} (a few sampled responses per step, in full) and a progress line on the terminal.
 * On resume, lines of steps after the checkpoint are dropped first, so recomputed steps replace them.
 */
final class RunFiles implements TrainingLoop.Listener {
    static final String METRICS = "metrics.jsonl", ROLLOUTS = "rollouts.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path metrics, rollouts;
    private final int totalSteps, rolloutsKept;
    private final PrintWriter progress;
    private final long started = System.nanoTime();

    RunFiles(Path runDirectory, int totalSteps, int rolloutsKept, int resumedAfterStep, PrintWriter progress) throws IOException {
        Files.createDirectories(runDirectory);
        this.metrics = runDirectory.resolve(METRICS);
        this.rollouts = runDirectory.resolve(ROLLOUTS);
        this.totalSteps = totalSteps;
        this.rolloutsKept = rolloutsKept;
        this.progress = progress;
        dropAfter(metrics, resumedAfterStep);
        dropAfter(rollouts, resumedAfterStep);
    }

    /** Keeps the lines of steps up to {@code step}: steps after a checkpoint are recomputed on resume. */
    private static void dropAfter(Path file, int step) throws IOException {
        if (!Files.exists(file)) return;
        List<String> kept = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            try {
                if (JSON.readTree(line).path("step").asInt() <= step) kept.add(line);
            } catch (IOException e) {
                // a line cut off by a crash: it belongs to a step that will be recomputed
            }
        }
        Files.write(file, kept, StandardCharsets.UTF_8);
    }

    @Override
    public void step(RlTrainer.StepResult result) {
        int step = result.step() + 1;
        ObjectNode line = JSON.createObjectNode().put("step", step);
        ObjectNode values = line.putObject("metrics");
        result.metrics().forEach(values::put);
        append(metrics, line);
        // spread over the step's prompts rather than the first prompt's samples
        int total = result.trajectories().size(), kept = Math.min(rolloutsKept, total);
        for (int i = 0; i < kept; i++) append(rollouts, rollout(step, result, i * total / kept));
        Map<String, Double> m = result.metrics();
        double elapsed = (System.nanoTime() - started) / 1e9;
        progress.printf("%s step %d/%d  accuracy %.3f  code %.2f  calls %.2f  length %.0f  gen %.1fs  train %.1fs  elapsed %.0fs%n",
                bar(step, totalSteps), step, totalSteps, m.get(MetricNames.ACCURACY), m.get(MetricNames.TOOL_CODE_RATIO),
                m.get(MetricNames.TOOL_CALLS_PER_RESPONSE), m.get(MetricNames.RESPONSE_LENGTH_MEAN),
                m.get(MetricNames.TIME_GEN_S), m.get(MetricNames.TIME_TRAIN_S), elapsed);
        progress.flush();
    }

    /** A 20-character progress bar: the log stays line-oriented, so it reads the same in a terminal and a file. */
    static String bar(int done, int total) {
        int filled = (int) Math.round(20.0 * done / Math.max(1, total));
        return "[" + "#".repeat(Math.min(20, filled)) + ".".repeat(Math.max(0, 20 - filled)) + "]";
    }

    private static ObjectNode rollout(int step, RlTrainer.StepResult result, int index) {
        Trajectory t = result.trajectories().get(index);
        Scorer.Score score = result.scores().get(index);
        ObjectNode line = JSON.createObjectNode().put("step", step);
        line.put("problem", result.problems().get(t.problemIndex()).problem());
        line.put("reference", result.problems().get(t.problemIndex()).answer());
        line.put("response", t.responseText());
        line.put("answer", score.answer());
        line.put("reward", score.reward());
        line.put("correct", score.correct());
        line.put("truncated", t.ending() == Trajectory.Ending.TRUNCATED);
        line.put("fakeOutput", t.fakeOutput());
        ArrayNode executions = line.putArray("executions");
        for (CodeRunner.Execution e : t.executions()) {
            executions.addObject().put("code", e.code()).put("output", e.output()).put("status", e.status().name())
                    .put("durationMillis", e.durationMillis());
        }
        return line;
    }

    @Override
    public void evaluated(int step, Map<String, Double> values) {
        ObjectNode line = JSON.createObjectNode().put("step", step);
        ObjectNode node = line.putObject("metrics");
        values.forEach(node::put);
        append(metrics, line);
        progress.printf("step %d/%d  held-out %s%n", step, totalSteps, values);
        progress.flush();
    }

    @Override
    public void checkpointed(int step, Path directory) {
        progress.printf("step %d/%d  checkpoint %s%n", step, totalSteps, directory);
        progress.flush();
    }

    private static void append(Path file, ObjectNode line) {
        try {
            Files.writeString(file, JSON.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }
}
