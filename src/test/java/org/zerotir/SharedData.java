package org.zerotir;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The shared data sets and tokenizer files (shared/data beside the checkout): found through the system
 * property {@code zerotir.shared}, the environment variable {@code ZEROTIR_SHARED}, {@code ../shared} or
 * {@code /work/shared}, in that order. Tests that need a file call {@link #require}, which skips them with a
 * message saying where the file was looked for when it is nowhere.
 */
public final class SharedData {
    private SharedData() {}

    /** The shared data directory (the first candidate holding a data/ folder; the first candidate if none does). */
    public static final Path DIR = locate();

    private static Path locate() {
        List<String> candidates = new java.util.ArrayList<>();
        if (System.getProperty("zerotir.shared") != null) candidates.add(System.getProperty("zerotir.shared"));
        if (System.getenv("ZEROTIR_SHARED") != null) candidates.add(System.getenv("ZEROTIR_SHARED"));
        candidates.add("../shared");
        candidates.add("/work/shared");
        for (String candidate : candidates) {
            if (Files.isDirectory(Path.of(candidate, "data"))) return Path.of(candidate, "data");
        }
        return Path.of(candidates.getFirst(), "data");
    }

    /** A file under shared/data; the calling test is skipped (not failed) when it is absent. */
    public static Path require(String relative) {
        Path file = DIR.resolve(relative);
        Assumptions.assumeTrue(Files.exists(file), "shared data not found: " + file
                + " (set -Dzerotir.shared or ZEROTIR_SHARED to the folder holding data/)");
        return file;
    }
}
