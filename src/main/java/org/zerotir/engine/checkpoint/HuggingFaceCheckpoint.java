package org.zerotir.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.zerotir.engine.Backend;
import org.zerotir.engine.ModelConfig;
import org.zerotir.engine.ModelConfigException;
import org.zerotir.engine.ParameterLayout;
import org.zerotir.engine.Transformer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Model directories in Hugging Face's layout: {@code config.json} plus {@code model.safetensors}, or shards
 * listed by {@code model.safetensors.index.json}. We read Qwen2 directories as published and write ours the
 * same way, so {@code Qwen2ForCausalLM.from_pretrained} loads them.
 */
public final class HuggingFaceCheckpoint {
    public static final String CONFIG = "config.json";
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";
    /** Hugging Face's default shard size. */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5L * 1000 * 1000 * 1000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private HuggingFaceCheckpoint() {}

    public static ModelConfig readConfig(Path directory) throws IOException {
        Path config = directory.resolve(CONFIG);
        if (!Files.isRegularFile(config)) {
            throw new ModelConfigException(CONFIG, "no " + CONFIG + " in " + directory);
        }
        JsonNode json;
        try {
            json = JSON.readTree(config.toFile());
        } catch (IOException e) {
            throw new ModelConfigException(CONFIG, CONFIG + " in " + directory + " is not valid JSON: " + e.getMessage());
        }
        return ModelConfig.fromHuggingFace(json);
    }

    /** Reads a model directory; every tensor is checked for presence and shape before any weight is read. */
    public static Transformer load(Backend backend, Path directory) throws IOException {
        return load(backend, directory, readConfig(directory));
    }

    /** Reads the weights of a directory into a model of the given shape (e.g. with a shorter max length). */
    public static Transformer load(Backend backend, Path directory, ModelConfig config) throws IOException {
        return load(backend, directory, config, false);
    }

    /**
     * PPO's critic initialised from the policy: the policy directory's trunk under a value head. The head
     * starts at zero, so every first value is 0 and the critic's early updates go to the head.
     */
    public static Transformer loadValueModel(Backend backend, Path policyDirectory) throws IOException {
        ModelConfig config = readConfig(policyDirectory);
        return load(backend, policyDirectory, config.head() == ModelConfig.OutputHead.VALUE ? config : config.asValueModel(), true);
    }

    private static Transformer load(Backend backend, Path directory, ModelConfig config, boolean valueHeadMayBeMissing) throws IOException {
        ParameterLayout layout = ParameterLayout.of(config);
        List<SafeTensors.Reader> readers = new ArrayList<>();
        try {
            Map<String, SafeTensors.Reader> owner = new HashMap<>();
            for (Path file : weightFiles(directory)) {
                SafeTensors.Reader reader = SafeTensors.open(file);
                readers.add(reader);
                for (String name : reader.entries().keySet()) {
                    if (owner.putIfAbsent(name, reader) != null) {
                        throw new ModelConfigException(name, "tensor " + name + " appears in two files of " + directory);
                    }
                }
            }
            for (ParameterLayout.Entry expected : layout.entries()) {
                SafeTensors.Reader reader = owner.get(expected.name());
                if (reader == null && valueHeadMayBeMissing && expected.name().equals(ParameterLayout.VALUE_HEAD)) continue;
                if (reader == null) {
                    throw new ModelConfigException(expected.name(), "checkpoint " + directory + " lacks tensor " + expected.name());
                }
                long[] shape = reader.entry(expected.name()).shape();
                if (!Arrays.equals(shape, Arrays.stream(expected.shape()).asLongStream().toArray())) {
                    throw new ModelConfigException(expected.name(), "tensor " + expected.name() + " has shape " + Arrays.toString(shape)
                            + " but config.json implies " + Arrays.toString(expected.shape()));
                }
            }
            for (String name : new TreeSet<>(owner.keySet())) {
                if (!layout.contains(name) && !ignorable(name, config)) {
                    throw new ModelConfigException(name, "checkpoint " + directory + " holds tensor " + name
                            + ", which a Qwen2 model of this config does not have");
                }
            }
            Transformer model = new Transformer(backend, config);
            for (ParameterLayout.Entry entry : layout.entries()) {
                if (!owner.containsKey(entry.name())) continue; // a value head initialised at zero
                float[] host = new float[Math.toIntExact(entry.size())];
                owner.get(entry.name()).readFloats(entry.name(), host, 0);
                backend.copyFromHost(host, layout.view(model.parameters(), entry.name()));
            }
            return model;
        } finally {
            for (SafeTensors.Reader reader : readers) reader.close();
        }
    }

