package org.zerotir.runs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Collectors;

import org.zerotir.data.DatasetException;
import org.zerotir.data.JsonlDataset;
import org.zerotir.rl.RunConfig;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Run configuration documents as the API receives them: parsed strictly (an unknown field or a value of the
 * wrong type is refused, never coerced or ignored), validated, and checked against the files they name.
 * Every refusal is an {@link ApiError} naming the field, so nothing is persisted from a bad request.
 */
public final class RunConfigDocuments {

    /**
     * Strict on purpose: Quarkus' own mapper ignores unknown properties, and Jackson by default turns
     * "10" into 10 and 1.5 into 1, which would hide a user's mistake.
     */
    static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private RunConfigDocuments() {}

    /** The validated configuration a document describes, with every default filled in. */
    public static RunConfig parse(JsonNode document) {
        if (document == null || !document.isObject()) {
            throw ApiError.invalid(null, "the body must be a JSON object: the run's configuration (see GET /api/runs/schema)");
        }
        RunConfig config;
        try {
            config = STRICT.treeToValue(document, RunConfig.class);
        } catch (UnrecognizedPropertyException e) {
            String field = path(e);
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream().map(String::valueOf)
                    .sorted().collect(Collectors.joining(", "));
            throw ApiError.invalid(field, field + " is not a known field" + (known.isEmpty() ? "" : "; known fields here: " + known));
        } catch (MismatchedInputException e) {
            String field = path(e);
            String type = e.getTargetType() == null ? "another type" : typeName(e.getTargetType());
            throw ApiError.invalid(field, field + " must be " + type);
        } catch (JsonMappingException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RunConfig.InvalidField invalid) throw ApiError.invalid(invalid.field(), invalid.getMessage());
            String field = path(e);
            throw ApiError.invalid(field, (field == null ? "" : field + ": ") + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw ApiError.invalid(null, "malformed JSON: " + e.getOriginalMessage());
        }
        try {
            config.validate();
        } catch (RunConfig.InvalidField e) {
            throw ApiError.invalid(e.field(), e.getMessage());
        }
        checkFiles(config);
        return config;
    }

    /** The model directory and the data set must exist and be readable now, not fail an hour into the queue. */
    static void checkFiles(RunConfig config) {
        if (config.model().scratch() != null) {
            checkData(config);
            return;
        }
        Path model = Path.of(config.model().path());
        if (!Files.isDirectory(model)) {
            throw ApiError.invalid("model.path", "model.path: no directory " + model.toAbsolutePath()
                    + " on the server; give a Hugging Face model directory (config.json, *.safetensors) or a checkpoint");
        }
        if (!Files.isRegularFile(model.resolve("config.json"))) {
            throw ApiError.invalid("model.path", "model.path: " + model.toAbsolutePath()
                    + " has no config.json; give a Hugging Face model directory (config.json, *.safetensors) or a checkpoint");
        }
        checkData(config);
    }

    private static void checkData(RunConfig config) {
        if (!config.data().train().equals("arithmetic")) {
            try {
                JsonlDataset.read(Path.of(config.data().train()));
            } catch (DatasetException e) {
                throw ApiError.invalid("data.train", "data.train: " + e.getMessage()
                        + " (each line must be a JSON object with string fields id, problem and answer)");
            } catch (IOException e) {
                throw ApiError.invalid("data.train", "data.train: cannot read " + config.data().train() + ": " + e.getMessage());
            }
        }
    }

    /** The stored form: the whole document with its defaults, so a run never changes when defaults do. */
    public static String toJson(RunConfig config) {
        try {
            return STRICT.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a RunConfig did not serialise", e);
        }
    }

    public static JsonNode tree(String json) {
        try {
            return STRICT.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON did not parse", e);
        }
    }

    /** RFC 7396 JSON merge patch: objects merge, null removes, anything else replaces. */
    public static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (patch == null || !patch.isObject()) return patch == null ? target : patch.deepCopy();
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : STRICT.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> fields = patch.fields(); fields.hasNext();) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getValue().isNull()) {
                result.remove(field.getKey());
            } else {
                result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue()));
            }
        }
        return result;
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                if (!path.isEmpty()) path.append('.');
                path.append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? null : path.toString();
    }

    private static String typeName(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) return "an integer";
        if (type == Double.class || type == double.class || type == Float.class) return "a number";
        if (type == Boolean.class || type == boolean.class) return "true or false";
        if (type == String.class) return "a string";
        if (type.isRecord()) return "an object";
        return "a " + type.getSimpleName();
    }
}
