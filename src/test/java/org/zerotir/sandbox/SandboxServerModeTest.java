package org.zerotir.sandbox;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * The server as {@code zerotir sandbox} would start it (no database, workers warmed at start), here without a
 * token: the endpoints refuse with 403 and say what to configure; health still answers.
 */
@QuarkusTest
@TestProfile(SandboxServerModeTest.ReplicaWithoutToken.class)
class SandboxServerModeTest {

    public static class ReplicaWithoutToken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(SandboxServerMode.properties());
            overrides.put("quarkus.http.host", "127.0.0.1");
            overrides.put("zerotir.sandbox.token", "");
            overrides.put("zerotir.sandbox.workers", "1");
            overrides.put("zerotir.sandbox.uid-base", "340000");
            return overrides;
        }
    }

    @Test
    void startsWithoutADatabaseAndRefusesWithoutAToken() throws Exception {
        assertTrue(SandboxProcesses.waitFor(() -> given().get("/sandbox/v1/health").statusCode() == 200, 60_000));
        given().get("/sandbox/v1/health").then().body("status", equalTo("UP")).body("tokenConfigured", equalTo(false));
        for (String path : new String[] {"/sandbox/v1/execute", "/run_code"}) {
            given().header("Authorization", "Bearer anything").contentType(ContentType.JSON).body("{\"code\": \"print(1)\"}")
                    .post(path).then().statusCode(403)
                    .body("error.code", equalTo("forbidden")).body("error.message", containsString("zerotir.sandbox.token"));
        }
    }

    @Test
    void exposesTheSandboxCountersToPrometheus() {
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("zerotir_sandbox_executions_total"))
                .body(containsString("zerotir_sandbox_queue_depth"))
                .body(containsString("zerotir_sandbox_latency_seconds_bucket"));
    }
}