    /** Tensors some published Qwen2 checkpoints carry that the model recomputes or shares. */
    private static boolean ignorable(String name, ModelConfig config) {
        boolean lmHeadUnused = config.tiedEmbeddings() || config.head() == ModelConfig.OutputHead.VALUE;
        return name.endsWith("rotary_emb.inv_freq") || (lmHeadUnused && name.equals(ParameterLayout.LM_HEAD));
    }

    private static List<Path> weightFiles(Path directory) throws IOException {
        Path index = directory.resolve(INDEX);
        if (Files.isRegularFile(index)) {
            JsonNode map = JSON.readTree(index.toFile()).path("weight_map");
            if (!map.isObject() || map.isEmpty()) {
                throw new ModelConfigException(INDEX, INDEX + " in " + directory + " has no weight_map");
            }
            TreeSet<String> files = new TreeSet<>();
            map.fields().forEachRemaining(f -> files.add(f.getValue().asText()));
            List<Path> paths = new ArrayList<>();
            for (String file : files) {
                Path path = directory.resolve(file).normalize();
                if (!path.startsWith(directory.normalize()) || !Files.isRegularFile(path)) {
                    throw new ModelConfigException(file, INDEX + " names " + file + ", which is not a file in " + directory);
                }
                paths.add(path);
            }
            return paths;
        }
        Path single = directory.resolve(SINGLE_FILE);
        if (Files.isRegularFile(single)) return List.of(single);
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> found = files.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
            if (found.isEmpty()) {
                throw new ModelConfigException(SINGLE_FILE, "no " + SINGLE_FILE + " or " + INDEX + " in " + directory);
            }
            return found;
        }
    }

    public static void save(Transformer model, Path directory) throws IOException {
        save(model, directory, DEFAULT_MAX_SHARD_BYTES);
    }

    /** Writes config.json and the weights as F32, in shards of at most maxShardBytes when larger. */
    public static void save(Transformer model, Path directory, long maxShardBytes) throws IOException {
        Files.createDirectories(directory);
        ParameterLayout layout = model.layout();
        List<List<ParameterLayout.Entry>> shards = new ArrayList<>();
        long current = 0;
        for (ParameterLayout.Entry entry : layout.entries()) {
            long bytes = entry.size() * 4;
            if (shards.isEmpty() || (current > 0 && current + bytes > maxShardBytes)) {
                shards.add(new ArrayList<>());
                current = 0;
            }
            shards.getLast().add(entry);
            current += bytes;
        }
        Map<String, String> metadata = Map.of("format", "pt");
        ObjectNode weightMap = JSON.createObjectNode();
        for (int s = 0; s < shards.size(); s++) {
            String file = shards.size() == 1 ? SINGLE_FILE
                    : String.format("model-%05d-of-%05d.safetensors", s + 1, shards.size());
            Map<String, SafeTensors.Source> tensors = new LinkedHashMap<>();
            for (ParameterLayout.Entry entry : shards.get(s)) {
                float[] host = model.backend().toHost(layout.view(model.parameters(), entry.name()));
                tensors.put(entry.name(), new SafeTensors.Source(host, Arrays.stream(entry.shape()).asLongStream().toArray()));
                weightMap.put(entry.name(), file);
            }
            SafeTensors.write(directory.resolve(file), tensors, metadata);
        }
        if (shards.size() > 1) {
            ObjectNode index = JSON.createObjectNode();
            index.putObject("metadata").put("total_size", layout.totalSize() * 4);
            index.set("weight_map", weightMap);
            JSON.writerWithDefaultPrettyPrinter().writeValue(directory.resolve(INDEX).toFile(), index);
            Files.deleteIfExists(directory.resolve(SINGLE_FILE));
        } else {
            Files.deleteIfExists(directory.resolve(INDEX));
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(directory.resolve(CONFIG).toFile(), model.config().toHuggingFace(JSON));
    }
}
