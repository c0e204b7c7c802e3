package org.zerotir.runs;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.zerotir.runs.RunsTestSupport.api;
import static org.zerotir.runs.RunsTestSupport.awaitStatus;
import static org.zerotir.runs.RunsTestSupport.count;
import static org.zerotir.runs.RunsTestSupport.create;

import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zerotir.rl.RunConfig;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;

/** Every endpoint's answers and error paths; refused requests persist nothing. */
@QuarkusTest
class RunResourceTest {

    @Inject
    DataSource dataSource;

    private static final String MODEL = TinyRunEnvironment.model().toString();

    /** POSTs {@code body}, expects a 400 naming {@code field}, and checks that no run was stored. */
    private ValidatableResponse refused(String body, String field) throws Exception {
        long before = count(dataSource, "SELECT count(*) FROM runs");
        ValidatableResponse response = api().contentType(ContentType.JSON).body(body).when().post("/api/runs").then()
                .statusCode(400)
                .contentType(ContentType.JSON)
                .body("error.code", equalTo("invalid"))
                .body("error.field", field == null ? nullValue() : equalTo(field));
        assertEquals(before, count(dataSource, "SELECT count(*) FROM runs"), "nothing is persisted from a refused request");
        return response;
    }

    private static String withModel(String rest) {
        return "{\"model\": {\"path\": \"" + MODEL + "\"}" + (rest.isEmpty() ? "" : ", " + rest) + "}";
    }

    @Test
    void badConfigurationsAreRefusedNamingTheField(@TempDir Path tmp) throws Exception {
        refused(withModel("\"learningRate\": 0.1"), "learningRate").body("error.message", containsString("not a known field"));
        refused(withModel("\"algorithm\": {\"lr\": 0.1}"), "algorithm.lr").body("error.message", containsString("learningRate"));
        refused(withModel("\"steps\": \"ten\""), "steps").body("error.message", containsString("integer"));
        refused(withModel("\"steps\": \"10\""), "steps");
        refused(withModel("\"steps\": 1.5"), "steps");
        refused(withModel("\"algorithm\": \"grpo\""), "algorithm").body("error.message", containsString("object"));
        refused(withModel("\"algorithm\": {\"learningRate\": -0.001}"), "algorithm.learningRate")
                .body("error.message", containsString("positive"));
        refused(withModel("\"algorithm\": {\"name\": \"dpo\"}"), "algorithm.name").body("error.message", containsString("grpo"));
        refused(withModel("\"algorithm\": {\"name\": \"grpo\"}, \"rollout\": {\"samplesPerPrompt\": 1}"), "rollout.samplesPerPrompt");
        refused("{\"steps\": 3}", "model.path").body("error.message", containsString("required"));
        refused("{\"model\": {\"path\": \"" + tmp.resolve("nowhere") + "\"}}", "model.path")
                .body("error.message", containsString("nowhere"));
        refused("{\"model\": {\"path\": \"" + tmp + "\"}}", "model.path").body("error.message", containsString("config.json"));
        refused(withModel("\"rollout\": {\"promptsPerStep\": 3, \"samplesPerPrompt\": 3}, \"algorithm\": {\"miniBatches\": 2}"),
                "algorithm.miniBatches").body("error.message", containsString("9 responses"));
        refused("{\"model\": {\"path\": \"" + MODEL + "\", \"scratch\": {}}}", "model").body("error.message", containsString("not both"));
        refused("{\"model\": {\"scratch\": {\"hidden\": 128, \"heads\": 3}}}", "model.scratch.heads")
                .body("error.message", containsString("divide hidden"));
        refused("{\"model\": {\"scratch\": {\"heads\": 4, \"kvHeads\": 3}}}", "model.scratch.kvHeads");
        refused("{\"model\": {\"scratch\": {\"vocab\": 100}}}", "model.scratch.vocab").body("error.message", containsString("[258, 8192]"));
        refused("{\"model\": {\"scratch\": {\"layers\": \"four\"}}}", "model.scratch.layers").body("error.message", containsString("integer"));
        refused("{\"model\": {\"scratch\": {\"depth\": 4}}}", "model.scratch.depth").body("error.message", containsString("kvHeads"));
        refused("{\"model\": {\"scratch\": {}}}", "model.scratch.context").body("error.message", containsString("maxResponseTokens (1024)"));

        Path data = tmp.resolve("train.jsonl");
        Files.writeString(data, "{\"id\": \"a\", \"problem\": \"1+1\", \"answer\": \"2\"}\n{\"id\": \"b\", \"problem\": \"2+2\"\n");
        refused(withModel("\"data\": {\"train\": \"" + data + "\"}"), "data.train")
                .body("error.message", containsString("train.jsonl line 2"));

        refused("{\"model\": ", null).body("error.message", containsString("JSON"));
        refused("[1, 2]", null).body("error.message", containsString("JSON object"));
    }

