package org.zerotir.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** Settings and request validation, and the SandboxFusion mapping both ways, without starting Python. */
class SandboxSettingsTest {

    @Test
    void badSettingsNameTheirKey() {
        SandboxSettings d = SandboxSettings.defaults();
        assertEquals("zerotir.sandbox.workers", assertThrows(SandboxRequestException.class, () -> d.withWorkers(0)).field());
        assertEquals("zerotir.sandbox.queue-capacity", assertThrows(SandboxRequestException.class, () -> d.withQueueCapacity(-1)).field());
        assertEquals("zerotir.sandbox.hidden-paths", assertThrows(SandboxRequestException.class, () -> d.withHiddenPaths(List.of("/"))).field());
        assertEquals("zerotir.sandbox.python", assertThrows(SandboxRequestException.class, () -> d.withPython(" ")).field());
        assertEquals("limits.wallMillis", assertThrows(SandboxRequestException.class,
                () -> d.withDefaultLimits(new ExecutionLimits(10_000_000, 1, 1L << 30, 0, 1, 100))).field());
    }

    @Test
    void requestsAreCheckedAgainstTheSettings() {
        SandboxSettings d = SandboxSettings.defaults();
        assertEquals(ExecutionLimits.DEFAULTS, ExecutionRequest.python("print(1)").validate(d));
        assertEquals("limits.memoryBytes", assertThrows(SandboxRequestException.class, () -> ExecutionRequest.python("print(1)")
                .withLimits(new ExecutionLimits(1000, 1, 1024, 0, 1, 100)).validate(d)).field());
        assertEquals("limits.outputBytes", assertThrows(SandboxRequestException.class, () -> ExecutionRequest.python("print(1)")
                .withLimits(new ExecutionLimits(1000, 1, 1L << 30, 0, 1, Integer.MAX_VALUE)).validate(d)).field());
        assertEquals("sessionId", assertThrows(SandboxRequestException.class,
                () -> ExecutionRequest.inSession("has space", "x = 1").validate(d)).field());
        assertEquals("sessionId", assertThrows(SandboxRequestException.class, () -> new ExecutionRequest("x = 1", "python",
                ExecutionRequest.Mode.STATELESS, "s1", null).validate(d)).field());
    }

    @Test
    void sandboxFusionShapes() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ExecutionResult ok = new ExecutionResult(ExecutionStatus.OK, "hi\n", "", 0, 1500, 0, false, null, null, false);
        var body = json.valueToTree(SandboxFusion.response(ok));
        assertEquals("Success", body.path("status").asText());
        assertEquals(1.5, body.path("run_result").path("execution_time").asDouble());
        assertEquals(ok.stdout(), RemoteSandboxClient.fromFusion(body).stdout());
        assertEquals(ExecutionStatus.OK, RemoteSandboxClient.fromFusion(body).status());

        ExecutionResult timeout = new ExecutionResult(ExecutionStatus.TIME_LIMIT, "", "", null, 1000, 0, false, null, "wall", false);
        assertEquals(ExecutionStatus.TIME_LIMIT, RemoteSandboxClient.fromFusion(json.valueToTree(SandboxFusion.response(timeout))).status());

        ExecutionResult error = new ExecutionResult(ExecutionStatus.RUNTIME_ERROR, "", "Traceback\nKeyError: 'k'\n", 1, 3, 0, false,
                "KeyError: 'k'", null, false);
        var errorBody = json.valueToTree(SandboxFusion.response(error));
        assertEquals("Failed", errorBody.path("status").asText());
        assertEquals("Finished", errorBody.path("run_result").path("status").asText());
        assertEquals("KeyError: 'k'", RemoteSandboxClient.fromFusion(errorBody).errorLine());

        var sandboxError = json.valueToTree(SandboxFusion.response(ExecutionResult.sandboxError("worker died")));
        assertEquals("SandboxError", sandboxError.path("status").asText());
        assertEquals(ExecutionStatus.SANDBOX_ERROR, RemoteSandboxClient.fromFusion(sandboxError).status());
    }
}
