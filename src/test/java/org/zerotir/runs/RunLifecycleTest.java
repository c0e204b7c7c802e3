package org.zerotir.runs;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.zerotir.runs.RunsTestSupport.api;
import static org.zerotir.runs.RunsTestSupport.assertGapFreeAndUnique;
import static org.zerotir.runs.RunsTestSupport.awaitRun;
import static org.zerotir.runs.RunsTestSupport.awaitStatus;
import static org.zerotir.runs.RunsTestSupport.count;
import static org.zerotir.runs.RunsTestSupport.create;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.zerotir.rl.MetricNames;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/** Real runs of the tiny model through the API: to the end, stopped and resumed, recovered after a crash, a database outage. */
@QuarkusTest
class RunLifecycleTest {

    @Inject
    DataSource dataSource;

    @Inject
    RunService service;

    @AfterEach
    void noDelay() {
        TinyRunEnvironment.stepDelayMillis = 0;
        TinyRunEnvironment.pauseAtStep = 0;
    }

    @Test
    void aRunTrainsToCompletedWithEveryStepStoredOnce() throws Exception {
        UUID id = create(TinyRunEnvironment.config("complete", 6, 3));
        JsonPath run = awaitStatus(id, "COMPLETED");
        assertEquals(6, run.getInt("currentStep"));
        assertEquals(6, run.getInt("totalSteps"));
        assertGapFreeAndUnique(dataSource, id, 6);
        for (String name : List.of(MetricNames.ACCURACY, MetricNames.REWARD_MEAN, MetricNames.POLICY_GRAD_NORM, MetricNames.TIME_TRAIN_S)) {
            assertEquals(6, count(dataSource, "SELECT count(*) FROM metrics WHERE run_id = ? AND name = ?", id, name), name);
        }

        List<Map<String, Object>> metrics = given().queryParam("from", 2).queryParam("to", 4).queryParam("names", "accuracy,reward/mean")
                .when().get("/api/runs/" + id + "/metrics").then().statusCode(200).extract().jsonPath().getList("$");
        assertEquals(List.of(2, 3, 4), metrics.stream().map(m -> m.get("step")).toList());
        assertEquals(Map.of("accuracy", 0, "reward/mean", 0).keySet(), ((Map<?, ?>) metrics.getFirst().get("metrics")).keySet());

        given().when().get("/api/runs/" + id + "/evaluations").then().statusCode(200)
                .body("step", equalTo(List.of(0, 3, 6)))
                .body("[0].metrics.'eval/heldout/avg@1'", org.hamcrest.Matchers.notNullValue());
        given().when().get("/api/runs/" + id + "/checkpoints").then().statusCode(200)
                .body("step", equalTo(List.of(3, 6)))
                .body("[1].path", containsString("step-6"));
        given().queryParam("step", 5).when().get("/api/runs/" + id + "/rollouts").then().statusCode(200)
                .body("$", hasSize(3))
                .body("step", equalTo(List.of(5, 5, 5)))
                .body("sample", equalTo(List.of(0, 1, 2)))
                .body("[0].problem", org.hamcrest.Matchers.endsWith("?"))
                .body("[0].calls", equalTo(0))
                .body("[0].executions", hasSize(0));
        given().when().get("/api/runs/" + id + "/rollouts").then().statusCode(200).body("step", equalTo(List.of(6, 6, 6)));
        given().queryParam("step", 99).when().get("/api/runs/" + id + "/rollouts").then().statusCode(200).body("$", hasSize(0));
        String log = given().queryParam("lines", 3).when().get("/api/runs/" + id + "/log").then().statusCode(200).extract().asString();
        assertEquals(3, log.lines().count(), log);
        assertTrue(log.contains("COMPLETED"), log);
        String whole = given().when().get("/api/runs/" + id + "/log").then().statusCode(200).extract().asString();
        assertTrue(whole.contains("step 1/6") && whole.contains("checkpoint"), whole);
        assertTrue(Files.isDirectory(service.runDirectory(id).resolve("checkpoints/step-6")));
    }

