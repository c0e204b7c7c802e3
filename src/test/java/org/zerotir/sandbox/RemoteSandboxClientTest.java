package org.zerotir.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** Our client against the running test server, beside a replica that is down. */
@QuarkusTest
class RemoteSandboxClientTest {
    static final String DEAD = "http://127.0.0.1:9";

    @TestHTTPResource("/")
    URL server;

    RemoteSandboxClient client(RemoteSandboxClient.Protocol protocol, String token) {
        return new RemoteSandboxClient(List.of(DEAD, server.toString()), protocol, token, 2000, 10_000, SandboxSettings.defaults());
    }

    @Test
    void roundRobinSkipsTheDeadReplica() throws Exception {
        try (RemoteSandboxClient client = client(RemoteSandboxClient.Protocol.ZEROTIR, "test-sandbox-token")) {
            for (int i = 0; i < 6; i++) {
                ExecutionResult r = client.execute(ExecutionRequest.python("print(" + i + " ** 2)")).get(60, TimeUnit.SECONDS);
                assertEquals(ExecutionStatus.OK, r.status(), r.toString());
                assertEquals((i * i) + "\n", r.stdout());
            }
            ExecutionResult error = client.execute(ExecutionRequest.python("import math\nmath.sqrt(-1)")).get(60, TimeUnit.SECONDS);
            assertEquals(ExecutionStatus.RUNTIME_ERROR, error.status());
            assertEquals("ValueError: math domain error", error.errorLine());

            String session = "remote-" + System.nanoTime();
            assertTrue(client.execute(ExecutionRequest.inSession(session, "total = 40")).get(60, TimeUnit.SECONDS).newSession());
            ExecutionResult second = client.execute(ExecutionRequest.inSession(session, "total += 2\nprint(total)")).get(60, TimeUnit.SECONDS);
            assertEquals("42\n", second.stdout(), second.toString());
            assertTrue(client.closeSession(session).get(60, TimeUnit.SECONDS));

            var refused = client.execute(new ExecutionRequest("print(1)", "python", ExecutionRequest.Mode.STATELESS, null,
                    new ExecutionLimits(-1, 1, 1L << 30, 0, 1, 100))).exceptionNow();
            assertInstanceOf(SandboxRequestException.class, refused);
        }
    }

    @Test
    void speaksSandboxFusion() throws Exception {
        try (RemoteSandboxClient client = client(RemoteSandboxClient.Protocol.SANDBOX_FUSION, "test-sandbox-token")) {
            ExecutionResult ok = client.execute(ExecutionRequest.python("print('fusion')")).get(60, TimeUnit.SECONDS);
            assertEquals(ExecutionStatus.OK, ok.status(), ok.toString());
            assertEquals("fusion\n", ok.stdout());
            ExecutionResult error = client.execute(ExecutionRequest.python("1/0")).get(60, TimeUnit.SECONDS);
            assertEquals(ExecutionStatus.RUNTIME_ERROR, error.status());
            assertEquals("ZeroDivisionError: division by zero", error.errorLine());
            ExecutionResult slow = client.execute(ExecutionRequest.python("import time\ntime.sleep(30)")
                    .withLimits(new ExecutionLimits(500, 1, 1L << 30, 0, 8, 1000))).get(60, TimeUnit.SECONDS);
            assertEquals(ExecutionStatus.TIME_LIMIT, slow.status(), slow.toString());
            var noSessions = client.execute(ExecutionRequest.inSession("s", "x = 1")).exceptionNow();
            assertEquals("mode", ((SandboxRequestException) noSessions).field());
        }
    }

    @Test
    void allReplicasDownIsASandboxErrorNotAnException() throws Exception {
        try (RemoteSandboxClient client = new RemoteSandboxClient(List.of(DEAD, "http://127.0.0.1:7"),
                RemoteSandboxClient.Protocol.ZEROTIR, "x", 1000, 1000, SandboxSettings.defaults())) {
            ExecutionResult r = client.execute(ExecutionRequest.python("print(1)")).get(60, TimeUnit.SECONDS);
            assertEquals(ExecutionStatus.SANDBOX_ERROR, r.status());
            assertTrue(r.message().contains("127.0.0.1:9") && r.message().contains("127.0.0.1:7"), r.message());
        }
    }

    @Test
    void aWrongTokenIsAnError() throws Exception {
        try (RemoteSandboxClient client = client(RemoteSandboxClient.Protocol.ZEROTIR, "wrong")) {
            var failure = client.execute(ExecutionRequest.python("print(1)")).handle((r, e) -> e).get(60, TimeUnit.SECONDS);
            assertFalse(failure == null);
            assertTrue(failure.getMessage().contains("token"), failure.getMessage());
        }
    }
}
