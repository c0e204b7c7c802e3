package org.zerotir.web;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.zerotir.runs.TinyRunEnvironment;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;

/**
 * The dashboard in a real browser against the real server: web-ui/test/dashboard.test.mjs drives Debian's
 * chromium through playwright-core (installed by {@code npm ci} in web-ui/test; .ci/run does it) and fails this
 * test when any page misbehaves. Screenshots of every page land in target/ui-screenshots/.
 *
 * <p>The runs are real (the tiny run environment of the run tests, slowed a little so that the charts can be
 * seen growing). That model writes no code, so one finished run gets three extra rollouts with code, outputs,
 * an error and a time-out written into its step, for the rollout browser to show.
 *
 * <p>Without node, chromium or the npm packages the test is skipped with a message, except under CI=true,
 * where it fails.
 */
@QuarkusTest
@TestProfile(DashboardTestProfile.class)
class DashboardBrowserTest {

    private static final Path SCRIPT = Path.of("web-ui/test/dashboard.test.mjs");
    private static final Path MODULES = Path.of("web-ui/test/node_modules/playwright-core");
    private static final Path SCREENSHOTS = Path.of("target/ui-screenshots");

    @TestHTTPResource("/")
    URL root;

    @Inject
    DataSource dataSource;

    @AfterEach
    void noDelay() {
        TinyRunEnvironment.stepDelayMillis = 0;
    }

    @Test
    void theDashboardWorksInChromium() throws Exception {
        Optional<Path> node = onPath("node");
        Optional<Path> chromium = Optional.ofNullable(System.getenv("CHROMIUM")).map(Path::of).or(() -> onPath("chromium"));
        String missing = node.isEmpty() ? "node (apt install nodejs)"
                : chromium.isEmpty() ? "chromium (apt install chromium)"
                : !Files.isDirectory(MODULES) ? "playwright-core (cd web-ui/test && npm ci)" : null;
        if (missing != null) {
            String text = "the dashboard's browser tests need " + missing;
            if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(text);
            Assumptions.abort(text + "; skipped (under CI=true this fails)");
        }

        UUID seeded = seedRunWithCode();
        TinyRunEnvironment.stepDelayMillis = 150;
        // the screenshots are this run's artifacts: none left from an earlier run
        if (Files.isDirectory(SCREENSHOTS)) {
            try (var old = Files.list(SCREENSHOTS)) {
                for (Path file : old.filter(f -> f.toString().endsWith(".png")).toList()) Files.delete(file);
            }
        }
        Files.createDirectories(SCREENSHOTS);
        ProcessBuilder builder = new ProcessBuilder(node.get().toString(), SCRIPT.toString()).redirectErrorStream(true);
        builder.environment().put("BASE_URL", root.toString());
        builder.environment().put("API_KEY", DashboardTestProfile.KEY);
        builder.environment().put("CHROMIUM", chromium.get().toString());
        builder.environment().put("SCREENSHOTS", SCREENSHOTS.toAbsolutePath().toString());
        builder.environment().put("MODEL_PATH", TinyRunEnvironment.model().toString());
        builder.environment().put("SEEDED_RUN", seeded.toString());
        Process process = builder.start();
        StringBuilder output = new StringBuilder();
        Thread pump = Thread.ofVirtual().start(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    System.out.println("[dashboard] " + line);
                    output.append(line).append('\n');
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            pump.join(5_000);
            fail("the browser tests did not finish in 10 minutes:\n" + output);
        }
        pump.join(5_000);
        assertEquals(0, process.exitValue(), "the browser tests failed:\n" + output);
    }

    /** A finished tiny run whose last step also holds rollouts that ran code: a result, an error, a time-out. */
    private UUID seedRunWithCode() throws Exception {
        String config = TinyRunEnvironment.config("seeded baseline", 4, 2);
        String id = given().header("Authorization", "Bearer " + DashboardTestProfile.KEY).contentType(ContentType.JSON)
                .body(config).when().post("/api/runs").then().statusCode(201).extract().path("id");
        UUID run = UUID.fromString(id);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!"COMPLETED".equals(given().get("/api/runs/" + run).then().extract().path("status"))) {
            if (System.nanoTime() > deadline) fail("the seeded run did not complete: " + given().get("/api/runs/" + run).asString());
            Thread.sleep(100);
        }
        record Seed(int sample, String response, String answer, boolean correct, String executions) {}
        List<Seed> seeds = List.of(
                new Seed(10, "I compute it.\n```python\n# the product\nx = 6 * 7\nprint(x)\n```\n```output\n42\n```\nSo the answer is \\boxed{42}.",
                        "42", true, "[{\"code\": \"# the product\\nx = 6 * 7\\nprint(x)\", \"output\": \"42\\n\", \"status\": \"OK\", \"durationMillis\": 12}]"),
                new Seed(11, "Let me divide.\n```python\nprint(1/0)\n```\n```output\nZeroDivisionError: division by zero\n```\nThe answer is \\boxed{0}.",
                        "0", false, "[{\"code\": \"print(1/0)\", \"output\": \"ZeroDivisionError: division by zero\", \"status\": \"ERROR\", \"durationMillis\": 9}]"),
                new Seed(12, "Search.\n```python\nwhile True:\n    pass\n```\n```output\nTimed out after 10 s\n```\nNo answer.",
                        null, false, "[{\"code\": \"while True:\\n    pass\", \"output\": \"Timed out after 10 s\", \"status\": \"TIMEOUT\", \"durationMillis\": 10000}]"));
        try (Connection connection = dataSource.getConnection(); PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO rollouts (run_id, step, sample, problem, reference, response, answer, reward, correct, truncated,
                                      fake_output, calls, executions)
                VALUES (?, 4, ?, 'What is 6 times 7?', '42', ?, ?, ?, ?, false, false, 1, ?::jsonb)""")) {
            for (Seed seed : seeds) {
                insert.setObject(1, run);
                insert.setInt(2, seed.sample());
                insert.setString(3, seed.response());
                insert.setString(4, seed.answer());
                insert.setDouble(5, seed.correct() ? 1 : 0);
                insert.setBoolean(6, seed.correct());
                insert.setString(7, seed.executions());
                insert.executeUpdate();
            }
        }
        return run;
    }

    private static Optional<Path> onPath(String program) {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(directory, program);
            if (Files.isExecutable(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }
}