    @Test
    void mutationsNeedAnApiKeyAndReadsDoNot() throws Exception {
        long before = count(dataSource, "SELECT count(*) FROM runs");
        given().contentType(ContentType.JSON).body(TinyRunEnvironment.config("no-key", 1, 1)).when().post("/api/runs").then()
                .statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer"))
                .body("error.code", equalTo("unauthorized"))
                .body("error.message", containsString("Authorization: Bearer"));
        given().header("Authorization", "Bearer wrong").contentType(ContentType.JSON).body(TinyRunEnvironment.config("bad-key", 1, 1))
                .when().post("/api/runs").then().statusCode(401).body("error.message", containsString("not valid"));
        given().header("Authorization", "Basic dGVzdC1rZXk6").contentType(ContentType.JSON).body(TinyRunEnvironment.config("basic", 1, 1))
                .when().post("/api/runs").then().statusCode(401);
        assertEquals(before, count(dataSource, "SELECT count(*) FROM runs"));

        UUID id = create(TinyRunEnvironment.config("keyed", 1, 1));
        awaitStatus(id, "COMPLETED");
        for (String action : new String[] {"stop", "resume", "clone"}) {
            given().contentType(ContentType.JSON).body("{}").when().post("/api/runs/" + id + "/" + action).then().statusCode(401);
        }
        given().when().delete("/api/runs/" + id).then().statusCode(401);
        given().when().get("/api/runs/" + id).then().statusCode(200);
        given().when().get("/api/runs").then().statusCode(200);
    }

    @Test
    void unknownRunsAre404AndLifecycleConflictsAre409() throws Exception {
        UUID missing = UUID.randomUUID();
        for (String path : new String[] {"", "/metrics", "/rollouts", "/checkpoints", "/evaluations", "/log"}) {
            given().when().get("/api/runs/" + missing + path).then().statusCode(404)
                    .body("error.code", equalTo("not_found")).body("error.message", containsString(missing.toString()));
        }
        given().when().get("/api/runs/not-a-uuid").then().statusCode(404).body("error.code", equalTo("not_found"));
        api().when().post("/api/runs/" + missing + "/stop").then().statusCode(404);
        api().when().post("/api/runs/" + missing + "/resume").then().statusCode(404);
        api().contentType(ContentType.JSON).body("{}").when().post("/api/runs/" + missing + "/clone").then().statusCode(404);
        api().when().delete("/api/runs/" + missing).then().statusCode(404);

        UUID id = create(TinyRunEnvironment.config("conflicts", 2, 2));
        awaitStatus(id, "COMPLETED");
        api().when().post("/api/runs/" + id + "/stop").then().statusCode(409).body("error.message", containsString("COMPLETED"));
        api().when().post("/api/runs/" + id + "/resume").then().statusCode(409).body("error.code", equalTo("conflict"));
    }

