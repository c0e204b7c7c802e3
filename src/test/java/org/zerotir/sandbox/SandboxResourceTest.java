package org.zerotir.sandbox;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

@QuarkusTest
class SandboxResourceTest {
    static final String TOKEN = "Bearer test-sandbox-token";

    @BeforeEach
    void poolIsUp() throws Exception {
        assertTrue(SandboxProcesses.waitFor(() -> {
            var health = given().get("/sandbox/v1/health");
            return health.statusCode() == 200 && health.jsonPath().getInt("liveWorkers") == 2;
        }, 60_000), "the sandbox's two workers never came up");
    }

    static RequestSpecification authorized() {
        return given().header("Authorization", TOKEN).contentType(ContentType.JSON);
    }

    @Test
    void executesAndReportsHealth() {
        authorized().body("{\"code\": \"import numpy\\nprint(int(numpy.arange(5).sum()))\"}")
                .post("/sandbox/v1/execute").then().statusCode(200)
                .body("status", equalTo("OK")).body("stdout", equalTo("10\n")).body("exitCode", equalTo(0));
        authorized().body("{\"code\": \"1/0\", \"language\": \"python\", \"limits\": {\"wallMillis\": 2000}}")
                .post("/sandbox/v1/execute").then().statusCode(200)
                .body("status", equalTo("RUNTIME_ERROR")).body("errorLine", equalTo("ZeroDivisionError: division by zero"));
        authorized().body("{\"code\": \"import time\\ntime.sleep(60)\", \"limits\": {\"wallMillis\": 500}}")
                .post("/sandbox/v1/execute").then().statusCode(200).body("status", equalTo("TIME_LIMIT"));
        given().get("/sandbox/v1/health").then().statusCode(200)
                .body("status", equalTo("UP")).body("liveWorkers", equalTo(2)).body("workers", equalTo(2))
                .body("tokenConfigured", equalTo(true));
    }

    @Test
    void sessionsOverHttp() {
        String id = "http-session-" + System.nanoTime();
        authorized().body("{\"code\": \"counter = 1\", \"mode\": \"session\", \"sessionId\": \"" + id + "\"}")
                .post("/sandbox/v1/execute").then().statusCode(200).body("newSession", equalTo(true));
        authorized().body("{\"code\": \"counter += 1\\nprint(counter)\", \"mode\": \"SESSION\", \"sessionId\": \"" + id + "\"}")
                .post("/sandbox/v1/execute").then().statusCode(200).body("stdout", equalTo("2\n")).body("newSession", equalTo(false));
        given().header("Authorization", TOKEN).delete("/sandbox/v1/sessions/" + id).then().statusCode(200).body("closed", equalTo(true));
        given().header("Authorization", TOKEN).delete("/sandbox/v1/sessions/" + id).then().statusCode(200).body("closed", equalTo(false));
    }

    @Test
    void tokensAreRequired() {
        given().contentType(ContentType.JSON).body("{\"code\": \"print(1)\"}").post("/sandbox/v1/execute")
                .then().statusCode(401).header("WWW-Authenticate", "Bearer")
                .body("error.code", equalTo("unauthorized")).body("error.field", equalTo("Authorization"));
        given().header("Authorization", "Bearer wrong").contentType(ContentType.JSON).body("{\"code\": \"print(1)\"}")
                .post("/run_code").then().statusCode(401).body("error.message", containsString("token"));
        given().get("/sandbox/v1/health").then().statusCode(200);
    }

