package org.zerotir.runs;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import javax.sql.DataSource;

import org.jboss.logging.Logger;

/**
 * Writes one run's records to PostgreSQL in batches, one transaction per step, idempotently: every row is an
 * upsert on its key, so a retried batch or a step recomputed after a resume replaces rows and never adds.
 *
 * <p>When the database cannot be written, batches wait in memory in order and the next call tries again.
 * Past {@code maxBufferedSteps} waiting batches, {@link #add} blocks the training thread until the database
 * is back: the run pauses rather than dropping anything. {@link #flush} blocks until everything is written;
 * the run calls it at each checkpoint, so nothing from before the latest checkpoint is ever only in memory
 * (what comes after it is recomputed if the process dies).
 */
final class MetricsWriter {

    /** One transaction's worth: a step's metrics and rollouts, an evaluation, or a checkpoint. */
    sealed interface Batch {
        int step();
    }

    record StepBatch(int step, Map<String, Double> metrics, List<RolloutRecord> rollouts) implements Batch {}

    record EvaluationBatch(int step, Map<String, Double> metrics) implements Batch {}

    record CheckpointBatch(int step, Path directory) implements Batch {}

    record RolloutRecord(int sample, String problem, String reference, String response, String answer, double reward,
                         boolean correct, boolean truncated, boolean fakeOutput, int calls, String executionsJson) {}

    private static final Logger LOG = Logger.getLogger(MetricsWriter.class);

    private static final String UPSERT_METRIC = """
            INSERT INTO metrics (run_id, step, name, value) VALUES (?, ?, ?, ?)
            ON CONFLICT (run_id, step, name) DO UPDATE SET value = EXCLUDED.value, recorded_at = now()""";
    private static final String UPSERT_ROLLOUT = """
            INSERT INTO rollouts (run_id, step, sample, problem, reference, response, answer, reward, correct, truncated,
                                  fake_output, calls, executions)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)
            ON CONFLICT (run_id, step, sample) DO UPDATE SET problem = EXCLUDED.problem, reference = EXCLUDED.reference,
                response = EXCLUDED.response, answer = EXCLUDED.answer, reward = EXCLUDED.reward, correct = EXCLUDED.correct,
                truncated = EXCLUDED.truncated, fake_output = EXCLUDED.fake_output, calls = EXCLUDED.calls,
                executions = EXCLUDED.executions""";
    private static final String UPSERT_CHECKPOINT = """
            INSERT INTO checkpoints (run_id, step, path) VALUES (?, ?, ?)
            ON CONFLICT (run_id, step) DO UPDATE SET path = EXCLUDED.path, created_at = now()""";
    private static final String ADVANCE_STEP = "UPDATE runs SET current_step = GREATEST(current_step, ?) WHERE id = ?";

    private final DataSource dataSource;
    private final UUID runId;
    private final int maxBufferedSteps;
    private final Duration retry;
    private final BooleanSupplier giveUp;
    private final Consumer<Batch> written;
    private final ArrayDeque<Batch> waiting = new ArrayDeque<>();
    private boolean failing;
    /** While the database is failing, no new attempt before this (System.nanoTime()): training goes on at full speed. */
    private long nextAttempt;

    /**
     * @param giveUp  true when waiting is pointless (the server is shutting down; what is lost is recomputed)
     * @param written called after each batch is committed, in order (live events go out from here)
     */
    MetricsWriter(DataSource dataSource, UUID runId, int maxBufferedSteps, Duration retry, BooleanSupplier giveUp,
                  Consumer<Batch> written) {
        this.dataSource = dataSource;
        this.runId = runId;
        this.maxBufferedSteps = maxBufferedSteps;
        this.retry = retry;
        this.giveUp = giveUp;
        this.written = written;
    }

    /** Queues a batch and writes what it can; blocks while more than the bound waits. */
    void add(Batch batch) {
        waiting.add(batch);
        if (!failing || System.nanoTime() - nextAttempt >= 0) writeWaiting();
        while (waiting.size() > maxBufferedSteps && !giveUp.getAsBoolean()) {
            pause();
            writeWaiting();
        }
    }

