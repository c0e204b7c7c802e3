package org.zerotir.runs;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.zerotir.runs.RunsTestSupport.awaitStatus;
import static org.zerotir.runs.RunsTestSupport.create;

import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** /q/metrics counts the steps runs train; /q/health reports the run service. */
@QuarkusTest
class RunsOperationsTest {

    private static double stepsTotal() {
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher matcher = Pattern.compile("(?m)^zerotir_runs_steps_total(?:\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(metrics);
        assertTrue(matcher.find(), "zerotir_runs_steps_total is exported:\n" + metrics.lines().filter(l -> l.contains("zerotir")).toList());
        assertTrue(metrics.contains("zerotir_runs_queue_depth"), "queue depth is exported");
        return Double.parseDouble(matcher.group(1));
    }

    @Test
    void stepsAreCountedInPrometheusMetrics() throws Exception {
        double before = stepsTotal();
        UUID id = create(TinyRunEnvironment.config("counted", 3, 3));
        awaitStatus(id, "COMPLETED");
        double after = stepsTotal();
        assertTrue(after - before == 3, "3 steps trained: " + before + " -> " + after);
    }

    @Test
    void consoleLogsAreReadableTextUnlessJsonIsAskedFor() {
        // zerotir.log.json defaults to false; JsonLogsTest switches it on
        var consoles = JsonLogsTest.consoleHandlers();
        assertTrue(!consoles.isEmpty(), "the server logs to the console");
        for (var console : consoles) {
            assertTrue(!(console.getFormatter() instanceof JsonLogFormatter), console.getFormatter().toString());
        }
    }

    @Test
    void healthIncludesTheRunService() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'Run service' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'Run service' }.data.concurrency", equalTo(1));
    }
}
