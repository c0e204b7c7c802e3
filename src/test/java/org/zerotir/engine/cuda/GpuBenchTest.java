package org.zerotir.engine.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GpuBench's harness on the CPU backend with tiny shapes, so that on the GPU machine a failure is the GPU's:
 * every workload must produce a row, with a positive rate and an MFU that is a fraction of the peak.
 */
class GpuBenchTest {

    @Test
    void quickRunOnTheCpuWritesEveryRow(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("bench.md");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int status = GpuBench.run(new String[] {"--backend", "cpu", "--quick", "--out", out.toString()},
                new PrintStream(log, true, StandardCharsets.UTF_8));
        String printed = log.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
        assertEquals(0, status, printed);

        List<String> rows = Files.readAllLines(out).stream()
                .filter(line -> line.startsWith("| train") || line.startsWith("| decode")).toList();
        for (String shape : List.of("tiny (GPT-2-like)", "tiny (Qwen-like)")) {
            assertTrue(rows.stream().anyMatch(r -> r.startsWith("| train " + shape + " | B2×T32 |")), "no training row for " + shape);
            for (int batch : new int[] {1, 64, 256}) {
                assertTrue(rows.stream().anyMatch(r -> r.startsWith("| decode " + shape + " | batch " + batch + ",")),
                        "no decoding row for " + shape + " at batch " + batch);
            }
        }
        assertEquals(8, rows.size(), String.join("\n", rows));
        for (String row : rows) {
            String[] cells = row.split("\\|");   // cells[0] is the empty text before the first bar
            double tokensPerSecond = Double.parseDouble(cells[5].trim());
            assertTrue(tokensPerSecond > 0, row);
            for (int column : new int[] {7, 8}) {
                double mfu = Double.parseDouble(cells[column].replace("%", "").trim()) / 100;
                assertTrue(mfu > 0 && mfu < 1, "MFU " + mfu + " in " + row);
            }
        }
    }

    @Test
    void badArgumentsAreRefusedWithTheUsage() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        assertEquals(64, GpuBench.run(new String[] {"--backend", "tpu"}, new PrintStream(log, true, StandardCharsets.UTF_8)));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("usage:"));
    }
}
