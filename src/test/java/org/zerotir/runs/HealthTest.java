package org.zerotir.runs;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class HealthTest {

    @Test
    void healthIsUpAndIncludesTheDatabase() {
        given().when().get("/q/health")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.findAll { it.name == 'Database connections health check' }.status", hasItem("UP"))
                .body("checks.find { it.name == 'Database connections health check' }.data.'<default>'",
                        equalTo("UP"));
    }

    /** The backend the server computes on, what was asked (auto by default) and, when auto fell back, CUDA's reason. */
    @Test
    void healthSaysWhichBackendComputesAndWhy() {
        Map<String, Object> engine = given().when().get("/q/health").then().statusCode(200)
                .body("checks.find { it.name == 'Engine' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'Engine' }.data.requested", equalTo("auto"))
                .extract().path("checks.find { it.name == 'Engine' }.data");
        assertTrue(engine.get("backend").equals("cpu") || engine.get("backend").equals("cuda"), engine.toString());
        if (engine.get("backend").equals("cpu")) {
            assertTrue(engine.get("fallback") instanceof String reason && !reason.isBlank(), "auto on the CPU says why: " + engine);
        }
    }
}