    @Test
    void aScratchRunTrainsAFreshModelMadeFromItsSeed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        String config = TinyRunEnvironment.config("scratch", 4, 2).replace("{\"path\": \"" + TinyRunEnvironment.model() + "\"}", """
                {"scratch": {"layers": 1, "hidden": 32, "heads": 2, "kvHeads": 1, "intermediate": 64, "context": 32, "vocab": 300}}""")
                .replace("\"seed\": 3", "\"seed\": 3, \"template\": \"mini\"");
        UUID id = create(config);
        awaitStatus(id, "COMPLETED");
        assertGapFreeAndUnique(dataSource, id, 4);
        java.nio.file.Path made = service.runDirectory(id).resolve(org.zerotir.rl.ScratchModel.DIRECTORY);
        assertEquals(32, org.zerotir.engine.checkpoint.HuggingFaceCheckpoint.readConfig(made).hiddenSize());
        assertEquals(300, org.zerotir.engine.checkpoint.HuggingFaceCheckpoint.readConfig(made).vocabSize());
        // the same shape and seed give the same model: what the run started from can always be made again
        org.zerotir.rl.RunConfig.Scratch shape = RunConfigDocuments.STRICT.readValue(config, org.zerotir.rl.RunConfig.class).model().scratch();
        try (org.zerotir.engine.cpu.CpuBackend backend = new org.zerotir.engine.cpu.CpuBackend(1)) {
            org.zerotir.rl.ScratchModel.make(shape, 3, tmp.resolve("again"), backend);
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(Files.readAllBytes(made.resolve("model.safetensors")),
                Files.readAllBytes(tmp.resolve("again").resolve("model.safetensors")));
        given().when().get("/api/runs/" + id).then().statusCode(200).body("config.model.scratch.hidden", equalTo(32));
        String log = given().when().get("/api/runs/" + id + "/log").then().extract().asString();
        assertTrue(log.contains("making the scratch model"), log);
    }

    @Test
    void aStoppedRunResumesFromItsCheckpointWithoutLosingOrRepeatingASteps() throws Exception {
        TinyRunEnvironment.pauseAtStep = 7;
        UUID id = create(TinyRunEnvironment.config("stop-resume", 16, 4));
        RunsTestSupport.awaitPaused(id);
        api().when().post("/api/runs/" + id + "/stop").then().statusCode(200).body("status", equalTo("RUNNING"));
        TinyRunEnvironment.pauseAtStep = 0;
        JsonPath stopped = awaitStatus(id, "STOPPED");
        assertEquals(7, stopped.getInt("currentStep"), "the step in progress finishes, then the run stops (checkpoint: step 4)");
        api().when().post("/api/runs/" + id + "/stop").then().statusCode(409).body("error.code", equalTo("conflict"));

        TinyRunEnvironment.stepDelayMillis = 0;
        api().when().post("/api/runs/" + id + "/resume").then().statusCode(200);
        JsonPath done = awaitStatus(id, "COMPLETED");
        assertEquals(16, done.getInt("currentStep"));
        assertGapFreeAndUnique(dataSource, id, 16);
        String log = given().queryParam("lines", 1000).when().get("/api/runs/" + id + "/log").then().extract().asString();
        assertTrue(log.contains("resuming from"), log);
        api().when().post("/api/runs/" + id + "/resume").then().statusCode(409);
    }