    @Test
    void badInputGetsA4xxNamingTheField() {
        authorized().body("{\"code\": ").post("/sandbox/v1/execute").then().statusCode(400)
                .body("error.code", equalTo("invalid")).body("error.message", containsString("malformed JSON")).body("error.field", nullValue());
        authorized().body("[1, 2]").post("/sandbox/v1/execute").then().statusCode(400);
        authorized().body("{\"code\": \"\"}").post("/sandbox/v1/execute").then().statusCode(400).body("error.field", equalTo("code"));
        authorized().body("{\"code\": 42}").post("/sandbox/v1/execute").then().statusCode(400).body("error.field", equalTo("code"));
        authorized().body("{\"code\": \"print(1)\", \"language\": \"cobol\"}").post("/sandbox/v1/execute").then().statusCode(400)
                .body("error.field", equalTo("language")).body("error.message", containsString("cobol"));
        authorized().body("{\"code\": \"print(1)\", \"limits\": {\"wallMillis\": -5}}").post("/sandbox/v1/execute").then().statusCode(400)
                .body("error.field", equalTo("limits.wallMillis"));
        authorized().body("{\"code\": \"print(1)\", \"limits\": {\"wallMillis\": 99999999999}}").post("/sandbox/v1/execute").then().statusCode(400)
                .body("error.field", equalTo("limits.wallMillis"));
        authorized().body("{\"code\": \"print(1)\", \"limits\": {\"wallMillis\": \"soon\"}}").post("/sandbox/v1/execute").then().statusCode(400)
                .body("error.field", equalTo("limits.wallMillis"));
        authorized().body("{\"code\": \"print(1)\", \"timeout\": 5}").post("/sandbox/v1/execute").then().statusCode(400)
                .body("error.field", equalTo("timeout"));
        authorized().body("{\"code\": \"print(1)\", \"mode\": \"session\"}").post("/sandbox/v1/execute").then().statusCode(400)
                .body("error.field", equalTo("sessionId"));
        authorized().body("{\"code\": \"" + "x".repeat(70_000) + "\"}").post("/sandbox/v1/execute").then().statusCode(400)
                .body("error.field", equalTo("code"));
        authorized().body("{\"code\": \"" + "x".repeat(1_100_000) + "\"}").post("/sandbox/v1/execute").then().statusCode(413)
                .body("error.code", equalTo("too_large"));
        authorized().body("{\"code\": \"print(1)\", \"run_timeout\": -1}").post("/run_code").then().statusCode(400)
                .body("error.field", equalTo("run_timeout"));
        authorized().body("{\"code\": \"print(1)\", \"language\": \"cpp\"}").post("/run_code").then().statusCode(400)
                .body("error.field", equalTo("language"));
        // the pool is unaffected
        authorized().body("{\"code\": \"print('still here')\"}").post("/sandbox/v1/execute").then().statusCode(200)
                .body("stdout", equalTo("still here\n"));
        given().get("/sandbox/v1/health").then().statusCode(200).body("liveWorkers", equalTo(2)).body("queueDepth", equalTo(0));
    }

    @Test
    void sandboxFusionRunCode() {
        authorized().body("{\"code\": \"print('hello')\", \"language\": \"python\", \"run_timeout\": 5, \"compile_timeout\": 10, "
                        + "\"memory_limit_MB\": -1, \"stdin\": \"\", \"files\": {}, \"fetch_files\": []}")
                .post("/run_code").then().statusCode(200)
                .body("status", equalTo("Success")).body("message", equalTo(""))
                .body("run_result.status", equalTo("Finished")).body("run_result.return_code", equalTo(0))
                .body("run_result.stdout", equalTo("hello\n")).body("run_result.stderr", equalTo(""))
                .body("compile_result", nullValue()).body("files.size()", equalTo(0));
        authorized().body("{\"code\": \"raise SystemExit(3)\", \"language\": \"python\"}").post("/run_code").then().statusCode(200)
                .body("status", equalTo("Failed")).body("run_result.status", equalTo("Finished")).body("run_result.return_code", equalTo(3));
        authorized().body("{\"code\": \"while True: pass\", \"language\": \"python\", \"run_timeout\": 0.5}").post("/run_code").then()
                .statusCode(200).body("status", equalTo("Failed")).body("run_result.status", equalTo("TimeLimitExceeded"));
    }
}
