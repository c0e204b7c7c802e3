package org.zerotir.runs;

import java.lang.reflect.RecordComponent;
import java.util.List;

import org.zerotir.rl.RunConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON Schema of {@link RunConfig}, made by reflection over its record components so that it cannot
 * drift from the document the trainer reads. Defaults come from the record itself: a document with every
 * field absent, as the canonical constructors fill it. The dashboard generates its new-run form from this.
 */
public final class RunConfigSchema {

    private RunConfigSchema() {}

    public static ObjectNode schema() {
        JsonNode defaults = RunConfigDocuments.STRICT.valueToTree(allDefaults(RunConfig.class));
        ObjectNode schema = objectSchema(RunConfig.class, defaults);
        schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.put("title", "Run configuration");
        schema.put("description", "One RL run: model, data, algorithm, rollout, tool, schedule. Absent fields take the defaults shown.");
        schema.putArray("required").add("model");
        ObjectNode model = (ObjectNode) schema.get("properties").get("model");
        // exactly one source: RunConfig.validate refuses both and neither
        ArrayNode sources = model.putArray("oneOf");
        sources.addObject().putArray("required").add("path");
        sources.addObject().putArray("required").add("scratch");
        model.put("description", "path: a Hugging Face model directory (config.json, *.safetensors, tokenizer.json) on the server,"
                + " e.g. an earlier run's checkpoint; or scratch: the shape of a fresh model initialised with the run's seed,"
                + " with the byte-level BPE tokenizer `zerotir pretrain` learns (vocab tokens)");
        enumOf(schema, List.of("algorithm", "name"), RunConfig.Algorithm.NAMES);
        return schema;
    }

    /** The record with every component absent, as its canonical constructor fills it in. */
    private static Object allDefaults(Class<?> record) {
        try {
            var constructor = record.getDeclaredConstructor(
                    java.util.Arrays.stream(record.getRecordComponents()).map(RecordComponent::getType).toArray(Class[]::new));
            return constructor.newInstance(new Object[record.getRecordComponents().length]);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(record.getSimpleName() + " has no canonical constructor", e);
        }
    }

    private static ObjectNode objectSchema(Class<?> record, JsonNode defaults) {
        ObjectNode schema = RunConfigDocuments.STRICT.createObjectNode();
        schema.put("type", "object");
        schema.put("additionalProperties", false);
        ObjectNode properties = schema.putObject("properties");
        for (RecordComponent component : record.getRecordComponents()) {
            Class<?> type = component.getType();
            JsonNode defaultValue = defaults == null ? null : defaults.get(component.getName());
            ObjectNode property;
            if (type.isRecord()) {
                // an optional part (model.scratch) is absent by default; its own fields still have defaults
                if (defaultValue == null || defaultValue.isNull()) defaultValue = RunConfigDocuments.STRICT.valueToTree(allDefaults(type));
                property = objectSchema(type, defaultValue);
            } else {
                property = RunConfigDocuments.STRICT.createObjectNode();
                property.put("type", jsonType(type));
                if (defaultValue != null && !defaultValue.isNull()) property.set("default", defaultValue);
            }
            properties.set(component.getName(), property);
        }
        return schema;
    }

    private static String jsonType(Class<?> type) {
        if (type == Integer.class || type == Long.class || type == int.class || type == long.class) return "integer";
        if (type == Double.class || type == Float.class || type == double.class) return "number";
        if (type == Boolean.class || type == boolean.class) return "boolean";
        return "string";
    }

    private static void enumOf(ObjectNode schema, List<String> path, List<String> values) {
        ObjectNode node = schema;
        for (String name : path) node = (ObjectNode) node.get("properties").get(name);
        ArrayNode values_ = node.putArray("enum");
        values.forEach(values_::add);
    }
}
