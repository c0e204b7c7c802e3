package org.zerotir.serve;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.quarkus.narayana.jta.QuarkusTransaction;
import org.junit.jupiter.api.Test;
import org.zerotir.eval.ResponseRecord;
import org.zerotir.rollout.CodeRunner;

import javax.sql.DataSource;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * POST /api/evaluations on the bigram model, whose every response is known: " one two ... ten" and the end of
 * text (11 tokens), no boxed answer. The stored summary must say exactly that, and PostgreSQL must hold it.
 */
@QuarkusTest
@TestProfile(ServeTestProfile.class)
class EvaluationResourceTest {
    private static final String AUTH = "Bearer " + ServeTestProfile.KEY;

    @Inject
    DataSource dataSource;

    @Inject
    EvaluationResponses responses;

    @Test
    void anEvaluationRunsInTheBackgroundAndItsSummaryIsStored() throws Exception {
        Path benchmark = Files.createTempFile("counting", ".jsonl");
        Files.writeString(benchmark, """
                {"id": "a", "problem": "count", "answer": "10"}
                {"id": "b", "problem": "count again", "answer": "10"}
                {"id": "c", "problem": "and again", "answer": "10"}
                """);
        String id = given().header("Authorization", AUTH).contentType(ContentType.JSON)
                .body("{\"model\": \"counter\", \"benchmark\": \"" + benchmark + "\", \"limit\": 2, \"tool\": false}")
                .post("/api/evaluations").then().statusCode(202).body("status", equalTo("QUEUED")).body("model", equalTo("counter"))
                .extract().path("id");
        JsonPath done = null;
        long started = System.nanoTime();
        while (System.nanoTime() - started < 120_000_000_000L) {
            done = given().header("Authorization", AUTH).get("/api/evaluations/" + id).then().statusCode(200).extract().jsonPath();
            if (done.getString("status").equals("COMPLETED") || done.getString("status").equals("FAILED")) break;
            Thread.sleep(100);
        }
        assertEquals("COMPLETED", done.getString("status"), done.prettify());
        String name = benchmark.getFileName().toString().replace(".jsonl", "");
        assertEquals(name, done.getString("benchmark"));
        assertEquals(2, done.getInt("settings.problems"));
        assertEquals(1, done.getInt("settings.samples"));
        assertEquals(0.0, done.getDouble("summary.'avg@1'"));
        assertEquals(1.0, done.getDouble("summary.no_answer_rate"));
        assertEquals(0.0, done.getDouble("summary.code_ratio"));
        assertEquals(11.0, done.getDouble("summary.response_length"), "ten words and the end of text");
        assertEquals(0.0, done.getDouble("metrics.'eval/" + name + "/avg@1'"));
        try (Connection connection = dataSource.getConnection();
             var statement = connection.prepareStatement("SELECT status, summary->>'response_length' FROM evaluations WHERE id = ?")) {
            statement.setObject(1, UUID.fromString(id));
            try (ResultSet row = statement.executeQuery()) {
                assertTrue(row.next());
                assertEquals("COMPLETED", row.getString(1));
                assertEquals(11.0, Double.parseDouble(row.getString(2)));
            }
        }
        assertTrue(given().header("Authorization", AUTH).get("/api/evaluations").then().statusCode(200).extract().jsonPath()
                .getList("id").contains(id));

        // every judged response is stored, in benchmark order, and pages through the API
        assertEquals(2, count("SELECT count(*) FROM evaluation_responses WHERE evaluation_id = ?", UUID.fromString(id)));
        String counted = TestModels.countFrom(-1);
        for (int page = 0; page < 2; page++) {
            given().header("Authorization", AUTH).queryParam("page", page).queryParam("size", 1).get("/api/evaluations/" + id + "/responses")
                    .then().statusCode(200).body("total", equalTo(2)).body("page", equalTo(page)).body("size", equalTo(1))
                    .body("items.size()", equalTo(1))
                    .body("items[0].position", equalTo(page)).body("items[0].problemId", equalTo(page == 0 ? "a" : "b"))
                    .body("items[0].sample", equalTo(0)).body("items[0].response", equalTo(counted))
                    .body("items[0].answer", nullValue()).body("items[0].reference", equalTo("10"))
                    .body("items[0].correct", equalTo(false)).body("items[0].usedCode", equalTo(false)).body("items[0].calls", equalTo(0))
                    .body("items[0].length", equalTo(11)).body("items[0].truncated", equalTo(false)).body("items[0].executions.size()", equalTo(0));
        }
        given().header("Authorization", AUTH).queryParam("correct", false).get("/api/evaluations/" + id + "/responses").then().statusCode(200)
                .body("total", equalTo(2)).body("items.problemId", equalTo(List.of("a", "b")));
        given().header("Authorization", AUTH).queryParam("correct", true).get("/api/evaluations/" + id + "/responses").then().statusCode(200)
                .body("total", equalTo(0)).body("items.size()", equalTo(0));
        given().header("Authorization", AUTH).queryParam("size", 0).get("/api/evaluations/" + id + "/responses").then().statusCode(400)
                .body("error.field", equalTo("size"));
        given().header("Authorization", AUTH).get("/api/evaluations/" + UUID.randomUUID() + "/responses").then().statusCode(404)
                .body("error.code", equalTo("not_found"));
        given().get("/api/evaluations/" + id + "/responses").then().statusCode(401);

        // the headline table is rebuilt from the stored responses: this evaluation on both sides
        String markdown = given().header("Authorization", AUTH).queryParam("zerotir", id).queryParam("zerorl", id)
                .get("/api/evaluations/headline").then().statusCode(200).contentType(containsString("text/markdown")).extract().asString();
        assertTrue(markdown.startsWith("| benchmark | ZeroTIR avg@k | ZeroRL avg@k | difference |"), markdown);
        assertTrue(markdown.contains("| " + name + " | 0.0 | 0.0 | +0.0 | 0.0 | 0.0 | 0.0 | 0.00 | counter | counter |"), markdown);
        String csv = given().header("Authorization", AUTH).queryParam("zerotir", id).queryParam("format", "csv")
                .get("/api/evaluations/headline").then().statusCode(200).contentType(containsString("text/csv")).extract().asString();
        assertEquals("benchmark,ZeroTIR avg@k,ZeroRL avg@k,difference,ZeroTIR pass@k,ZeroRL pass@k,ZeroTIR code_ratio,"
                + "ZeroTIR calls_per_response,ZeroTIR model,ZeroRL model\n" + name + ",0.0,,,0.0,,0.0,0.00,counter,\n", csv);
        given().header("Authorization", AUTH).queryParam("zerotir", UUID.randomUUID().toString()).get("/api/evaluations/headline").then()
                .statusCode(400).body("error.field", equalTo("zerotir"));
        given().header("Authorization", AUTH).queryParam("zerotir", id).queryParam("zerorl", "x").get("/api/evaluations/headline").then()
                .statusCode(400).body("error.field", equalTo("zerorl"));
        given().header("Authorization", AUTH).queryParam("zerotir", id).queryParam("format", "pdf").get("/api/evaluations/headline").then()
                .statusCode(400).body("error.field", equalTo("format"));
    }

