package org.zerotir.runs;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

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
}
