package org.zerotir.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The packaged server dies mid-run (SIGKILL: no shutdown hook, no flush, its PostgreSQL orphaned) and is
 * started again on the same data: the run resumes by itself from its latest checkpoint, the steps after it
 * are recomputed with their metric rows replaced, and the run completes with every step stored exactly once.
 * Runs the jar that {@code mvn verify} builds, on the embedded database, with a scratch model and no sandbox.
 */
class RunRecoveryIT {

    private static final String KEY = "it-key";
    private static final int STEPS = 40, CHECKPOINT_EVERY = 5;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Where the server's embedded PostgreSQL listens, as its log says (in text or in JSON). */
    private static final Pattern JDBC_URL = Pattern.compile("(jdbc:postgresql://localhost:\\d+/zerotir)");

    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Process> servers = new ArrayList<>();
    private int port;

    @AfterEach
    void stopEverything() throws Exception {
        for (Process server : servers) {
            if (server.isAlive()) {
                server.destroy();
                if (!server.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) server.destroyForcibly().waitFor();
            }
        }
        // a server killed last leaves its PostgreSQL behind; it must not outlive the test
        Path pidFile = work.resolve("db/data/postmaster.pid");
        if (Files.exists(pidFile)) {
            long pid = Long.parseLong(Files.readAllLines(pidFile).getFirst().strip());
            ProcessHandle.of(pid).ifPresent(postgres -> {
                postgres.destroy();
                postgres.onExit().join();
            });
        }
    }