    @Test
    void aRunLeftRunningByADeadServerResumesAtTheNextStart() throws Exception {
        TinyRunEnvironment.pauseAtStep = 7;
        UUID id = create(TinyRunEnvironment.config("recovery", 14, 4));
        RunsTestSupport.awaitPaused(id);
        java.util.concurrent.CountDownLatch gone = service.abandon(id);
        TinyRunEnvironment.pauseAtStep = 0;
        assertTrue(gone.await(60, java.util.concurrent.TimeUnit.SECONDS));
        JsonPath crashed = RunsTestSupport.run(id);
        assertEquals("RUNNING", crashed.getString("status"), "a dead server leaves its runs RUNNING");
        int crashedAt = crashed.getInt("currentStep");
        assertTrue(crashedAt < 14, "the worker died mid-run, at " + crashedAt);
        List<Integer> checkpoints = given().when().get("/api/runs/" + id + "/checkpoints").then().extract().jsonPath().getList("step");
        int resumeFrom = checkpoints.getLast();
        assertTrue(resumeFrom < crashedAt, "steps " + (resumeFrom + 1) + ".." + crashedAt + " are stored but not checkpointed");
        Map<Integer, Map<String, Double>> before = trainingMetrics(id);
        java.sql.Timestamp crashTime = new java.sql.Timestamp(System.currentTimeMillis());

        TinyRunEnvironment.stepDelayMillis = 0;
        service.recover();
        JsonPath done = awaitStatus(id, "COMPLETED");
        assertEquals(14, done.getInt("currentStep"));
        assertGapFreeAndUnique(dataSource, id, 14);
        // the steps after the checkpoint were recomputed and their rows replaced, with the same values (a resume is exact)
        assertEquals(crashedAt - resumeFrom, count(dataSource,
                "SELECT count(DISTINCT step) FROM metrics WHERE run_id = ? AND step <= ? AND recorded_at > ? AND name = 'accuracy'",
                id, crashedAt, crashTime));
        assertEquals(0, count(dataSource, "SELECT count(*) FROM metrics WHERE run_id = ? AND step BETWEEN 1 AND ? AND recorded_at > ?",
                id, resumeFrom, crashTime), "steps up to the checkpoint are not recomputed");
        Map<Integer, Map<String, Double>> after = trainingMetrics(id);
        for (int step = resumeFrom + 1; step <= crashedAt; step++) {
            for (String name : List.of(MetricNames.ACCURACY, MetricNames.REWARD_MEAN, MetricNames.POLICY_GRAD_NORM, MetricNames.POLICY_ENTROPY)) {
                assertEquals(before.get(step).get(name), after.get(step).get(name), "step " + step + " " + name);
            }
        }
        String log = given().queryParam("lines", 1000).when().get("/api/runs/" + id + "/log").then().extract().asString();
        assertTrue(log.contains("server restarted") && log.contains("resuming from"), log);
    }

    private static Map<Integer, Map<String, Double>> trainingMetrics(UUID id) {
        Map<Integer, Map<String, Double>> byStep = new java.util.HashMap<>();
        List<Map<String, Object>> steps = given().when().get("/api/runs/" + id + "/metrics").then().statusCode(200).extract().jsonPath().getList("$");
        for (Map<String, Object> step : steps) {
            Map<String, Double> values = new java.util.HashMap<>();
            ((Map<?, ?>) step.get("metrics")).forEach((name, value) -> values.put((String) name, value == null ? null : ((Number) value).doubleValue()));
            byStep.put((Integer) step.get("step"), values);
        }
        return byStep;
    }

    @Test
    void runsWaitInTheQueueOneAtATime() throws Exception {
        TinyRunEnvironment.pauseAtStep = 1;
        UUID first = create(TinyRunEnvironment.config("first", 8, 4));
        UUID second = create(TinyRunEnvironment.config("second", 2, 2));
        UUID third = create(TinyRunEnvironment.config("third", 2, 2));
        awaitStatus(first, "RUNNING");
        assertEquals("QUEUED", RunsTestSupport.run(second).getString("status"));
        api().when().post("/api/runs/" + third + "/stop").then().statusCode(200).body("status", equalTo("STOPPED"));
        api().when().delete("/api/runs/" + first).then().statusCode(409).body("error.code", equalTo("conflict"));
        TinyRunEnvironment.pauseAtStep = 0;
        awaitStatus(first, "COMPLETED");
        awaitStatus(second, "COMPLETED");
        assertEquals("STOPPED", RunsTestSupport.run(third).getString("status"));
        api().when().post("/api/runs/" + third + "/resume").then().statusCode(200);
        awaitStatus(third, "COMPLETED");
        api().when().delete("/api/runs/" + third).then().statusCode(204);
        given().when().get("/api/runs/" + third).then().statusCode(404);
        assertEquals(0, count(dataSource, "SELECT count(*) FROM metrics WHERE run_id = ?", third));
        assertTrue(!Files.exists(service.runDirectory(third)), "the run's directory goes with it");
    }

