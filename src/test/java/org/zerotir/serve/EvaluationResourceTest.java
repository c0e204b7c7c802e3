package org.zerotir.serve;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
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
