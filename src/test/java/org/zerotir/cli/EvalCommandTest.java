package org.zerotir.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** zerotir eval end to end on a tiny Qwen2.5-vocabulary model with the real tokenizer and sandbox. */
class EvalCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path qwenShapedModel(Path directory) throws Exception {
        org.zerotir.engine.ModelConfig config = new org.zerotir.engine.ModelConfig(151936, 32, 64, 1, 2, 1, 1024, 1e6, 1e-6, true, true);
        try (org.zerotir.engine.cpu.CpuBackend backend = new org.zerotir.engine.cpu.CpuBackend(2);
             org.zerotir.engine.Transformer model = new org.zerotir.engine.Transformer(backend, config)) {
            model.initializeRandom(3);
            org.zerotir.engine.checkpoint.HuggingFaceCheckpoint.save(model, directory);
        }
        Files.copy(org.zerotir.SharedData.require("qwen2.5-tokenizer/tokenizer.json"), directory.resolve("tokenizer.json"));
        Files.writeString(directory.resolve("tokenizer_config.json"),
                "{\"eos_token\": \"<|endoftext|>\", \"pad_token\": \"<|endoftext|>\", \"bos_token\": null}");
        return directory;
    }

    private static String[] run(String... args) {
        StringWriter err = new StringWriter(), out = new StringWriter();
        CommandLine line = Commands.commandLine();
        line.setErr(new PrintWriter(err));
        line.setOut(new PrintWriter(out));
        int code = line.execute(args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    @Test
    void evaluatesAModelAndABaselineIntoTheHeadlineTable(@TempDir Path tmp) throws Exception {
        Path model = qwenShapedModel(tmp.resolve("qwen"));
        Path csv = tmp.resolve("report.csv"), records = tmp.resolve("records.jsonl");
        String[] result = run("eval", "--data-dir", org.zerotir.SharedData.DIR.toString(), "--model", model.toString(), "--baseline", model.toString(), "--benchmark", "math500,gsm8k",
                "--limit", "2", "--samples", "2", "--max-response-tokens", "6", "--threads", "2", "--out", csv.toString(),
                "--records", records.toString());
        assertEquals("0", result[0], result[2]);
        assertTrue(result[2].contains("eval math500 (tool) [") && result[2].contains("4/4 responses"), result[2]);
        assertTrue(result[1].contains("| model | benchmark | tool |"), result[1]);
        assertTrue(result[1].contains("| benchmark | ZeroTIR avg@k | ZeroRL avg@k |"), result[1]);
        List<String> lines = Files.readAllLines(csv);
        assertEquals("benchmark,ZeroTIR avg@k,ZeroRL avg@k,difference,ZeroTIR pass@k,ZeroRL pass@k,ZeroTIR code_ratio,"
                + "ZeroTIR calls_per_response,ZeroTIR model,ZeroRL model", lines.getFirst());
        assertTrue(lines.get(1).startsWith("math500 (k=2),") && lines.get(2).startsWith("gsm8k (k=2),"), String.join("\n", lines));
        assertTrue(lines.get(3).startsWith("average,"), String.join("\n", lines));
        // 2 models x 2 benchmarks x 2 problems x 2 samples, each response whole
        List<String> recordLines = Files.readAllLines(records);
        assertEquals(16, recordLines.size());
        for (String line : recordLines) {
            JsonNode record = JSON.readTree(line);
            assertTrue(record.path("record").path("length").asInt() >= 1, line);
            assertEquals(record.path("record").path("reference").asText().equals(record.path("record").path("answer").asText()),
                    record.path("record").path("correct").asBoolean(), line);
        }
    }

    @Test
    void aimeIsSampledSixteenTimesUnlessToldOtherwise(@TempDir Path tmp) throws Exception {
        Path model = qwenShapedModel(tmp.resolve("qwen"));
        String[] result = run("eval", "--data-dir", org.zerotir.SharedData.DIR.toString(), "--model", model.toString(), "--benchmark", "aime24,amc23", "--limit", "1", "--no-tool",
                "--max-response-tokens", "2", "--threads", "2");
        assertEquals("0", result[0], result[2]);
        assertTrue(result[1].contains(" | aime24 | off | 1 | 16 | "), result[1]);
        assertTrue(result[1].contains(" | amc23 | off | 1 | 1 | "), result[1]);
        assertTrue(result[2].contains("16/16 responses"), result[2]);
    }

    @Test
    void badFlagsAreNamed(@TempDir Path tmp) throws Exception {
        String[] missing = run("eval", "--data-dir", org.zerotir.SharedData.DIR.toString(), "--model", tmp.resolve("none").toString(),
                "--benchmark", "math500", "--limit", "1");
        assertEquals("2", missing[0]);
        assertTrue(missing[2].contains("no such model directory"), missing[2]);
        String[] benchmark = run("eval", "--model", tmp.toString(), "--benchmark", "math5000");
        assertEquals("2", benchmark[0]);
        assertTrue(benchmark[2].contains("math5000") && benchmark[2].contains("known names"), benchmark[2]);
        String[] greedySamples = run("eval", "--data-dir", org.zerotir.SharedData.DIR.toString(), "--model", tmp.toString(), "--samples", "4", "--temperature", "0", "--limit", "1");
        assertEquals("2", greedySamples[0]);
        assertTrue(greedySamples[2].contains("temperature"), greedySamples[2]);
        String[] out = run("eval", "--model", tmp.toString(), "--out", tmp.resolve("r.txt").toString());
        assertEquals("2", out[0]);
        assertTrue(out[2].contains("--out"), out[2]);
    }
}
