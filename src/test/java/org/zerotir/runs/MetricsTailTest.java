package org.zerotir.runs;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.zerotir.runs.RunsTestSupport.awaitPaused;
import static org.zerotir.runs.RunsTestSupport.create;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * A running run's metric queries are answered from memory ({@link MetricsTail}); the answer must be the database's,
 * row for row and in the same order, for every range and filter, and the database must answer what the tail does
 * not cover (a resumed run's earlier rows, evicted steps).
 */
@QuarkusTest
class MetricsTailTest {

    /** Names that sort differently by locale, by UTF-16 unit and by code point (U+1D538 against U+FFFD). */
    private static final List<String> NAMES = List.of("accuracy", "reward/mean", "policy/entropy", "a_b", "a/b", "aB", "Zeta", "é",
            "\uD835\uDD38", "\uFFFD");
    private static final List<List<String>> NAME_FILTERS = List.of(List.of(), List.of("accuracy"),
            List.of("accuracy", "reward/mean", "policy/entropy"), List.of("nope"), List.of("eval/heldout/avg@1", "accuracy"),
            List.of("accuracy", "accuracy"), List.of("\uFFFD", "\uD835\uDD38", "stale"));

    @Inject
    DataSource dataSource;

    @Inject
    RunService service;

    @Inject
    ObjectMapper json;

    @AfterEach
    void cleanUp() {
        TinyRunEnvironment.pauseAtStep = 0;
    }

    @Test
    void theTailAnswersExactlyWhatTheDatabaseHolds() {
        UUID id = QuarkusTransaction.requiringNew().call(() -> {
            Run run = new Run();
            run.name = "metrics-tail";
            run.config = "{}";
            run.persist();
            return run.id;
        });
        // an earlier execution stored steps 0..5, with a name the resumed one no longer writes
        MetricsWriter earlier = new MetricsWriter(dataSource, id, 3, Duration.ofMillis(200), () -> false, batch -> { });
        for (int step = 0; step <= 5; step++) {
            Map<String, Double> metrics = stepMetrics(step);
            metrics.put("stale", (double) step);
            earlier.add(new MetricsWriter.StepBatch(step, metrics, List.of()));
        }
        MetricsTail tail = new MetricsTail(5, 8);
        MetricsWriter resumed = new MetricsWriter(dataSource, id, 3, Duration.ofMillis(200), () -> false, batch -> {
            switch (batch) {
                case MetricsWriter.StepBatch step -> tail.add(step.step(), step.metrics());
                case MetricsWriter.EvaluationBatch evaluation -> tail.add(evaluation.step(), evaluation.metrics());
                case MetricsWriter.CheckpointBatch checkpoint -> { }
            }
        });
        // resumed from a checkpoint at step 2: steps 3.. are recomputed; evaluations every 10 steps
        for (int step = 3; step <= 9; step++) write(resumed, step);
        assertNull(tail.query(5, 9, List.of(), false), "step 5 is the earlier execution's: the database answers");
        assertNotNull(tail.query(6, 9, List.of(), false));
        compareEverything(id, tail);

        for (int step = 10; step <= 20; step++) write(resumed, step);
        // 8 steps kept: 13..20
        assertNull(tail.query(12, 20, List.of(), false), "step 12 was evicted");
        assertNotNull(tail.query(13, 13, List.of(), false));
        compareEverything(id, tail);
    }

    @Test
    void aTrainingRunsMetricsOverHttpAreTheDatabasesRows() throws Exception {
        TinyRunEnvironment.pauseAtStep = 5;
        UUID id = create(TinyRunEnvironment.config("tail-http", 12, 100));
        awaitPaused(id);
        MetricsTail tail = service.tail(id);
        assertNotNull(tail, "the running run keeps a tail");
        for (String query : List.of("", "?from=1&to=3", "?from=0&to=0", "?from=2&names=accuracy,reward/mean,policy/entropy",
                "?from=4&to=54&names=accuracy,reward/mean,policy/entropy", "?from=9&to=59", "?names=eval/heldout/avg@1")) {
            String served = given().when().get("/api/runs/" + id + "/metrics" + query).then().statusCode(200).extract().asString();
            int from = query.contains("from=") ? Integer.parseInt(query.replaceAll(".*from=(\\d+).*", "$1")) : 0;
            int to = query.contains("to=") ? Integer.parseInt(query.replaceAll(".*to=(\\d+).*", "$1")) : Integer.MAX_VALUE;
            List<String> names = query.contains("names=") ? List.of(query.replaceAll(".*names=([^&]*).*", "$1").split(",")) : List.of();
            assertNotNull(tail.query(from, to, names, false), query + " is answered from memory");
            assertEquals(json.writeValueAsString(service.storedMetrics(id, from, to, names, false)), served, query);
        }
        String evaluations = given().when().get("/api/runs/" + id + "/evaluations").then().statusCode(200).extract().asString();
        assertEquals(json.writeValueAsString(service.storedMetrics(id, 0, Integer.MAX_VALUE, List.of(), true)), evaluations);
        TinyRunEnvironment.pauseAtStep = 0;
        RunsTestSupport.api().when().post("/api/runs/" + id + "/stop").then().statusCode(200);
    }

    private static Map<String, Double> stepMetrics(int step) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        // step 7 reports only some names; the others every name, NaN and infinities (stored as NULL) among them
        List<String> names = step == 7 ? List.of("accuracy", "é") : NAMES;
        for (int i = 0; i < names.size(); i++) {
            double value = switch ((step + i) % 7) {
                case 0 -> Double.NaN;
                case 1 -> Double.POSITIVE_INFINITY;
                case 2 -> -0.0;
                case 3 -> 1e-300 * step;
                default -> Math.sin(step * 31 + i) / 3;
            };
            metrics.put(names.get(i), value);
        }
        return metrics;
    }

    private static void write(MetricsWriter writer, int step) {
        writer.add(new MetricsWriter.StepBatch(step, stepMetrics(step), List.of()));
        if (step % 10 == 0) {
            writer.add(new MetricsWriter.EvaluationBatch(step, new LinkedHashMap<>(Map.of("eval/heldout/avg@1", step / 100.0,
                    "eval/heldout/pass@1", Double.NaN))));
        }
    }

    private void compareEverything(UUID id, MetricsTail tail) {
        int answered = 0;
        for (int from : new int[] {0, 3, 5, 6, 7, 9, 10, 12, 13, 19, 20, 21, 100}) {
            for (int to : new int[] {from, from + 1, from + 5, from + 50, Integer.MAX_VALUE}) {
                for (List<String> names : NAME_FILTERS) {
                    for (boolean evaluationsOnly : new boolean[] {false, true}) {
                        List<RunService.StepMetrics> fromMemory = tail.query(from, to, names, evaluationsOnly);
                        if (fromMemory == null) continue;
                        answered++;
                        String query = "from=" + from + " to=" + to + " names=" + names + " evaluationsOnly=" + evaluationsOnly;
                        assertEquals(ordered(service.storedMetrics(id, from, to, names, evaluationsOnly)), ordered(fromMemory), query);
                    }
                }
            }
        }
        assertEquals(true, answered > 100, answered + " queries answered from memory");
    }

    /** Every step's names and values in order (StepMetrics' own equals ignores the order of a map). */
    private static List<String> ordered(List<RunService.StepMetrics> steps) {
        List<String> rows = new ArrayList<>();
        for (RunService.StepMetrics step : steps) {
            step.metrics().forEach((name, value) -> rows.add(step.step() + " " + name + " = " + (value == null ? "null" : Double.doubleToRawLongBits(value))));
        }
        return rows;
    }
}