    @Test
    void aRunThatCannotLoadItsModelFailsWithTheReasonAndCanBeResumed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path model = tmp.resolve("model");
        Files.createDirectories(model);
        try (var files = Files.list(TinyRunEnvironment.model())) {
            for (java.nio.file.Path file : files.toList()) Files.copy(file, model.resolve(file.getFileName()));
        }
        TinyRunEnvironment.pauseAtStep = 1;
        UUID blocker = create(TinyRunEnvironment.config("blocker", 2, 2));
        UUID id = create(TinyRunEnvironment.config("vanishing-model", 2, 2).replace(TinyRunEnvironment.model().toString(), model.toString()));
        awaitStatus(blocker, "RUNNING");
        java.nio.file.Path moved = Files.move(model.resolve("model.safetensors"), tmp.resolve("elsewhere.safetensors"));
        TinyRunEnvironment.pauseAtStep = 0;
        JsonPath failed = awaitStatus(id, "FAILED");
        assertTrue(failed.getString("errorMessage").contains("model.safetensors") || failed.getString("errorMessage").contains(model.toString()),
                failed.getString("errorMessage"));
        String log = given().when().get("/api/runs/" + id + "/log").then().extract().asString();
        assertTrue(log.contains("FAILED"), log);
        Files.move(moved, model.resolve("model.safetensors"));
        api().when().post("/api/runs/" + id + "/resume").then().statusCode(200);
        JsonPath done = awaitStatus(id, "COMPLETED");
        assertEquals(null, done.getString("errorMessage"));
        assertGapFreeAndUnique(dataSource, id, 2);
        awaitStatus(blocker, "COMPLETED");
    }

    @Test
    void aDatabaseThatCannotBeWrittenPausesTheRunAndLosesNothing() throws Exception {
        TinyRunEnvironment.pauseAtStep = 3;
        UUID id = create(TinyRunEnvironment.config("outage", 12, 100));
        RunsTestSupport.awaitPaused(id);
        int beforeOutage = 2;
        int stuckAt;
        try (Connection outage = dataSource.getConnection(); Statement statement = outage.createStatement()) {
            outage.setAutoCommit(false);
            // every write to metrics now fails after lock_timeout, as if the database were gone
            statement.execute("LOCK TABLE metrics IN ACCESS EXCLUSIVE MODE");
            TinyRunEnvironment.pauseAtStep = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            // the bound is 3 steps (%test.zerotir.runs.metrics-buffer-steps): the 4th waiting step pauses the run
            while (service.bufferedSteps(id) < 4 && System.nanoTime() < deadline) Thread.sleep(50);
            assertEquals(4, service.bufferedSteps(id), "steps buffered up to the bound, then the run waits");
            Thread.sleep(1500);
            assertEquals(4, service.bufferedSteps(id), "paused: no step is trained (or dropped) past the bound");
            try (Connection reader = dataSource.getConnection(); Statement query = reader.createStatement()) {
                var rows = query.executeQuery("SELECT status, current_step FROM runs WHERE id = '" + id + "'");
                rows.next();
                assertEquals("RUNNING", rows.getString(1));
                stuckAt = rows.getInt(2);
            }
            outage.rollback();
        }
        JsonPath done = awaitStatus(id, "COMPLETED");
        assertEquals(beforeOutage, stuckAt, "nothing was written during the outage");
        assertEquals(12, done.getInt("currentStep"));
        assertGapFreeAndUnique(dataSource, id, 12);
    }
}