    @Test
    void storedResponsesComeBackAsTheEvaluatorMadeThem() throws Exception {
        UUID evaluation = QuarkusTransaction.requiringNew().call(() -> {
            Evaluation e = new Evaluation();
            e.model = "counter";
            e.benchmark = "hand-made";
            e.settings = "{}";
            e.persist();
            return e.id;
        });
        List<ResponseRecord> records = List.of(
                new ResponseRecord("p1", 0, true, "42", "42", 30, false,
                        List.of(new CodeRunner.Execution("print(6*7)", "42\n", CodeRunner.Status.OK, 12),
                                new CodeRunner.Execution("1/0", "ZeroDivisionError\u0000", CodeRunner.Status.ERROR, 3)),
                        "```python\nprint(6*7)\n```\n```output\n42\n```\n\\boxed{42}"),
                new ResponseRecord("p1", 1, false, null, "42", 512, true, List.of(), "I think \u0000"));
        QuarkusTransaction.requiringNew().run(() -> responses.store(evaluation, records));
        List<ResponseRecord> back = responses.records(evaluation);
        assertEquals(2, back.size());
        // NUL cannot be stored in PostgreSQL text; it comes back as the replacement character, nothing else changes
        ResponseRecord first = records.get(0);
        assertEquals(new ResponseRecord("p1", 0, true, "42", "42", 30, false,
                List.of(first.executions().get(0), new CodeRunner.Execution("1/0", "ZeroDivisionError\uFFFD", CodeRunner.Status.ERROR, 3)),
                first.responseText()), back.get(0));
        assertEquals(new ResponseRecord("p1", 1, false, null, "42", 512, true, List.of(), "I think \uFFFD"), back.get(1));
        EvaluationResponses.Page page = responses.page(evaluation, true, 0, 10);
        assertEquals(1, page.total());
        assertEquals(List.of("print(6*7)", "1/0"), page.items().getFirst().executions().findValuesAsText("code"));
        assertTrue(page.items().getFirst().usedCode());
        assertEquals(2, page.items().getFirst().calls());
    }

    private long count(String sql, Object parameter) throws Exception {
        try (Connection connection = dataSource.getConnection(); var statement = connection.prepareStatement(sql)) {
            statement.setObject(1, parameter);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    @Test
    void badRequestsNameTheirField() {
        given().contentType(ContentType.JSON).body("{}").post("/api/evaluations").then().statusCode(401)
                .body("error.code", equalTo("unauthorized"));
        given().header("Authorization", AUTH).contentType(ContentType.JSON).body("{\"model\": \"nope\", \"benchmark\": \"math500\"}")
                .post("/api/evaluations").then().statusCode(400).body("error.field", equalTo("model"));
        given().header("Authorization", AUTH).contentType(ContentType.JSON).body("{\"model\": \"counter\", \"benchmark\": \"math5000\"}")
                .post("/api/evaluations").then().statusCode(400).body("error.field", equalTo("benchmark"));
        given().header("Authorization", AUTH).contentType(ContentType.JSON)
                .body("{\"model\": \"counter\", \"benchmark\": \"math500\", \"samples\": 4, \"temperature\": 0}")
                .post("/api/evaluations").then().statusCode(400).body("error.field", equalTo("samples"));
        given().header("Authorization", AUTH).contentType(ContentType.JSON).body("{\"model\": \"counter\", \"benchmark\": \"math500\", \"k\": 4}")
                .post("/api/evaluations").then().statusCode(400).body("error.field", equalTo("k"));
        given().header("Authorization", AUTH).get("/api/evaluations/" + UUID.randomUUID()).then().statusCode(404)
                .body("error.code", equalTo("not_found"));
    }
}