    @Test
    void listFiltersByStatusAndNameAndPages() throws Exception {
        String tag = "list-" + UUID.randomUUID().toString().substring(0, 6);
        UUID a = create(TinyRunEnvironment.config(tag + "-alpha", 1, 1));
        UUID b = create(TinyRunEnvironment.config(tag + "-beta", 1, 1));
        awaitStatus(a, "COMPLETED");
        awaitStatus(b, "COMPLETED");
        given().queryParam("name", tag.toUpperCase()).when().get("/api/runs").then().statusCode(200)
                .body("total", equalTo(2)).body("items.name", equalTo(java.util.List.of(tag + "-beta", tag + "-alpha")));
        given().queryParam("name", tag + "-al").when().get("/api/runs").then().body("total", equalTo(1)).body("items[0].id", equalTo(a.toString()));
        given().queryParam("name", tag).queryParam("size", 1).queryParam("page", 1).when().get("/api/runs").then()
                .body("items", hasSize(1)).body("items[0].name", equalTo(tag + "-alpha")).body("page", equalTo(1)).body("size", equalTo(1));
        given().queryParam("name", tag).queryParam("status", "completed,failed").when().get("/api/runs").then().body("total", equalTo(2));
        given().queryParam("name", tag).queryParam("status", "QUEUED").when().get("/api/runs").then().body("total", equalTo(0));
        given().queryParam("status", "PAUSED").when().get("/api/runs").then().statusCode(400).body("error.field", equalTo("status"));
        given().queryParam("size", 0).when().get("/api/runs").then().statusCode(400).body("error.field", equalTo("size"));
        given().queryParam("page", -1).when().get("/api/runs").then().statusCode(400).body("error.field", equalTo("page"));
    }

    @Test
    void createReturnsTheRunWithItsDefaultsAndCloneMergesAPatch() throws Exception {
        String location = api().contentType(ContentType.JSON).body(TinyRunEnvironment.config("original", 1, 1)).when().post("/api/runs")
                .then().statusCode(201)
                .body("name", equalTo("original"))
                .body("status", org.hamcrest.Matchers.oneOf("QUEUED", "RUNNING"))
                .body("config.algorithm.clipHigh", equalTo(0.28f))
                .body("config.algorithm.learningRate", equalTo(0.01f))
                .body("totalSteps", equalTo(1))
                .extract().header("Location");
        UUID id = UUID.fromString(location.substring(location.lastIndexOf('/') + 1));
        awaitStatus(id, "COMPLETED");

        String cloneId = api().contentType(ContentType.JSON).body("{\"steps\": 2, \"algorithm\": {\"learningRate\": 0.02}}")
                .when().post("/api/runs/" + id + "/clone").then().statusCode(201)
                .body("name", equalTo("original-clone"))
                .body("config.steps", equalTo(2))
                .body("config.algorithm.learningRate", equalTo(0.02f))
                .body("config.algorithm.name", equalTo("grpo"))
                .body("config.rollout.promptsPerStep", equalTo(4))
                .extract().path("id");
        awaitStatus(UUID.fromString(cloneId), "COMPLETED");
        long before = count(dataSource, "SELECT count(*) FROM runs");
        api().contentType(ContentType.JSON).body("{\"algorithm\": {\"learningRate\": -1}}").when().post("/api/runs/" + id + "/clone")
                .then().statusCode(400).body("error.field", equalTo("algorithm.learningRate"));
        api().contentType(ContentType.JSON).body("{\"algorithm\": {\"betas\": 1}}").when().post("/api/runs/" + id + "/clone")
                .then().statusCode(400).body("error.field", equalTo("algorithm.betas"));
        api().contentType(ContentType.JSON).body("[1]").when().post("/api/runs/" + id + "/clone").then().statusCode(400);
        assertEquals(before, count(dataSource, "SELECT count(*) FROM runs"));
        // a merge patch's null removes a field, which then takes its default
        api().contentType(ContentType.JSON).body("{\"name\": \"renamed\", \"steps\": null, \"algorithm\": {\"learningRate\": null}}")
                .when().post("/api/runs/" + id + "/clone").then().statusCode(201)
                .body("name", equalTo("renamed")).body("config.steps", equalTo(100)).body("config.algorithm.learningRate", equalTo(1.0e-6f))
                .extract().path("id");
        String renamed = given().queryParam("name", "renamed").when().get("/api/runs").then().extract().path("items[0].id");
        api().when().post("/api/runs/" + renamed + "/stop").then().statusCode(200);
        awaitStatus(UUID.fromString(renamed), "STOPPED");
    }

