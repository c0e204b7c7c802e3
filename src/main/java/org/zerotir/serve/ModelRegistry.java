package org.zerotir.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.checkpoint.HuggingFaceCheckpoint;
import org.zerotir.engine.Backend;
import org.zerotir.rollout.CodeRunner;
import org.zerotir.runs.EngineBackends;
import org.zerotir.rollout.PromptFormat;
import org.zerotir.rollout.SandboxCodeRunner;
import org.zerotir.sandbox.SandboxClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The servable models: the configured Hugging Face directories ({@code zerotir.serve.models.<name>}) and, when
 * {@code zerotir.runs.directory} is set, every run's saved checkpoints ({@code <run>/step-<N>}) and its latest
 * ({@code <run>}). A model is loaded on first use into an {@link InferenceEngine}; together the loaded models hold at
 * most {@code zerotir.serve.model-cache-bytes} ({@link ModelFootprint}), and the least recently used one with no
 * request in flight is unloaded when another needs the room.
 */
@ApplicationScoped
public class ModelRegistry {
    private static final Logger LOG = Logger.getLogger(ModelRegistry.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One servable checkpoint. */
    public record Servable(String id, Path directory, String template, long created, String ownedBy) {}

    /** A loaded model: its engine and how prompts are put to it. */
    public record Loaded(Servable servable, InferenceEngine engine, PromptFormat format) {}

    private final ServeConfig config;
    private final Optional<String> runsDirectory;
    private final Instance<SandboxClient> sandbox;
    private final EngineBackends engine;
    private final LinkedHashMap<String, Loaded> loaded = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, CompletableFuture<Loaded>> loading = new java.util.HashMap<>();
    private final Map<String, Long> loadedBytes = new java.util.HashMap<>(), loadingBytes = new java.util.HashMap<>();

    public ModelRegistry(ServeConfig config, @ConfigProperty(name = "zerotir.runs.directory") Optional<String> runsDirectory,
                         Instance<SandboxClient> sandbox, EngineBackends engine) {
        this.config = config;
        this.runsDirectory = runsDirectory;
        this.sandbox = sandbox;
        this.engine = engine;
    }

    public List<Servable> list() {
        List<Servable> all = new ArrayList<>();
        config.models().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            Path directory = Path.of(e.getValue());
            all.add(new Servable(e.getKey(), directory, config.templates().getOrDefault(e.getKey(), config.template()),
                    modified(directory), "zerotir"));
        });
        runsDirectory.map(Path::of).filter(Files::isDirectory).ifPresent(runs -> all.addAll(runCheckpoints(runs)));
        return all;
    }

    public Servable find(String id) {
        for (Servable s : list()) if (s.id().equals(id)) return s;
        throw new OpenAiException(404, "invalid_request_error", "The model '" + id + "' does not exist", "model", "model_not_found");
    }

    /**
     * The model's engine, loading it if needed. Room is made first: while the loaded models and the ones loading
     * would hold more than {@code zerotir.serve.model-cache-bytes}, the least recently used model with no request in
     * flight is unloaded. A model with requests in flight is never unloaded; when only such models stand in the way
     * the request is refused (503) rather than the bound broken. A model larger than the whole bound loads when
     * nothing else is in memory (refusing it would make it unservable). Blocking while this model loads; requests
     * for models already loaded are never held up by another one loading.
     */
    public Loaded load(Servable servable) {
        CompletableFuture<Loaded> mine = null, pending;
        synchronized (this) {
            Loaded current = loaded.get(servable.id());
            if (current != null && current.servable().directory().equals(servable.directory())) return current;
            pending = loading.get(servable.id());
            if (pending == null) {
                if (current != null) {
                    // the directory behind the name changed (a run saved a newer checkpoint): its answers in flight finish on the old one
                    loaded.remove(servable.id()).engine().retire();
                    loadedBytes.remove(servable.id());
                }
                long needed = footprint(servable);
                makeRoom(servable.id(), needed);
                mine = new CompletableFuture<>();
                pending = mine;
                loading.put(servable.id(), mine);
                loadingBytes.put(servable.id(), needed);
            }
        }
        if (mine != null) {
            try {
                Loaded fresh = open(servable);
                synchronized (this) {
                    loaded.put(servable.id(), fresh);
                    loadedBytes.put(servable.id(), loadingBytes.remove(servable.id()));
                    loading.remove(servable.id());
                }
                mine.complete(fresh);
            } catch (RuntimeException e) {
                synchronized (this) {
                    loading.remove(servable.id());
                    loadingBytes.remove(servable.id());
                }
                mine.completeExceptionally(e);
            }
        }
        try {
            return pending.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) throw cause;
            throw e;
        }
    }

    /** Unloads idle models, least recently used first, until {@code needed} more bytes fit; refuses when they cannot. */
    private void makeRoom(String id, long needed) {
        long budget = cacheBytes();
        while (resident() + needed > budget) {
            String idle = null;
            for (Map.Entry<String, Loaded> e : loaded.entrySet()) { // access order: least recently used first
                if (e.getValue().engine().retireIfIdle()) {
                    idle = e.getKey();
                    break;
                }
            }
            if (idle == null) break;
            loaded.remove(idle);
            loadedBytes.remove(idle);
            LOG.infof("Serve: unloaded %s (least recently used with no request in flight) for %s: %d bytes needed, %d of %d now in use",
                    idle, id, needed, resident(), budget);
        }
        if (resident() + needed <= budget) return;
        if (loaded.isEmpty() && loading.isEmpty()) {
            LOG.warnf("Serve: %s needs %d bytes, more than zerotir.serve.model-cache-bytes (%d); it is loaded alone", id, needed, budget);
            return;
        }
        throw new OpenAiException(503, "server_error", "model " + id + " needs " + needed + " bytes and the loaded models hold " + resident()
                + " of " + budget + " (zerotir.serve.model-cache-bytes) with requests in flight; retry shortly", "model", "model_cache_full");
    }

    private long resident() {
        long sum = 0;
        for (long b : loadedBytes.values()) sum += b;
        for (long b : loadingBytes.values()) sum += b;
        return sum;
    }

    private long cacheBytes() {
        if (config.modelCacheBytes().isPresent()) return config.modelCacheBytes().getAsLong();
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean machine ? machine.getTotalMemorySize() / 2 : Runtime.getRuntime().maxMemory();
    }

    /** What the model will hold once loaded, from its config.json (an unreadable one fails later, in open, with its reason). */
    private long footprint(Servable servable) {
        try {
            return ModelFootprint.bytes(HuggingFaceCheckpoint.readConfig(servable.directory()), config.slots(), config.contextLength());
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Bytes the loaded models hold (ModelFootprint), as the LRU counts them. */
    public synchronized long residentBytes() {
        return resident();
    }

    /** Ids of the models in memory, least recently used first. */
    public synchronized List<String> loadedIds() {
        return List.copyOf(loaded.keySet());
    }

    private Loaded open(Servable servable) {
        long started = System.nanoTime();
        PromptFormat format;
        try {
            format = PromptFormat.open(servable.directory(), servable.template());
        } catch (IOException | IllegalArgumentException e) {
            throw new OpenAiException(500, "server_error", "model " + servable.id() + " cannot be loaded: " + e.getMessage(), "model", "model_unavailable");
        }
        Backend backend;
        try {
            backend = engine.open(config.threads().orElse(Runtime.getRuntime().availableProcessors()));
        } catch (RuntimeException e) {
            throw new OpenAiException(500, "server_error", "model " + servable.id() + " cannot be loaded: " + e.getMessage(), "model", "model_unavailable");
        }
        Transformer model;
        try {
            model = HuggingFaceCheckpoint.load(backend, servable.directory());
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw new OpenAiException(500, "server_error", "model " + servable.id() + " cannot be loaded: " + e.getMessage(), "model", "model_unavailable");
        }
        InferenceEngine inference = new InferenceEngine(servable.id(), model, format.tokenizer(), format.stopTokens(), codeRunner(),
                config.slots(), config.contextLength(), config.maxOutputTokens(), backend);
        LOG.infof("Serve: loaded %s from %s on %s in %.1f s (%d slots, context %d)", servable.id(), servable.directory(), backend.name(),
                (System.nanoTime() - started) / 1e9, config.slots(), inference.contextLength());
        return new Loaded(servable, inference, format);
    }

    /** The sandbox is started on the first execution, not when a model loads. */
    private CodeRunner codeRunner() {
        return (code, session) -> {
            try {
                return new SandboxCodeRunner(sandbox.get()).run(code, session);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        };
    }

    private static List<Servable> runCheckpoints(Path runs) {
        List<Servable> found = new ArrayList<>();
        try (Stream<Path> runDirectories = Files.list(runs)) {
            for (Path run : runDirectories.filter(Files::isDirectory).sorted().toList()) {
                Path checkpoints = run.resolve("checkpoints");
                if (!Files.isDirectory(checkpoints)) continue;
                String template = runTemplate(run);
                List<Path> steps;
                try (Stream<Path> entries = Files.list(checkpoints)) {
                    steps = entries.filter(p -> p.getFileName().toString().matches("step-\\d+"))
                            .filter(p -> Files.isRegularFile(p.resolve(HuggingFaceCheckpoint.CONFIG)))
                            .sorted(Comparator.comparingInt(ModelRegistry::stepOf)).toList();
                }
                if (steps.isEmpty()) continue;
                String runName = run.getFileName().toString();
                found.add(new Servable(runName, steps.getLast(), template, modified(steps.getLast()), "run " + runName));
                for (Path step : steps) {
                    found.add(new Servable(runName + "/" + step.getFileName(), step, template, modified(step), "run " + runName));
                }
            }
        } catch (IOException e) {
            LOG.warnf("Serve: cannot list the runs in %s: %s", runs, e.getMessage());
        }
        return found;
    }

    private static int stepOf(Path checkpoint) {
        return Integer.parseInt(checkpoint.getFileName().toString().substring("step-".length()));
    }

    private static String runTemplate(Path run) {
        try {
            JsonNode config = JSON.readTree(run.resolve("run.json").toFile());
            return config.path("template").asText("zerotir");
        } catch (IOException e) {
            return "zerotir";
        }
    }

    private static long modified(Path directory) {
        try {
            return Files.getLastModifiedTime(directory).toMillis() / 1000;
        } catch (IOException e) {
            return 0;
        }
    }

    void shutdown(@Observes ShutdownEvent event) {
        synchronized (this) {
            for (Loaded l : loaded.values()) l.engine().close();
            loaded.clear();
        }
    }
}
