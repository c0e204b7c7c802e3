package org.zerotir.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

@QuarkusTest
class RunsSchemaTest {

    @Inject
    DataSource dataSource;

    @Test
    void flywayCreatedTheRunsTable() throws SQLException {
        Map<String, String> columns = new LinkedHashMap<>();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            try (ResultSet rows = statement.executeQuery("""
                    SELECT column_name, data_type FROM information_schema.columns
                    WHERE table_schema = current_schema() AND table_name = 'runs' ORDER BY ordinal_position""")) {
                while (rows.next()) {
                    columns.put(rows.getString(1), rows.getString(2));
                }
            }
            try (ResultSet rows = statement.executeQuery(
                    "SELECT success FROM flyway_schema_history WHERE version = '1'")) {
                rows.next();
                assertEquals(true, rows.getBoolean(1), "V1__runs.sql is recorded as applied");
            }
        }
        assertEquals(Map.of(
                "id", "uuid",
                "name", "text",
                "status", "text",
                "config", "jsonb",
                "current_step", "integer",
                "error_message", "text",
                "created_at", "timestamp with time zone",
                "started_at", "timestamp with time zone",
                "finished_at", "timestamp with time zone"), columns);
    }

    @Test
    void statusOutsideTheLifecycleIsRejected() throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO runs (name, status, config) VALUES (?, ?, '{}'::jsonb)")) {
            insert.setString(1, "bad-status");
            insert.setString(2, "PAUSED");
            SQLException rejected = assertThrows(SQLException.class, insert::executeUpdate);
            assertEquals("23514", rejected.getSQLState(), "check_violation: " + rejected.getMessage());
        }
    }

    @Test
    void runRoundTripsThroughTheEntity() {
        UUID id = QuarkusTransaction.requiringNew().call(() -> {
            Run run = new Run();
            run.name = "grpo-qwen-0.5b";
            run.config = "{\"algorithm\": {\"name\": \"grpo\", \"clipHigh\": 0.28}}";
            run.persist();
            return run.id;
        });
        Run stored = QuarkusTransaction.requiringNew().call(() -> Run.<Run>findById(id));
        assertEquals("grpo-qwen-0.5b", stored.name);
        assertEquals(RunStatus.QUEUED, stored.status);
        assertEquals(0, stored.currentStep);
        assertNotNull(stored.createdAt);
        // jsonb normalises the document, so compare what PostgreSQL parsed, not the text.
        String clipHigh = QuarkusTransaction.requiringNew().call(() -> (String) Run.getEntityManager()
                .createNativeQuery("SELECT config #>> '{algorithm,clipHigh}' FROM runs WHERE id = :id")
                .setParameter("id", id)
                .getSingleResult());
        assertEquals("0.28", clipHigh);
    }

    @Test
    void metricsAreUniquePerRunStepAndNameAndGoWithTheirRun() throws SQLException {
        UUID id = QuarkusTransaction.requiringNew().call(() -> {
            Run run = new Run();
            run.name = "unique-metrics";
            run.config = "{}";
            run.persist();
            return run.id;
        });
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            try (ResultSet rows = statement.executeQuery("SELECT success FROM flyway_schema_history WHERE version = '2'")) {
                rows.next();
                assertEquals(true, rows.getBoolean(1), "V2__run_service.sql is recorded as applied");
            }
            statement.execute("INSERT INTO metrics (run_id, step, name, value) VALUES ('" + id + "', 1, 'accuracy', 0.5)");
            SQLException duplicate = assertThrows(SQLException.class, () -> statement.execute(
                    "INSERT INTO metrics (run_id, step, name, value) VALUES ('" + id + "', 1, 'accuracy', 0.7)"));
            assertEquals("23505", duplicate.getSQLState(), "unique_violation: " + duplicate.getMessage());
            SQLException badKey = assertThrows(SQLException.class, () -> statement.execute(
                    "INSERT INTO api_keys (name, key_sha256) VALUES ('plain', 'not-a-hash')"));
            assertEquals("23514", badKey.getSQLState(), "only a hex SHA-256 is stored: " + badKey.getMessage());
            statement.execute("DELETE FROM runs WHERE id = '" + id + "'");
            try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM metrics WHERE run_id = '" + id + "'")) {
                rows.next();
                assertEquals(0, rows.getInt(1), "a run's metrics are deleted with it");
            }
        }
    }
}
