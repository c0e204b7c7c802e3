package org.zerotir.serve;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.zerotir.analysis.ScalingAnalysis;
import org.zerotir.runs.TinyRunEnvironment;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * GET /api/runs/{id}/scaling on runs that really trained (the tiny digit task through the run service): every fit
 * the endpoint reports is the one {@link ScalingAnalysis} makes of the metrics the run API returns, and a held-out
 * series stored with a known law is recovered.
 */
@QuarkusTest
class ScalingResourceTest {
    private static final String KEY = "Bearer test-key";
    private static final int STEPS = 12;
    private static final String SYNTHETIC = "eval/synthetic/avg@1";

    @Inject
    DataSource dataSource;

    private static UUID run, other;

    /** Once per class, but in a test's context: RestAssured knows the server's (random) port only there. */
    @BeforeEach
    void trainTwoRuns() throws Exception {
        if (run != null) return;
        UUID first = create(TinyRunEnvironment.config("scaling-a", STEPS, 6));
        other = create(TinyRunEnvironment.config("scaling-b", 8, 4));
        awaitCompleted(first);
        awaitCompleted(other);
        // a held-out evaluation that follows 0.2 + 0.05 ln(step) exactly, beside the run's own metrics
        try (Connection c = dataSource.getConnection();
             PreparedStatement insert = c.prepareStatement("INSERT INTO metrics (run_id, step, name, value) VALUES (?, ?, ?, ?)")) {
            for (int step = 1; step <= STEPS; step++) {
                insert.setObject(1, first);
                insert.setInt(2, step);
                insert.setString(3, SYNTHETIC);
                insert.setDouble(4, 0.2 + 0.05 * Math.log(step));
                insert.addBatch();
            }
            insert.executeBatch();
        }
        run = first;
    }

