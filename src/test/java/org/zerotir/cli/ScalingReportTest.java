package org.zerotir.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** zerotir report --scaling on a run whose metrics follow known laws. */
class ScalingReportTest {

    @Test
    void choosesTheLawEachMetricFollows(@TempDir Path tmp) throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        StringBuilder lines = new StringBuilder();
        for (int step = 1; step <= 60; step++) {
            double accuracy = 0.1 + 0.05 * Math.log(step), codeRatio = 0.02 * Math.pow(step, 0.7), length = 200 + 1.5 * step;
            lines.append(String.format(Locale.ROOT, "{\"step\": %d, \"metrics\": {\"accuracy\": %.6f, \"tool/code_ratio\": %.6f, "
                    + "\"response/length_mean\": %.6f}}%n", step, accuracy, codeRatio, length));
        }
        double[] heldOut = {0.0, 0.3, 0.2, 0.5, 0.6, 0.7, 0.8};
        for (int i = 0; i < heldOut.length; i++) {
            lines.append(String.format(Locale.ROOT, "{\"step\": %d, \"metrics\": {\"eval/heldout/avg@1\": %.2f}}%n", 10 * i, heldOut[i]));
        }
        Files.writeString(run.resolve("metrics.jsonl"), lines);
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine line = Commands.commandLine();
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(err));
        assertEquals(0, line.execute("report", "--run", run.toString(), "--scaling"), err.toString());
        String report = out.toString();
        assertTrue(report.contains("| run | accuracy | logarithmic | 0.1000 | 0.05000 | 1.000 |"), report);
        assertTrue(report.contains("| run | tool/code_ratio | power_law | 0.02000 | 0.7000 | 1.000 |"), report);
        assertTrue(report.contains("| run | response/length_mean | linear | 200.0 | 1.500 | 1.000 |"), report);
        for (String chosen : new String[] {"| run | accuracy | logarithmic", "| run | tool/code_ratio | power_law", "| run | response/length_mean | linear"}) {
            String row = report.lines().filter(l -> l.startsWith(chosen)).findFirst().orElseThrow();
            assertTrue(row.endsWith("| yes |"), row);
        }
        assertTrue(report.contains("| run | step | response/length_mean | 1.000 | 1.000 |"), report);
        assertTrue(report.contains("| run | step | accuracy |"), report);
        // held-out accuracy over its evaluation steps: one swap in seven points, 1 - 6 * 2 / (7 * 48)
        assertTrue(report.contains("| run | eval/heldout/avg@1 | 0.000 (step 0) | 0.800 (step 60) | 0.964 | |"), report);
    }
}
