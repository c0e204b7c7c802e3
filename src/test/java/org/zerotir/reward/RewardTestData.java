package org.zerotir.reward;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Rows of the shared data sets and of this package's test resources. */
final class RewardTestData {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path SHARED = org.zerotir.SharedData.DIR;

    private RewardTestData() {}

    /** Every MATH500 gold answer (a copy of the answers only, kept in test resources so the test never skips). */
    static List<JsonNode> math500Answers() {
        try (var in = RewardTestData.class.getResourceAsStream("/reward/math500-answers.jsonl")) {
            if (in == null) throw new IllegalStateException("test resource reward/math500-answers.jsonl is missing");
            return lines(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<JsonNode> shared(String file) {
        try (BufferedReader reader = Files.newBufferedReader(SHARED.resolve(file), StandardCharsets.UTF_8)) {
            return lines(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<JsonNode> lines(BufferedReader reader) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        String line;
        while ((line = reader.readLine()) != null) if (!line.isBlank()) rows.add(JSON.readTree(line));
        return rows;
    }
}
