package org.zerotir.runs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.jboss.logging.Logger;
import org.zerotir.engine.cpu.CpuBackend;
import org.zerotir.rl.MetricNames;
import org.zerotir.rl.RlTrainer;
import org.zerotir.rl.RunConfig;
import org.zerotir.rl.RunEnvironment;
import org.zerotir.rl.ScratchModel;
import org.zerotir.rl.Scorer;
import org.zerotir.rl.TrainingLoop;
import org.zerotir.rollout.CodeRunner;
import org.zerotir.rollout.Trajectory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.orm.panache.PanacheQuery;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

/**
 * The run lifecycle: QUEUED -> RUNNING -> COMPLETED | FAILED | STOPPED (DESIGN.md §5).
 *
 * <p>Runs wait in the database's queue (oldest first); up to {@code zerotir.runs.concurrency} of them train at
 * once, each on its own worker thread through {@link TrainingLoop}, which resumes by itself from the latest
 * checkpoint in the run's directory. What a step produced goes to the database through a {@link MetricsWriter}
 * and out to live subscribers through {@link RunEvents}. When the server stops, running runs are left RUNNING;
 * at the next start {@link #recover} queues them again and they resume from their checkpoints.
 */
@ApplicationScoped
public class RunService {

    private static final Logger LOG = Logger.getLogger(RunService.class);
    private static final int MAX_PAGE_SIZE = 500;

    @Inject
    RunsConfig settings;

    /** Looked up when a run starts, not at injection: a sandbox replica runs this server with no datasource. */
    @Inject
    Instance<DataSource> dataSource;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.datasource.active", defaultValue = "true")
    boolean databaseActive;

    @Inject
    RunEvents events;

    @Inject
    Instance<RunEnvironment.Factory> environments;

    @Inject
    MeterRegistry meters;

    /** A run on a worker thread, and how it is asked to end. */
    static final class Execution {
        final UUID runId;
        volatile boolean stopRequested;
        /** the server is going away: leave the run RUNNING so that the next start resumes it */
        volatile boolean abandoned;
        volatile Thread thread;
        volatile MetricsWriter writer;
        /** Its latest committed steps, for metric queries; null until it starts training, or when the database was down then. */
        volatile MetricsTail tail;
        final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);