    @Test
    void queriesRefuseBadParameters() throws Exception {
        UUID id = create(TinyRunEnvironment.config("params", 1, 1));
        awaitStatus(id, "COMPLETED");
        given().queryParam("from", -1).when().get("/api/runs/" + id + "/metrics").then().statusCode(400).body("error.field", equalTo("from"));
        given().queryParam("from", 3).queryParam("to", 2).when().get("/api/runs/" + id + "/metrics").then().statusCode(400)
                .body("error.field", equalTo("to"));
        given().queryParam("from", "x").when().get("/api/runs/" + id + "/metrics").then().statusCode(404);
        given().queryParam("lines", 0).when().get("/api/runs/" + id + "/log").then().statusCode(400).body("error.field", equalTo("lines"));
        given().queryParam("names", "accuracy").queryParam("names", "policy/lr").when().get("/api/runs/" + id + "/metrics").then()
                .statusCode(200).body("[0].step", equalTo(1)).body("[0].metrics.keySet()", equalTo(java.util.Set.of("accuracy", "policy/lr")));
    }

    @Test
    void theSchemaDescribesEveryFieldWithItsDefault() {
        ValidatableResponse schema = given().when().get("/api/runs/schema").then().statusCode(200)
                .body("type", equalTo("object"))
                .body("additionalProperties", equalTo(false))
                .body("required", hasItem("model"))
                .body("properties.model.oneOf.required.flatten()", equalTo(List.of("path", "scratch")))
                .body("properties.model.properties.scratch.properties.hidden.default", equalTo(128))
                .body("properties.algorithm.properties.clipHigh.type", equalTo("number"))
                .body("properties.algorithm.properties.clipHigh.default", equalTo(0.28f))
                .body("properties.algorithm.properties.name.default", equalTo("reinforce_pp_baseline"))
                .body("properties.algorithm.properties.name.enum", hasItem("grpo"))
                .body("properties.steps.type", equalTo("integer"))
                .body("properties.steps.default", equalTo(100))
                .body("properties.tool.properties.enabled.type", equalTo("boolean"))
                .body("properties.data.properties.train.default", equalTo("arithmetic"));
        for (RecordComponent component : RunConfig.class.getRecordComponents()) {
            schema.body("properties." + component.getName(), org.hamcrest.Matchers.notNullValue());
        }
        assertEquals(RunConfig.Algorithm.class.getRecordComponents().length,
                given().when().get("/api/runs/schema").then().extract().jsonPath().getMap("properties.algorithm.properties").size());
        assertEquals(Arrays.stream(RunConfig.class.getRecordComponents()).count(),
                given().when().get("/api/runs/schema").then().extract().jsonPath().getMap("properties").size());
    }

    @Test
    void bodiesAreSizeLimitedAndTheApiIsDocumented() {
        String huge = "{\"name\": \"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        api().contentType(ContentType.JSON).body(huge).when().post("/api/runs").then().statusCode(413)
                .body("error.code", equalTo("too_large")).body("error.message", containsString("zerotir.api.max-body-bytes"));
        given().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200)
                .body("paths.'/api/runs'.post", org.hamcrest.Matchers.notNullValue())
                .body("paths.'/api/runs/{id}/events'.get", org.hamcrest.Matchers.notNullValue())
                .body("components.securitySchemes.apiKey.scheme", equalTo("bearer"));
        given().when().get("/q/swagger-ui/").then().statusCode(200);
    }
}
