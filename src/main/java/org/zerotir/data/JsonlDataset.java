package org.zerotir.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * JSON Lines data sets with at least {@code id}, {@code problem} and {@code answer} (the schema of
 * shared/data). The whole file is checked before anything is returned: a training run must not start on a
 * set that fails at line 5,000.
 */
public final class JsonlDataset {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonlDataset() {}

    public static List<Problem> read(Path file) throws IOException {
        return read(file, answer -> true);
    }

    /** Reads and validates; answerIsUsable rejects answers the verifier cannot parse. */
    public static List<Problem> read(Path file, Predicate<String> answerIsUsable) throws IOException {
        if (!Files.isRegularFile(file)) throw new DatasetException("data set " + file + " does not exist", 0, "path");
        List<Problem> problems = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            int line = 0;
            while ((text = reader.readLine()) != null) {
                line++;
                if (text.isBlank()) continue;
                JsonNode node;
                try {
                    node = JSON.readTree(text);
                } catch (JsonProcessingException e) {
                    throw new DatasetException(file.getFileName() + " line " + line + " is not valid JSON: " + e.getOriginalMessage(), line, null);
                }
                if (node == null || !node.isObject()) {
                    throw new DatasetException(file.getFileName() + " line " + line + " is not a JSON object", line, null);
                }
                String id = requiredText(file, node, line, "id");
                String problem = requiredText(file, node, line, "problem");
                String answer = requiredText(file, node, line, "answer");
                if (!ids.add(id)) throw new DatasetException(file.getFileName() + " line " + line + ": duplicate id \"" + id + "\"", line, "id");
                if (!answerIsUsable.test(answer)) {
                    throw new DatasetException(file.getFileName() + " line " + line + ": answer \"" + answer + "\" cannot be parsed", line, "answer");
                }
                problems.add(new Problem(id, problem, answer));
            }
        }
        if (problems.isEmpty()) throw new DatasetException("data set " + file + " holds no problems", 0, null);
        return problems;
    }

    public static void write(Path file, List<Problem> problems) throws IOException {
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Problem p : problems) {
                ObjectNode node = JSON.createObjectNode().put("id", p.id()).put("problem", p.problem()).put("answer", p.answer());
                writer.write(JSON.writeValueAsString(node));
                writer.write('\n');
            }
        }
    }

    private static String requiredText(Path file, JsonNode node, int line, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new DatasetException(file.getFileName() + " line " + line + " lacks the field \"" + field + "\"", line, field);
        }
        if (!value.isTextual() && !value.isNumber()) {
            throw new DatasetException(file.getFileName() + " line " + line + ": field \"" + field + "\" must be a string", line, field);
        }
        String text = value.asText();
        if (text.isBlank()) throw new DatasetException(file.getFileName() + " line " + line + ": field \"" + field + "\" is empty", line, field);
        return text;
    }
}