        Execution(UUID runId) {
            this.runId = runId;
        }
    }

    private static final UUID SKIPPED = new UUID(0, 0);
    private final Map<UUID, Execution> executions = new ConcurrentHashMap<>();
    private final AtomicInteger queued = new AtomicInteger();
    private ExecutorService workers;
    private volatile boolean shuttingDown;
    private Counter stepsCounter;
    private volatile double lastGenTokensPerSecond;

    void start(@Observes @Priority(10) StartupEvent startup) {
        workers = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name("run-", 0).factory());
        stepsCounter = Counter.builder("zerotir.runs.steps").description("Training steps completed by all runs").register(meters);
        meters.gauge("zerotir.runs.queue.depth", queued, AtomicInteger::get);
        meters.gauge("zerotir.runs.active", executions, Map::size);
        meters.gauge("zerotir.runs.gen.tokens.per.second", this, service -> service.lastGenTokensPerSecond);
        if (!databaseActive) {
            // e.g. a sandbox replica (zerotir sandbox): no runs here
            workers.shutdown();
            workers = null;
            return;
        }
        recover();
    }

    void stop(@Observes ShutdownEvent shutdown) {
        shuttingDown = true;
        for (Execution execution : executions.values()) execution.abandoned = true;
        if (workers != null) {
            workers.shutdown();
            try {
                if (!workers.awaitTermination(60, TimeUnit.SECONDS)) LOG.warn("Runs still training at shutdown; they resume at the next start");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Queues again every run left RUNNING by a server that stopped or died: it resumes from its latest
     * checkpoint, and the steps after it are recomputed (their metric rows replaced, not duplicated).
     */
    public void recover() {
        List<UUID> interrupted = QuarkusTransaction.requiringNew().call(() -> {
            List<Run> running = Run.list("status", RunStatus.RUNNING);
            List<UUID> ids = new ArrayList<>();
            for (Run run : running) {
                if (executions.containsKey(run.id)) continue;
                run.status = RunStatus.QUEUED;
                ids.add(run.id);
            }
            return ids;
        });
        for (UUID id : interrupted) {
            LOG.infof("Run %s was RUNNING when the server stopped; queued to resume from its latest checkpoint", id);
            RunLog.append(runDirectory(id), "server restarted: queued to resume from the latest checkpoint");
            publishStatus(id);
        }
        dispatch();
    }

    // ---- requests ------------------------------------------------------------------------------------

    public RunView create(JsonNode document) {
        RunConfig config = RunConfigDocuments.parse(document);
        RunView view = QuarkusTransaction.requiringNew().call(() -> {
            Run run = new Run();
            run.name = config.name() == null || config.name().isBlank() ? "run" : config.name();
            run.config = RunConfigDocuments.toJson(config);
            run.persist();
            if (config.name() == null || config.name().isBlank()) {
                run.name = "run-" + run.id.toString().substring(0, 8);
            }
            return RunView.of(run);
        });
        LOG.infof("Run %s (%s) queued", view.id(), view.name());
        RunLog.append(runDirectory(view.id()), "created and queued");
        events.publishStatus(view);
        dispatch();
        return get(view.id());
    }

    public RunView get(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> RunView.of(find(id)));
    }

    /** A page of runs, newest first. */
    public record RunPage(List<RunView> items, int page, int size, long total) {}

    public RunPage list(List<RunStatus> statuses, String name, int page, int size) {
        if (page < 0) throw ApiError.invalid("page", "page must be >= 0, got " + page);
        if (size < 1 || size > MAX_PAGE_SIZE) throw ApiError.invalid("size", "size must be in [1, " + MAX_PAGE_SIZE + "], got " + size);
        StringBuilder where = new StringBuilder("1 = 1");
        Parameters parameters = new Parameters();
        if (!statuses.isEmpty()) {
            where.append(" and status in :statuses");
            parameters.and("statuses", statuses);
        }
        if (name != null && !name.isBlank()) {
            where.append(" and lower(name) like :name");
            parameters.and("name", "%" + name.toLowerCase().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            PanacheQuery<Run> query = Run.find(where.toString(), Sort.descending("createdAt", "id"), parameters);
            long total = query.count();
            List<RunView> items = query.page(Page.of(page, size)).<Run>list().stream().map(RunView::of).toList();
            return new RunPage(items, page, size, total);
        });
    }

    /** A queued run stops at once; a running one after its current step (the response may still say RUNNING). */
    public RunView stop(UUID id) {
        boolean stoppedInQueue = QuarkusTransaction.requiringNew().call(() -> {
            Run run = find(id);
            if (run.status == RunStatus.QUEUED) {
                // conditional: the scheduler may be starting it at this moment
                int stopped = Run.update("status = ?1, finishedAt = ?2 where id = ?3 and status = ?4",
                        RunStatus.STOPPED, Instant.now(), id, RunStatus.QUEUED);
                if (stopped == 1) return true;
                Run.getEntityManager().refresh(run);
            }
            if (run.status != RunStatus.RUNNING) {
                throw ApiError.conflict("run " + id + " is " + run.status + "; only a QUEUED or RUNNING run can be stopped");
            }
            return false;
        });
        if (stoppedInQueue) {
            RunLog.append(runDirectory(id), "stopped while queued");
            publishStatus(id);
        } else {
            Execution execution;
            synchronized (this) {
                // dispatch() marks a run RUNNING and registers its execution under this lock
                execution = executions.get(id);
            }
            if (execution != null) {
                execution.stopRequested = true;
                RunLog.append(runDirectory(id), "stop requested; stopping after the current step");
            }
        }
        return get(id);
    }

    /** A stopped or failed run goes back in the queue; it continues from its latest checkpoint. */
    public RunView resume(UUID id) {
        QuarkusTransaction.requiringNew().run(() -> {
            Run run = find(id);
            if (run.status != RunStatus.STOPPED && run.status != RunStatus.FAILED) {
                throw ApiError.conflict("run " + id + " is " + run.status + "; only a STOPPED or FAILED run can be resumed");
            }
            if (executions.containsKey(id)) throw ApiError.conflict("run " + id + " is still finishing its last step; try again");
            run.status = RunStatus.QUEUED;
            run.errorMessage = null;
            run.finishedAt = null;
        });
        RunLog.append(runDirectory(id), "resumed: queued to continue from the latest checkpoint");
        publishStatus(id);
        dispatch();
        return get(id);
    }

    /** A new run whose configuration is this one's with {@code patch} merged in (RFC 7396). */
    public RunView cloneRun(UUID id, JsonNode patch) {
        if (patch != null && !patch.isNull() && !patch.isObject()) {
            throw ApiError.invalid(null, "the body must be a JSON merge patch object, e.g. {\"algorithm\": {\"learningRate\": 1e-5}}");
        }
        Run original = QuarkusTransaction.requiringNew().call(() -> find(id));
        JsonNode merged = RunConfigDocuments.mergePatch(RunConfigDocuments.tree(original.config), patch);
        if (patch == null || !patch.has("name")) ((ObjectNode) merged).put("name", original.name + "-clone");
        return create(merged);
    }

    /** Deletes a run that is not training, with its rows and its directory. */
    public void delete(UUID id) {
        QuarkusTransaction.requiringNew().run(() -> {
            Run run = find(id);
            if (run.status == RunStatus.RUNNING || executions.containsKey(id)) {
                throw ApiError.conflict("run " + id + " is running; stop it first");
            }
            // conditional: PostgreSQL re-checks the status if the scheduler started the run meanwhile
            if (Run.delete("id = ?1 and status <> ?2", id, RunStatus.RUNNING) == 0) {
                throw ApiError.conflict("run " + id + " has just started; stop it first");
            }
        });
        try {
            deleteRecursively(runDirectory(id));
        } catch (IOException e) {
            LOG.warnf("Run %s deleted, but its directory was not: %s", id, e.getMessage());
        }
    }

    /** Metrics grouped by step, ascending: {@code [{"step": 1, "metrics": {"accuracy": 0.5, ...}}]}. */
    public record StepMetrics(int step, Map<String, Double> metrics) {}

    /**
     * A running run's steps come from its {@link MetricsTail} when the range lies within it (the same rows as the
     * database's), anything else from the database.
     */
    public List<StepMetrics> metrics(UUID id, Integer from, Integer to, List<String> names, boolean evaluationsOnly) {
        if (from != null && from < 0) throw ApiError.invalid("from", "from must be >= 0, got " + from);
        if (to != null && from != null && to < from) throw ApiError.invalid("to", "to must be >= from, got from=" + from + " to=" + to);
        int first = from == null ? 0 : from, last = to == null ? Integer.MAX_VALUE : to;
        Execution execution = executions.get(id);
        MetricsTail tail = execution == null ? null : execution.tail;
        if (tail != null) {
            List<StepMetrics> recent = tail.query(first, last, names, evaluationsOnly);
            if (recent != null) return recent;
        }
        return storedMetrics(id, first, last, names, evaluationsOnly);
    }

    /** The database's answer; names within a step by code point ({@code COLLATE "C"}), as {@link MetricsTail} orders them. */
    List<StepMetrics> storedMetrics(UUID id, int from, int to, List<String> names, boolean evaluationsOnly) {
        String sql = "SELECT step, name, value FROM metrics WHERE run_id = ? AND step BETWEEN ? AND ?"
                + (names.isEmpty() ? "" : " AND name = ANY (?)") + (evaluationsOnly ? " AND name LIKE 'eval/%'" : "")
                + " ORDER BY step, name COLLATE \"C\"";
        try (Connection connection = dataSource.get().getConnection(); PreparedStatement query = connection.prepareStatement(sql)) {
            query.setObject(1, id);
            query.setInt(2, from);
            query.setInt(3, to);
            if (!names.isEmpty()) query.setArray(4, connection.createArrayOf("text", names.toArray()));
            List<StepMetrics> steps = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    int step = rows.getInt(1);
                    String name = rows.getString(2);
                    double value = rows.getDouble(3);
                    Double stored = rows.wasNull() ? null : value;
                    if (steps.isEmpty() || steps.getLast().step() != step) steps.add(new StepMetrics(step, new LinkedHashMap<>()));
                    steps.getLast().metrics().put(name, stored);
                }
            }
            // a run's rows go with it (ON DELETE CASCADE): only an empty answer can be about a run that does not exist
            if (steps.isEmpty()) {
                try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM runs WHERE id = ?")) {
                    exists.setObject(1, id);
                    try (ResultSet row = exists.executeQuery()) {
                        if (!row.next()) throw ApiError.notFound("no run " + id);
                    }
                }
            }
            return steps;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the metrics of run " + id + ": " + e.getMessage(), e);
        }
    }

    /** A sampled response as the rollout browser shows it. */
    public record RolloutView(int step, int sample, String problem, String reference, String response, String answer,
                              double reward, boolean correct, boolean truncated, boolean fakeOutput, int calls,
                              JsonNode executions) {}

    /** The sampled responses of {@code step}, or of the latest step that has some. */
    public List<RolloutView> rollouts(UUID id, Integer step) {
        return QuarkusTransaction.requiringNew().call(() -> {
            find(id);
            Integer chosen = step;
            if (chosen == null) {
                chosen = RolloutRow.getEntityManager()
                        .createQuery("select max(r.step) from RolloutRow r where r.runId = :run", Integer.class)
                        .setParameter("run", id).getSingleResult();
                if (chosen == null) return List.<RolloutView>of();
            }
            List<RolloutRow> rows = RolloutRow.list("runId = ?1 and step = ?2", Sort.by("sample"), id, chosen);
            return rows.stream().map(r -> new RolloutView(r.step, r.sample, r.problem, r.reference, r.response, r.answer,
                    r.reward, r.correct, r.truncated, r.fakeOutput, r.calls, RunConfigDocuments.tree(r.executions))).toList();
        });
    }

    public record CheckpointView(int step, String path, Instant createdAt) {}

    public List<CheckpointView> checkpoints(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> {
            find(id);
            List<CheckpointRow> rows = CheckpointRow.list("runId", Sort.by("step"), id);
            return rows.stream().map(c -> new CheckpointView(c.step, c.path, c.createdAt)).toList();
        });
    }

    public List<String> logTail(UUID id, int lines) throws IOException {
        if (lines < 1 || lines > 10_000) throw ApiError.invalid("lines", "lines must be in [1, 10000], got " + lines);
        get(id);
        return RunLog.tail(runDirectory(id), lines);
    }

    public Path runDirectory(UUID id) {
        return settings.directory().resolve(id.toString());
    }

    /** Steps of a running run waiting in memory for the database (0 when it is not running). */
    public int bufferedSteps(UUID id) {
        Execution execution = executions.get(id);
        MetricsWriter writer = execution == null ? null : execution.writer;
        return writer == null ? 0 : writer.waiting();
    }

    /** The tail a running run's metric queries are answered from; null when it has none. For tests. */
    MetricsTail tail(UUID id) {
        Execution execution = executions.get(id);
        return execution == null ? null : execution.tail;
    }

    /** False where this server has no database (a sandbox replica): no runs train here. */
    public boolean isEnabled() {
        return databaseActive;
    }

    public boolean isAcceptingRuns() {
        return workers != null && !shuttingDown;
    }

    public int activeRuns() {
        return executions.size();
    }

    public int queuedRuns() {
        return queued.get();
    }

    public int concurrency() {
        return settings.concurrency();
    }

    public boolean isExecuting(UUID id) {
        return executions.containsKey(id);
    }

    /**
     * Ends a run's worker as a dying server would: after its current step, leaving the run RUNNING and anything
     * not yet written unwritten. The latch opens once the worker is gone. For recovery tests; {@link #recover}
     * picks the run up.
     */
    java.util.concurrent.CountDownLatch abandon(UUID id) {
        Execution execution = executions.get(id);
        if (execution == null) return new java.util.concurrent.CountDownLatch(0);
        execution.abandoned = true;
        return execution.finished;
    }

    private static Run find(UUID id) {
        Run run = Run.findById(id);
        if (run == null) throw ApiError.notFound("no run " + id);
        return run;
    }

    // ---- scheduling ----------------------------------------------------------------------------------

    /** Starts queued runs, oldest first, while fewer than the configured number train. */
    synchronized void dispatch() {
        if (shuttingDown || workers == null) return;
        while (executions.size() < settings.concurrency()) {
            UUID next = QuarkusTransaction.requiringNew().call(() -> {
                Run run = Run.find("status", Sort.ascending("createdAt", "id"), RunStatus.QUEUED).firstResult();
                if (run == null) return null;
                // conditional, so that a stop or delete that got there first wins and the run is not started
                int started = Run.update("status = ?1, startedAt = ?2, finishedAt = null where id = ?3 and status = ?4",
                        RunStatus.RUNNING, Instant.now(), run.id, RunStatus.QUEUED);
                return started == 1 ? run.id : RunService.SKIPPED;
            });
            if (next == SKIPPED) continue;
            if (next == null) break;
            Execution execution = new Execution(next);
            executions.put(next, execution);
            publishStatus(next);
            workers.execute(() -> execute(execution));
        }
        queued.set(QuarkusTransaction.requiringNew().call(() -> (int) Run.count("status", RunStatus.QUEUED)));
    }

    private void execute(Execution execution) {
        UUID id = execution.runId;
        execution.thread = Thread.currentThread();
        Path directory = runDirectory(id);
        RunStatus outcome = null;
        String error = null;
        try {
            RunConfig config = RunConfigDocuments.STRICT.readValue(
                    QuarkusTransaction.requiringNew().call(() -> find(id).config), RunConfig.class);
            if (config.model().scratch() != null) config = scratchModel(config, directory);
            if (!environments.isResolvable()) {
                throw new IllegalStateException("this server has no run environment (no RunEnvironment.Factory bean):"
                        + " it cannot open a model's tokenizer, verifier and sandbox");
            }
            try (RunEnvironment environment = environments.get().open(config)) {
                TrainingLoop loop = new TrainingLoop(config, environment.loop(), directory);
                Path latest = loop.latestCheckpoint();
                RunLog.append(directory, latest == null ? "started" : "resuming from " + latest);
                Recorder recorder = new Recorder(id, config, directory, execution);
                int reached = loop.run(environment.train(), environment.heldOut(), recorder,
                        () -> execution.stopRequested || execution.abandoned);
                execution.writer.flush();
                if (!execution.abandoned) outcome = reached >= config.steps() ? RunStatus.COMPLETED : RunStatus.STOPPED;
            }
        } catch (Throwable e) {
            if (execution.writer != null) execution.writer.flush();
            if (!execution.abandoned) {
                outcome = RunStatus.FAILED;
                error = e.getMessage() == null ? e.toString() : e.getClass().getSimpleName() + ": " + e.getMessage();
                LOG.errorf(e, "Run %s failed", id);
            }
        }
        try {
            if (outcome != null) finish(execution, outcome, error);
            else RunLog.append(directory, "left RUNNING at shutdown; resumes at the next start");
        } finally {
            executions.remove(id);
            execution.finished.countDown();
            dispatch();
        }
    }

    /** The run reading its fresh model from its directory, made there at its first start (kept for resumes). */
    private static RunConfig scratchModel(RunConfig config, Path directory) throws IOException {
        if (!Files.isDirectory(directory.resolve(ScratchModel.DIRECTORY))) {
            RunLog.append(directory, "making the scratch model: tokenizer from the base corpus, weights from seed " + config.seed());
        }
        // one thread: initialising weights is cheap, and the run's own backend (zerotir.engine.backend) is opened with its
        // environment; the weights are drawn on the host from the seed, so the CPU here gives the same bits as any backend
        try (CpuBackend backend = new CpuBackend(1)) {
            return ScratchModel.resolve(config, directory, backend);
        }
    }

    private void finish(Execution execution, RunStatus outcome, String error) {
        UUID id = execution.runId;
        // the status must reach the database: wait for it the way the metrics do
        while (true) {
            try {
                QuarkusTransaction.requiringNew().run(() -> {
                    Run run = find(id);
                    run.status = outcome;
                    run.errorMessage = error;
                    run.finishedAt = Instant.now();
                });
                break;
            } catch (ApiError gone) {
                return;
            } catch (RuntimeException e) {
                if (shuttingDown) return;
                LOG.warnf("Run %s: cannot record %s yet (%s); retrying", id, outcome, e.getMessage());
                try {
                    Thread.sleep(settings.databaseRetry());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        RunLog.append(runDirectory(id), outcome + (error == null ? "" : ": " + error));
        LOG.infof("Run %s %s", id, outcome);
        publishStatus(id);
    }

    private void publishStatus(UUID id) {
        try {
            events.publishStatus(get(id));
        } catch (RuntimeException e) {
            LOG.debugf("No status event for run %s: %s", id, e.getMessage());
        }
    }

    // ---- what a step produced ------------------------------------------------------------------------

    /** The loop's listener: batches to the database, events to subscribers, lines to the run's log. */
    private final class Recorder implements TrainingLoop.Listener {
        private final UUID id;
        private final RunConfig config;
        private final Path directory;
        private final Execution execution;

        Recorder(UUID id, RunConfig config, Path directory, Execution execution) {
            this.id = id;
            this.config = config;
            this.directory = directory;
            this.execution = execution;
            execution.writer = new MetricsWriter(dataSource.get(), id, settings.metricsBufferSteps(), settings.databaseRetry(),
                    () -> execution.abandoned || shuttingDown, this::written);
            execution.tail = newTail(id);
        }

        /**
         * Made before the run's first batch: it covers the steps above the highest one the database holds now (a resumed
         * run's earlier rows stay the database's to answer). Null when the database cannot say; queries then all go there.
         */
        private MetricsTail newTail(UUID id) {
            try (Connection connection = dataSource.get().getConnection();
                 PreparedStatement query = connection.prepareStatement("SELECT coalesce(max(step), -1) FROM metrics WHERE run_id = ?")) {
                query.setObject(1, id);
                try (ResultSet row = query.executeQuery()) {
                    row.next();
                    return new MetricsTail(row.getInt(1), MetricsTail.CAPACITY);
                }
            } catch (SQLException | RuntimeException e) {
                LOG.debugf("Run %s: metric queries go to the database (%s)", id, e.getMessage());
                return null;
            }
        }

        /** On the training thread, after the batch is committed: the tail first, so a subscriber told of a step can query it. */
        private void written(MetricsWriter.Batch batch) {
            MetricsTail tail = execution.tail;
            switch (batch) {
                case MetricsWriter.StepBatch step -> {
                    if (tail != null) tail.add(step.step(), step.metrics());
                    events.publishStep(id, step.step(), step.metrics());
                }
                case MetricsWriter.EvaluationBatch evaluation -> {
                    if (tail != null) tail.add(evaluation.step(), evaluation.metrics());
                    events.publishEvaluation(id, evaluation.step(), evaluation.metrics());
                }
                case MetricsWriter.CheckpointBatch checkpoint -> { }
            }
        }

        @Override
        public void step(RlTrainer.StepResult result) {
            int step = result.step() + 1;
            Map<String, Double> metrics = new LinkedHashMap<>(result.metrics());
            List<MetricsWriter.RolloutRecord> rollouts = new ArrayList<>();
            int kept = Math.min(config.rolloutsKeptPerStep(), result.trajectories().size());
            for (int i = 0; i < kept; i++) rollouts.add(rollout(result, i));
            execution.writer.add(new MetricsWriter.StepBatch(step, metrics, rollouts));
            stepsCounter.increment();
            Double genTokens = metrics.get(MetricNames.GEN_TOKENS_PER_S);
            if (genTokens != null && Double.isFinite(genTokens)) lastGenTokensPerSecond = genTokens;
            RunLog.append(directory, String.format("step %d/%d  accuracy %.3f  reward %.3f  code %.2f  length %.1f",
                    step, config.steps(), value(metrics, MetricNames.ACCURACY), value(metrics, MetricNames.REWARD_MEAN),
                    value(metrics, MetricNames.TOOL_CODE_RATIO), value(metrics, MetricNames.RESPONSE_LENGTH_MEAN)));
        }

        @Override
        public void evaluated(int step, Map<String, Double> metrics) {
            execution.writer.add(new MetricsWriter.EvaluationBatch(step, new LinkedHashMap<>(metrics)));
            RunLog.append(directory, "step " + step + "  held-out " + metrics);
        }

        @Override
        public void checkpointed(int step, Path checkpoint) {
            execution.writer.add(new MetricsWriter.CheckpointBatch(step, checkpoint));
            // everything up to a checkpoint must be stored before training goes past it: a restart resumes here
            execution.writer.flush();
            RunLog.append(directory, "step " + step + "  checkpoint " + checkpoint);
        }

        private static double value(Map<String, Double> metrics, String name) {
            Double value = metrics.get(name);
            return value == null ? Double.NaN : value;
        }

        private MetricsWriter.RolloutRecord rollout(RlTrainer.StepResult result, int index) {
            Trajectory t = result.trajectories().get(index);
            Scorer.Score score = result.scores().get(index);
            ArrayNode executions = RunConfigDocuments.STRICT.createArrayNode();
            for (CodeRunner.Execution e : t.executions()) {
                executions.addObject().put("code", text(e.code())).put("output", text(e.output())).put("status", e.status().name())
                        .put("durationMillis", e.durationMillis());
            }
            String executionsJson;
            try {
                executionsJson = RunConfigDocuments.STRICT.writeValueAsString(executions);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            var problem = result.problems().get(t.problemIndex());
            return new MetricsWriter.RolloutRecord(index, text(problem.problem()), text(problem.answer()), text(t.responseText()),
                    score.answer() == null ? null : text(score.answer()), score.reward(), score.correct(),
                    t.ending() == Trajectory.Ending.TRUNCATED, t.fakeOutput(), t.executions().size(), executionsJson);
        }
    }

    /** PostgreSQL text cannot hold NUL, which a sampled response may. */
    private static String text(String value) {
        return value == null ? "" : value.replace('\0', '\uFFFD');
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(path);
        }
    }
}
