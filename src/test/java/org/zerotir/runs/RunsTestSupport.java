package org.zerotir.runs;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

import javax.sql.DataSource;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/** What the run tests share: calls with the test key, waiting for a run, and reading rows directly. */
final class RunsTestSupport {
    static final String KEY = "test-key";

    private RunsTestSupport() {}

    static RequestSpecification api() {
        return given().header("Authorization", "Bearer " + KEY);
    }

    static UUID create(String config) {
        String id = api().contentType(ContentType.JSON).body(config).when().post("/api/runs")
                .then().statusCode(201).extract().path("id");
        return UUID.fromString(id);
    }

    static JsonPath run(UUID id) {
        return given().when().get("/api/runs/" + id).then().statusCode(200).extract().jsonPath();
    }

    /** Polls the run until {@code condition} holds; fails with the run's state after {@code timeout}. */
    static JsonPath awaitRun(UUID id, Duration timeout, Predicate<JsonPath> condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonPath run = run(id);
        while (!condition.test(run)) {
            if (System.nanoTime() > deadline) fail("run " + id + " did not get there in " + timeout + ": " + run.prettify());
            Thread.sleep(50);
            run = run(id);
        }
        return run;
    }

    static JsonPath awaitStatus(UUID id, String status) throws InterruptedException {
        return awaitRun(id, Duration.ofSeconds(120), run -> {
            String now = run.getString("status");
            if (!now.equals(status) && List.of("COMPLETED", "FAILED", "STOPPED").contains(now) && !List.of("QUEUED", "RUNNING").contains(status)) {
                fail("run " + id + " ended " + now + " instead of " + status + ": " + run.prettify());
            }
            return status.equals(now);
        });
    }

    /** Waits until the run, held by {@link TinyRunEnvironment#pauseAtStep}, has stored the step before it. */
    static void awaitPaused(UUID id) throws InterruptedException {
        int before = TinyRunEnvironment.pauseAtStep - 1;
        awaitRun(id, Duration.ofSeconds(120), run -> run.getInt("currentStep") == before);
    }

    static long count(DataSource dataSource, String sql, Object... parameters) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) statement.setObject(i + 1, parameters[i]);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    /**
     * The metric rows of a finished run are gap-free and unique: every training step 1..steps has every per-step
     * metric exactly once (the primary key makes duplicates impossible; this checks that none is missing).
     */
    static void assertGapFreeAndUnique(DataSource dataSource, UUID id, int steps) throws SQLException {
        assertEquals(0, count(dataSource, """
                SELECT count(*) FROM (SELECT step, name FROM metrics WHERE run_id = ? GROUP BY step, name HAVING count(*) > 1) d""", id));
        List<Integer> accuracySteps = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT step FROM metrics WHERE run_id = ? AND name = 'accuracy' ORDER BY step")) {
            statement.setObject(1, id);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) accuracySteps.add(rows.getInt(1));
            }
        }
        List<Integer> expected = new ArrayList<>();
        for (int step = 1; step <= steps; step++) expected.add(step);
        assertEquals(expected, accuracySteps, "one accuracy row per step, no gap");
        long perStep = count(dataSource, "SELECT count(*) FROM metrics WHERE run_id = ? AND step = 1 AND name NOT LIKE 'eval/%'", id);
        assertEquals(perStep * steps, count(dataSource, "SELECT count(*) FROM metrics WHERE run_id = ? AND name NOT LIKE 'eval/%'", id),
                "every step has the same metrics as step 1");
    }
}
