package org.zerotir.eval;

import org.zerotir.data.DatasetException;
import org.zerotir.data.JsonlDataset;
import org.zerotir.data.Problem;
import org.zerotir.reward.RewardSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The paper's benchmarks by name (files of the shared data directory) or any JSONL file with problem and answer.
 * GSM8K references are plain numbers, so its answers are read as numbers (the last number when nothing is boxed).
 */
public final class Benchmarks {
    private Benchmarks() {}

    public static final Map<String, String> FILES = Map.of(
            "math500", "math500.jsonl",
            "aime24", "aime24.jsonl",
            "aime25", "aime25.jsonl",
            "amc23", "amc23.jsonl",
            "gsm8k", "gsm8k_test.jsonl");

    /** A benchmark ready to run: its name (for metric names) and problems. */
    public record Benchmark(String name, Path file, List<Problem> problems, RewardSettings reward) {}

    /** nameOrPath: a known name (looked up in dataDirectory) or a JSONL file; limit 0 keeps every problem. */
    public static Benchmark load(String nameOrPath, Path dataDirectory, int limit) throws IOException {
        if (limit < 0) throw new IllegalArgumentException("limit must be >= 0, got " + limit);
        String known = FILES.get(nameOrPath.toLowerCase(java.util.Locale.ROOT));
        Path file = known != null ? dataDirectory.resolve(known) : Path.of(nameOrPath);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("benchmark " + nameOrPath + ": no such file " + file
                    + (known == null ? " (known names: " + String.join(", ", FILES.keySet().stream().sorted().toList()) + ")" : ""));
        }
        List<Problem> problems;
        try {
            problems = JsonlDataset.read(file);
        } catch (DatasetException e) {
            throw new IllegalArgumentException("benchmark " + file + " line " + e.line() + ": " + e.getMessage());
        }
        if (problems.isEmpty()) throw new IllegalArgumentException("benchmark " + file + " holds no problems");
        if (limit > 0 && limit < problems.size()) problems = problems.subList(0, limit);
        String name = known != null ? nameOrPath.toLowerCase(java.util.Locale.ROOT) : metricName(file);
        RewardSettings reward = name.startsWith("gsm8k") ? RewardSettings.numberAnswers() : RewardSettings.defaults();
        return new Benchmark(name, file, List.copyOf(problems), reward);
    }

    /** A file's name as metric names allow it: eval/<name>/avg@k. */
    static String metricName(Path file) {
        String base = file.getFileName().toString().replaceFirst("\\.jsonl$", "");
        String cleaned = base.replaceAll("[^A-Za-z0-9_.-]", "_");
        return cleaned.isEmpty() ? "custom" : cleaned;
    }
}