    @Test
    void aKilledServerResumesItsRunFromTheLastCheckpointAndLosesNothing() throws Exception {
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Process first = start("first.log");
        String created = request("POST", "/api/runs", """
                {"name": "recovery-it", "template": "mini", "steps": %d, "checkpointEvery": %d, "seed": 11, "rolloutsKeptPerStep": 2,
                 "model": {"scratch": {"layers": 1, "hidden": 32, "heads": 2, "kvHeads": 1, "intermediate": 64, "context": 256, "vocab": 300}},
                 "data": {"heldOut": 2},
                 "algorithm": {"name": "grpo", "learningRate": 0.001},
                 "rollout": {"promptsPerStep": 4, "samplesPerPrompt": 4, "maxResponseTokens": 16},
                 "tool": {"enabled": false}}""".formatted(STEPS, CHECKPOINT_EVERY), 201);
        String id = JSON.readTree(created).get("id").asText();

        // kill once a checkpoint exists and steps after it are stored: those are the ones a resume recomputes
        JsonNode beforeKill = awaitRun(id, Duration.ofMinutes(5), run -> run.get("currentStep").asInt() > CHECKPOINT_EVERY
                && run.get("currentStep").asInt() % CHECKPOINT_EVERY != 0);
        first.destroyForcibly().waitFor();
        double killedAt = System.currentTimeMillis() / 1000.0;
        assertEquals("RUNNING", beforeKill.get("status").asText());

        // the second server also proves the packaged JSON logs (zerotir.log.json): the recovery is logged as JSON
        Process second = start("second.log", "-Dzerotir.log.json=true");
        JsonNode done = awaitRun(id, Duration.ofMinutes(10), run -> run.get("status").asText().equals("COMPLETED"));
        assertEquals(STEPS, done.get("currentStep").asInt());
        String log = request("GET", "/api/runs/" + id + "/log?lines=1000", 200);
        assertTrue(log.contains("server restarted") && log.contains("resuming from"), log);
        // the run may have gone on a step or two between the last look and the kill: the log says where it resumed
        Matcher resumed = Pattern.compile("resuming from \\S*step-(\\d+)").matcher(log);
        assertTrue(resumed.find(), log);
        int resumedFrom = Integer.parseInt(resumed.group(1));
        assertTrue(resumedFrom >= CHECKPOINT_EVERY && resumedFrom < STEPS, "killed mid-run, resumed from step " + resumedFrom);

        try (Connection db = DriverManager.getConnection(jdbcUrl(work.resolve("second.log")), "postgres", "")) {
            assertEquals(0, count(db, """
                    SELECT count(*) FROM (SELECT step, name FROM metrics WHERE run_id = ?::uuid GROUP BY step, name HAVING count(*) > 1) d""", id),
                    "no metric row twice");
            List<Integer> steps = new ArrayList<>();
            try (PreparedStatement query = db.prepareStatement("SELECT step FROM metrics WHERE run_id = ?::uuid AND name = 'accuracy' ORDER BY step")) {
                query.setString(1, id);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) steps.add(rows.getInt(1));
                }
            }
            assertEquals(java.util.stream.IntStream.rangeClosed(1, STEPS).boxed().toList(), steps, "one accuracy row per step, no gap");
            long perStep = count(db, "SELECT count(*) FROM metrics WHERE run_id = ?::uuid AND step = 1 AND name NOT LIKE 'eval/%'", id);
            assertEquals(perStep * STEPS, count(db, "SELECT count(*) FROM metrics WHERE run_id = ?::uuid AND name NOT LIKE 'eval/%'", id),
                    "every step has every metric");
            // the steps after the checkpoint were trained again by the second server, and only those
            assertEquals(0, count(db, "SELECT count(*) FROM metrics WHERE run_id = ?::uuid AND step <= " + resumedFrom
                    + " AND recorded_at > to_timestamp(" + killedAt + ")", id), "steps up to the checkpoint are not recomputed");
            assertEquals(STEPS - resumedFrom, count(db, "SELECT count(DISTINCT step) FROM metrics WHERE run_id = ?::uuid AND step > " + resumedFrom
                    + " AND name = 'accuracy' AND recorded_at > to_timestamp(" + killedAt + ")", id));
            assertEquals(STEPS / CHECKPOINT_EVERY, count(db, "SELECT count(*) FROM checkpoints WHERE run_id = ?::uuid", id));
        }
        boolean recoveryLoggedAsJson = Files.readAllLines(work.resolve("second.log")).stream().filter(line -> line.startsWith("{"))
                .map(line -> {
                    try {
                        return JSON.readTree(line);
                    } catch (IOException e) {
                        throw new AssertionError("not one JSON object per line: " + line, e);
                    }
                })
                .anyMatch(json -> json.path("loggerName").asText().equals(RunService.class.getName())
                        && json.path("message").asText().contains("was RUNNING when the server stopped"));
        assertTrue(recoveryLoggedAsJson, "zerotir.log.json=true logs JSON lines:\n" + Files.readString(work.resolve("second.log")));
        second.destroy();
        assertTrue(second.waitFor(90, java.util.concurrent.TimeUnit.SECONDS), "the second server shuts down");
    }

    private Process start(String logName, String... properties) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path jar = Path.of(System.getProperty("zerotir.it.jar", "target/quarkus-app/quarkus-run.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), jar + " is built by mvn package");
        List<String> command = new ArrayList<>(List.of(properties));
        command.addAll(0, List.of(java, "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g"));
        command.addAll(List.of(
                "-Dzerotir.database.embedded-dir=" + work.resolve("db"),
                "-Dzerotir.runs.directory=" + work.resolve("runs"),
                "-Dzerotir.api.keys=" + KEY,
                "-Dquarkus.http.port=" + port,
                // the run executes no code: no warm sandbox workers
                "-Dzerotir.sandbox.start-at-boot=false",
                "-jar", jar.toString()));
        Process server = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(work.resolve(logName).toFile())).start();
        servers.add(server);
        // a busy machine has been seen to take over two minutes to start the server
        long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
        while (true) {
            if (!server.isAlive()) fail("the server exited with " + server.exitValue() + ":\n" + Files.readString(work.resolve(logName)));
            try {
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(uri("/q/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) return server;
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) fail("the server did not become ready:\n" + Files.readString(work.resolve(logName)));
            Thread.sleep(250);
        }
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private String request(String method, String path, String body, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expected, response.statusCode(), method + " " + path + ": " + response.body());
        return response.body();
    }

    private String request(String method, String path, int expected) throws Exception {
        return request(method, path, null, expected);
    }

    private JsonNode awaitRun(String id, Duration timeout, Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode run = JSON.readTree(request("GET", "/api/runs/" + id, 200));
            if (condition.test(run)) return run;
            if (List.of("FAILED", "STOPPED").contains(run.get("status").asText())) fail("the run ended " + run.get("status") + ": " + run);
            if (System.nanoTime() > deadline) fail("run " + id + " did not get there in " + timeout + ": " + run);
            Thread.sleep(20);
        }
    }

    private static String jdbcUrl(Path serverLog) throws IOException {
        Matcher matcher = JDBC_URL.matcher(Files.readString(serverLog));
        assertTrue(matcher.find(), "the server names its database in " + serverLog);
        return matcher.group(1);
    }

    private static long count(Connection db, String sql, String id) throws Exception {
        try (PreparedStatement query = db.prepareStatement(sql)) {
            query.setString(1, id);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