    /** Doubles as doubles: RestAssured would otherwise read 0.03928178235722887 as the float 0.03928178. */
    private static JsonPath json(String body) {
        return JsonPath.from(body).using(new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE));
    }

    private static UUID create(String config) {
        return UUID.fromString(given().header("Authorization", KEY).contentType(ContentType.JSON).body(config)
                .post("/api/runs").then().statusCode(201).extract().path("id"));
    }

    private static void awaitCompleted(UUID id) throws InterruptedException {
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (true) {
            String status = given().get("/api/runs/" + id).then().statusCode(200).extract().path("status");
            if (status.equals("COMPLETED")) return;
            if (status.equals("FAILED") || status.equals("STOPPED") || System.nanoTime() > deadline) fail("run " + id + " is " + status);
            Thread.sleep(100);
        }
    }

    @Test
    void everyDefaultMetricIsFittedAsTheAnalysisFitsTheStoredSeries() {
        JsonPath scaling = json(given().get("/api/runs/" + run + "/scaling").then().statusCode(200).contentType(ContentType.JSON)
                .body("run", equalTo(run.toString())).extract().asString());
        List<String> metrics = scaling.getList("metrics.metric");
        assertEquals(List.of("accuracy", "tool/code_ratio", "tool/calls_per_response", "response/length_mean", "reward/mean"),
                metrics.subList(0, 5));
        assertTrue(metrics.contains(SYNTHETIC), "every eval/* metric present is fitted by default: " + metrics);

        List<Map<String, Object>> stored = json(given().get("/api/runs/" + run + "/metrics").then().statusCode(200).extract().asString()).getList("$");
        for (int m = 0; m < metrics.size(); m++) {
            String metric = metrics.get(m);
            List<Double> steps = new ArrayList<>(), values = new ArrayList<>();
            for (Map<String, Object> step : stored) {
                @SuppressWarnings("unchecked") Object value = ((Map<String, Object>) step.get("metrics")).get(metric);
                if (value != null && ((Number) step.get("step")).intValue() >= 1) {
                    steps.add(((Number) step.get("step")).doubleValue());
                    values.add(((Number) value).doubleValue());
                }
            }
            ScalingAnalysis.Result expected = ScalingAnalysis.analyse(steps.stream().mapToDouble(Double::doubleValue).toArray(),
                    values.stream().mapToDouble(Double::doubleValue).toArray(), ScalingAnalysis.DEFAULT_HELD_OUT);
            String at = "metrics[" + m + "]";
            if (!metric.startsWith("eval/")) assertEquals(STEPS, scaling.getInt(at + ".points"), metric); // one per training step
            assertEquals(expected.points(), scaling.getInt(at + ".points"), metric);
            assertEquals(expected.fits().size(), scaling.getList(at + ".fits").size(), metric);
            for (int f = 0; f < expected.fits().size(); f++) {
                ScalingAnalysis.FormFit fit = expected.fits().get(f);
                String path = at + ".fits[" + f + "]";
                assertEquals(fit.form().name(), scaling.getString(path + ".form"), metric);
                assertEquals(fit.a(), scaling.getDouble(path + ".a"), 1e-9, metric);
                assertEquals(fit.b(), scaling.getDouble(path + ".b"), 1e-9, metric);
                assertEquals(fit.formula(), scaling.getString(path + ".formula"), metric);
                if (Double.isFinite(fit.heldOutRmse())) assertEquals(fit.heldOutRmse(), scaling.getDouble(path + ".heldOutRmse"), 1e-9);
            }
            assertEquals(expected.fits().isEmpty() ? null : expected.best().form().name(), scaling.getString(at + ".best"), metric);
        }

        String synthetic = "metrics.find { it.metric == '" + SYNTHETIC + "' }";
        assertEquals("LOGARITHMIC", scaling.getString(synthetic + ".best"));
        assertEquals(0.2, scaling.getDouble(synthetic + ".fits[0].a"), 1e-9);
        assertEquals(0.05, scaling.getDouble(synthetic + ".fits[0].b"), 1e-9);
        assertEquals(1.0, scaling.getDouble(synthetic + ".fits[0].rSquared"), 1e-9);
        assertEquals("0.2000 + 0.05000 ln(step)", scaling.getString(synthetic + ".fits[0].formula"));
    }

    @Test
    void correlationsPairStepCodeUseLengthAndAccuracy() {
        JsonPath scaling = json(given().get("/api/runs/" + run + "/scaling").then().statusCode(200).extract().asString());
        List<Map<String, Object>> correlations = scaling.getList("correlations");
        assertEquals(6, correlations.size(), correlations.toString());
        assertEquals(List.of("step", "step", "step", "tool/code_ratio", "tool/code_ratio", "response/length_mean"),
                correlations.stream().map(c -> c.get("first")).toList());
        assertEquals(List.of("tool/code_ratio", "response/length_mean", "accuracy", "response/length_mean", "accuracy", "accuracy"),
                correlations.stream().map(c -> c.get("second")).toList());
        // each pair is Pearson's and Spearman's correlation of the stored series themselves (null where undefined, never NaN)
        List<Map<String, Object>> stored = json(given().queryParam("names", "tool/code_ratio,response/length_mean,accuracy")
                .get("/api/runs/" + run + "/metrics").then().statusCode(200).extract().asString()).getList("$");
        assertEquals(STEPS, stored.size());
        Map<String, double[]> series = new java.util.HashMap<>();
        series.put("step", stored.stream().mapToDouble(s -> ((Number) s.get("step")).doubleValue()).toArray());
        for (String name : List.of("tool/code_ratio", "response/length_mean", "accuracy")) {
            @SuppressWarnings("unchecked")
            double[] values = stored.stream().mapToDouble(s -> ((Number) ((Map<String, Object>) s.get("metrics")).get(name)).doubleValue()).toArray();
            series.put(name, values);
        }
        for (Map<String, Object> c : correlations) {
            double[] x = series.get((String) c.get("first")), y = series.get((String) c.get("second"));
            double pearson = org.zerotir.analysis.Pearson.correlation(x, y), spearman = org.zerotir.analysis.Spearman.correlation(x, y);
            if (Double.isFinite(pearson)) assertEquals(pearson, ((Number) c.get("pearson")).doubleValue(), 1e-9, c.toString());
            else assertNull(c.get("pearson"), c.toString());
            if (Double.isFinite(spearman)) assertEquals(spearman, ((Number) c.get("spearman")).doubleValue(), 1e-9, c.toString());
            else assertNull(c.get("spearman"), c.toString());
        }
    }

    @Test
    void chosenMetricsOnlyAndSeveralRunsSideBySide() {
        given().queryParam("metric", "accuracy").queryParam("metric", "policy/lr").get("/api/runs/" + run + "/scaling").then()
                .statusCode(200).body("metrics.metric", equalTo(List.of("accuracy", "policy/lr")))
                .body("metrics[1].points", equalTo(STEPS));
        given().queryParam("metric", "no/such_metric").get("/api/runs/" + run + "/scaling").then().statusCode(200)
                .body("metrics[0].points", equalTo(0)).body("metrics[0].best", equalTo(null)).body("metrics[0].fits.size()", equalTo(0));
        JsonPath both = json(given().queryParam("run", run.toString()).queryParam("run", other.toString()).queryParam("metric", "accuracy")
                .get("/api/scaling").then().statusCode(200).extract().asString());
        assertEquals(List.of(run.toString(), other.toString()), both.getList("runs.run"));
        assertEquals(STEPS, both.getInt("runs[0].metrics[0].points"));
        assertEquals(8, both.getInt("runs[1].metrics[0].points"));
        assertEquals(List.of("accuracy"), both.getList("runs[1].metrics.metric"));
        assertEquals(6, both.getList("runs[1].correlations").size());
    }

    @Test
    void refusalsUseTheErrorBody() {
        given().get("/api/runs/" + UUID.randomUUID() + "/scaling").then().statusCode(404).contentType(ContentType.JSON)
                .body("error.code", equalTo("not_found"));
        given().get("/api/runs/not-a-uuid/scaling").then().statusCode(404).body("error.code", equalTo("not_found"));
        given().queryParam("heldOut", 1.5).get("/api/runs/" + run + "/scaling").then().statusCode(400)
                .body("error.field", equalTo("heldOut")).body("error.code", equalTo("invalid"));
        given().get("/api/scaling").then().statusCode(400).body("error.field", equalTo("run"));
        given().queryParam("run", run.toString()).queryParam("run", UUID.randomUUID().toString()).get("/api/scaling").then()
                .statusCode(404).body("error.code", equalTo("not_found"));
    }
}
