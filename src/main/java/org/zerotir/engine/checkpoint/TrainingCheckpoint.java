package org.zerotir.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.zerotir.engine.Backend;
import org.zerotir.engine.ModelConfigException;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.optim.AdamW;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Everything needed to continue training exactly where it stopped: the weights as a Hugging Face directory
 * (loadable by transformers on its own), the AdamW moments and step, and the trainer's own state as JSON
 * (its RNG, data cursor, ... — the engine stores it without reading it).
 */
public final class TrainingCheckpoint {
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String STATE = "trainer_state.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainingCheckpoint() {}

    /** What {@link #load} gives back. */
    public record Restored(Transformer model, AdamW optimizer, JsonNode trainerState) {}

    /** Writes into a fresh directory and renames it into place, so a crash never leaves a half checkpoint. */
    public static void save(Path directory, Transformer model, AdamW optimizer, JsonNode trainerState) throws IOException {
        Path parent = directory.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path staging = Files.createTempDirectory(parent, directory.getFileName() + ".partial-");
        HuggingFaceCheckpoint.save(model, staging);
        optimizer.save(staging.resolve(OPTIMIZER));
        ObjectNode state = JSON.createObjectNode();
        state.put("optimizer_step", optimizer.step());
        state.set("settings", JSON.valueToTree(optimizer.settings()));
        state.set("trainer", trainerState == null ? JSON.nullNode() : trainerState);
        JSON.writerWithDefaultPrettyPrinter().writeValue(staging.resolve(STATE).toFile(), state);
        if (Files.exists(directory)) deleteRecursively(directory);
        Files.move(staging, directory, StandardCopyOption.ATOMIC_MOVE);
    }

    public static Restored load(Backend backend, Path directory) throws IOException {
        Path statePath = directory.resolve(STATE);
        if (!Files.isRegularFile(statePath)) throw new ModelConfigException(STATE, "no " + STATE + " in " + directory);
        JsonNode state = JSON.readTree(statePath.toFile());
        AdamW.Settings settings;
        try {
            settings = JSON.treeToValue(state.path("settings"), AdamW.Settings.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new ModelConfigException("settings", STATE + " in " + directory + " has unusable optimizer settings: " + e.getMessage());
        }
        Transformer model = HuggingFaceCheckpoint.load(backend, directory);
        AdamW optimizer = new AdamW(model, settings);
        optimizer.load(directory.resolve(OPTIMIZER));
        return new Restored(model, optimizer, state.path("trainer"));
    }

    private static void deleteRecursively(Path path) throws IOException {
        try (var walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