    /** Blocks until every batch is written (or the server gives up: see the constructor). */
    void flush() {
        writeWaiting();
        while (!waiting.isEmpty() && !giveUp.getAsBoolean()) {
            pause();
            writeWaiting();
        }
    }

    int waiting() {
        return waiting.size();
    }

    private void pause() {
        try {
            Thread.sleep(retry);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the database", e);
        }
    }

    private void writeWaiting() {
        while (!waiting.isEmpty()) {
            Batch batch = waiting.peek();
            try {
                write(batch);
            } catch (SQLException | RuntimeException e) {
                nextAttempt = System.nanoTime() + retry.toNanos();
                if (!failing) {
                    LOG.warnf("Run %s: the database cannot be written (%s); keeping step %d and later in memory"
                            + " (at most %d steps before the run pauses) and retrying", runId, e.getMessage(), batch.step(),
                            maxBufferedSteps);
                    failing = true;
                }
                return;
            }
            if (failing) {
                LOG.infof("Run %s: the database is back; writing the steps kept in memory", runId);
                failing = false;
            }
            waiting.poll();
            written.accept(batch);
        }
    }

    private void write(Batch batch) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                try (Statement limits = connection.createStatement()) {
                    // fail fast rather than hang the training thread on a stuck database
                    limits.execute("SET LOCAL lock_timeout = '1s'; SET LOCAL statement_timeout = '10s'");
                }
                switch (batch) {
                    case StepBatch step -> {
                        writeMetrics(connection, step.step(), step.metrics());
                        writeRollouts(connection, step);
                        try (PreparedStatement advance = connection.prepareStatement(ADVANCE_STEP)) {
                            advance.setInt(1, step.step());
                            advance.setObject(2, runId);
                            advance.executeUpdate();
                        }
                    }
                    case EvaluationBatch evaluation -> writeMetrics(connection, evaluation.step(), evaluation.metrics());
                    case CheckpointBatch checkpoint -> {
                        try (PreparedStatement insert = connection.prepareStatement(UPSERT_CHECKPOINT)) {
                            insert.setObject(1, runId);
                            insert.setInt(2, checkpoint.step());
                            insert.setString(3, checkpoint.directory().toString());
                            insert.executeUpdate();
                        }
                    }
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            } finally {
                try {
                    connection.setAutoCommit(autoCommit);
                } catch (SQLException ignored) {
                    // a broken connection; the pool discards it
                }
            }
        }
    }

    private void writeMetrics(Connection connection, int step, Map<String, Double> metrics) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(UPSERT_METRIC)) {
            for (Map.Entry<String, Double> metric : metrics.entrySet()) {
                insert.setObject(1, runId);
                insert.setInt(2, step);
                insert.setString(3, metric.getKey());
                Double value = metric.getValue();
                if (value == null || !Double.isFinite(value)) insert.setNull(4, java.sql.Types.DOUBLE);
                else insert.setDouble(4, value);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private void writeRollouts(Connection connection, StepBatch step) throws SQLException {
        if (step.rollouts().isEmpty()) return;
        try (PreparedStatement insert = connection.prepareStatement(UPSERT_ROLLOUT)) {
            for (RolloutRecord r : step.rollouts()) {
                insert.setObject(1, runId);
                insert.setInt(2, step.step());
                insert.setInt(3, r.sample());
                insert.setString(4, r.problem());
                insert.setString(5, r.reference());
                insert.setString(6, r.response());
                insert.setString(7, r.answer());
                insert.setDouble(8, r.reward());
                insert.setBoolean(9, r.correct());
                insert.setBoolean(10, r.truncated());
                insert.setBoolean(11, r.fakeOutput());
                insert.setInt(12, r.calls());
                insert.setString(13, r.executionsJson());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }
}
