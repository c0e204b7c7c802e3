package org.zerotir.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.checkpoint.HuggingFaceCheckpoint;
import org.zerotir.engine.Backend;
import org.zerotir.eval.Benchmarks;
import org.zerotir.eval.EvalResult;
import org.zerotir.eval.EvalSettings;
import org.zerotir.eval.Evaluator;
import org.zerotir.rollout.PromptFormat;
import org.zerotir.rollout.SandboxCodeRunner;
import org.zerotir.runs.EngineBackends;
import org.zerotir.sandbox.SandboxClient;

import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Benchmark evaluations requested over the API: checked at once (model, benchmark, settings), stored as QUEUED,
 * then run one at a time on a worker thread with the evaluator the CLI uses, on their own copy of the model (a
 * served model's engine keeps serving). The summary and the eval/&lt;benchmark&gt;/... metrics land in the row, every
 * judged response in {@link EvaluationResponses}.
 */
@ApplicationScoped
public class EvaluationService {
    private static final Logger LOG = Logger.getLogger(EvaluationService.class);

    /** What a request asks for; absent fields take the CLI's defaults. */
    public record Request(String model, String benchmark, int limit, Integer samples, Double temperature, double topP, long seed,
                          boolean tool, int maxResponseTokens, int callBudget) {}

    /** A request that cannot work, naming its field. */
    public static final class InvalidField extends RuntimeException {
        public final String field;

        InvalidField(String field, String message) {
            super(message);
            this.field = field;
        }
    }

    private final ModelRegistry registry;
    private final EvaluationResponses responses;
    private final Instance<SandboxClient> sandbox;
    private final ServeConfig serve;
    private final EngineBackends engine;
    private final Path dataDirectory;
    private final ObjectMapper json;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("evaluations").daemon().unstarted(r));

    public EvaluationService(ModelRegistry registry, EvaluationResponses responses, Instance<SandboxClient> sandbox, ServeConfig serve,
                             EngineBackends engine, ObjectMapper json,
                             @ConfigProperty(name = "zerotir.eval.data-directory", defaultValue = "../shared/data") String dataDirectory) {
        this.registry = registry;
        this.responses = responses;
        this.sandbox = sandbox;
        this.serve = serve;
        this.engine = engine;
        this.json = json;
        this.dataDirectory = Path.of(dataDirectory);
    }

    public Evaluation submit(Request request) {
        ModelRegistry.Servable servable;
        try {
            servable = registry.find(request.model());
        } catch (OpenAiException e) {
            throw new InvalidField("model", "no servable model \"" + request.model() + "\" (GET /v1/models lists them)");
        }
        Benchmarks.Benchmark benchmark;
        EvalSettings settings;
        try {
            benchmark = Benchmarks.load(request.benchmark(), dataDirectory, request.limit());
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw new InvalidField(request.limit() < 0 ? "limit" : "benchmark", e.getMessage());
        }
        try {
            settings = settings(request, benchmark);
        } catch (IllegalArgumentException e) {
            throw new InvalidField(e.getMessage().startsWith("samples") ? "samples" : "settings", e.getMessage());
        }
        ObjectNode stored = json.valueToTree(request);
        stored.put("samples", settings.samples()).put("temperature", settings.temperature()).put("problems", benchmark.problems().size());
        Evaluation row = QuarkusTransaction.requiringNew().call(() -> {
            Evaluation e = new Evaluation();
            e.model = servable.id();
            e.benchmark = benchmark.name();
            e.settings = stored.toString();
            e.persist();
            return e;
        });
        UUID id = row.id;
        worker.submit(() -> run(id, servable, benchmark, settings));
        return row;
    }

    /** The CLI's defaults: 16 samples on AIME (avg@16), greedy elsewhere; temperature 0.6 when sampling. */
    static EvalSettings settings(Request r, Benchmarks.Benchmark benchmark) {
        int k = r.samples() != null ? r.samples() : benchmark.name().startsWith("aime") ? 16 : 1;
        double t = r.temperature() != null ? r.temperature() : k > 1 ? 0.6 : 0.0;
        return new EvalSettings(k, t, r.topP(), r.seed(), r.tool(), r.maxResponseTokens(), r.callBudget(), 256, 64);
    }

    private void run(UUID id, ModelRegistry.Servable servable, Benchmarks.Benchmark benchmark, EvalSettings settings) {
        update(id, e -> e.status = Evaluation.Status.RUNNING);
        try (Backend backend = engine.open(serve.threads().orElse(Runtime.getRuntime().availableProcessors()));
             Transformer model = HuggingFaceCheckpoint.load(backend, servable.directory())) {
            PromptFormat format = PromptFormat.open(servable.directory(), servable.template());
            Evaluator evaluator = new Evaluator(Evaluator.Policy.of(servable.id(), model, format),
                    settings.toolEnabled() ? new SandboxCodeRunner(sandbox.get()) : null);
            EvalResult result = evaluator.evaluate(benchmark, settings, null);
            String summary = json.writeValueAsString(result.summary());
            String metrics = json.writeValueAsString(result.metrics());
            // one transaction: an evaluation is COMPLETED with all of its responses or not at all
            QuarkusTransaction.requiringNew().run(() -> {
                responses.store(id, result.records());
                Evaluation e = Evaluation.findById(id);
                e.status = Evaluation.Status.COMPLETED;
                e.summary = summary;
                e.metrics = metrics;
                e.finishedAt = Instant.now();
            });
            LOG.infof("Evaluation %s: %s on %s: %s", id, servable.id(), benchmark.name(), summary);
        } catch (Exception | Error e) {
            LOG.warnf(e, "Evaluation %s failed", id);
            update(id, row -> {
                row.status = Evaluation.Status.FAILED;
                row.errorMessage = String.valueOf(e.getMessage());
                row.finishedAt = Instant.now();
            });
        }
    }

    private static void update(UUID id, java.util.function.Consumer<Evaluation> change) {
        QuarkusTransaction.requiringNew().run(() -> {
            Evaluation e = Evaluation.findById(id);
            if (e != null) change.accept(e);
        });
    }

    /**
     * A COMPLETED evaluation rebuilt from its stored responses, as the evaluator returned it (what the headline table
     * is made of); field names the request parameter that asked for it.
     */
    public EvalResult result(UUID id, String field) {
        Evaluation e = QuarkusTransaction.requiringNew().call(() -> Evaluation.<Evaluation>findById(id));
        if (e == null) throw new InvalidField(field, "no evaluation " + id);
        if (e.status != Evaluation.Status.COMPLETED) throw new InvalidField(field, "evaluation " + id + " is " + e.status + ", not COMPLETED");
        JsonNode settings = read(e.settings);
        double seconds = e.finishedAt == null || e.createdAt == null ? 0 : java.time.Duration.between(e.createdAt, e.finishedAt).toMillis() / 1e3;
        return new EvalResult(e.benchmark, e.model, settings.path("tool").asBoolean(true), settings.path("samples").asInt(),
                settings.path("problems").asInt(), responses.records(id), seconds);
    }

    /** The row as the API shows it. */
    public ObjectNode view(Evaluation e) {
        ObjectNode view = json.createObjectNode();
        view.put("id", e.id.toString()).put("model", e.model).put("benchmark", e.benchmark).put("status", e.status.name());
        view.set("settings", read(e.settings));
        view.set("summary", read(e.summary));
        view.set("metrics", read(e.metrics));
        view.put("error", e.errorMessage);
        view.put("createdAt", e.createdAt == null ? null : e.createdAt.toString());
        view.put("finishedAt", e.finishedAt == null ? null : e.finishedAt.toString());
        return view;
    }

    private JsonNode read(String text) {
        try {
            return text == null ? json.nullNode() : json.readTree(text);
        } catch (java.io.IOException e) {
            return json.getNodeFactory().textNode(text);
        }
    }

    @PreDestroy
    void stop() {
        worker.shutdownNow();
    }
}
