package org.zerotir.sandbox;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Sandboxes running elsewhere: Zerotir's own ({@code zerotir sandbox}, {@code POST /sandbox/v1/execute}) or any
 * SandboxFusion server ({@code POST /run_code}). Replicas are taken in turn; one that cannot be reached or answers
 * 5xx is skipped for the next. A session stays on the replica that holds it while that replica answers.
 */
public final class RemoteSandboxClient implements SandboxClient {

    public enum Protocol { ZEROTIR, SANDBOX_FUSION }

    private final List<URI> replicas;
    private final Protocol protocol;
    private final String token;
    private final long requestGraceMillis;
    private final SandboxSettings settings;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private final AtomicInteger next = new AtomicInteger();
    private final Map<String, Integer> sessionReplica = new ConcurrentHashMap<>();

    public RemoteSandboxClient(List<String> urls, Protocol protocol, String token, long connectTimeoutMillis,
                               long requestGraceMillis, SandboxSettings settings) {
        if (urls.isEmpty()) throw new SandboxRequestException("zerotir.sandbox.remote.urls", "at least one sandbox URL is required");
        List<URI> parsed = new ArrayList<>();
        for (String url : urls) {
            URI uri = URI.create(url.endsWith("/") ? url : url + "/");
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new SandboxRequestException("zerotir.sandbox.remote.urls", "not an http(s) URL: " + url);
            }
            parsed.add(uri);
        }
        this.replicas = List.copyOf(parsed);
        this.protocol = protocol;
        this.token = token;
        this.requestGraceMillis = requestGraceMillis;
        this.settings = settings;
        // HTTP/1.1: no h2c upgrade dance on every request to a plain-http replica
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofMillis(connectTimeoutMillis)).build();
    }

    @Override
    public CompletableFuture<ExecutionResult> execute(ExecutionRequest request) {
        ExecutionLimits limits;
        try {
            limits = request.validate(settings);
            if (protocol == Protocol.SANDBOX_FUSION && request.mode() == ExecutionRequest.Mode.SESSION) {
                throw new SandboxRequestException("mode", "SandboxFusion's /run_code has no sessions: use STATELESS");
            }
        } catch (SandboxRequestException e) {
            return CompletableFuture.failedFuture(e);
        }
        String session = request.mode() == ExecutionRequest.Mode.SESSION ? request.sessionId() : null;
        int first = session != null
                ? sessionReplica.computeIfAbsent(session, s -> Math.floorMod(next.getAndIncrement(), replicas.size()))
                : Math.floorMod(next.getAndIncrement(), replicas.size());
        byte[] body = protocol == Protocol.ZEROTIR ? zerotirBody(request, limits) : fusionBody(request, limits);
        String path = protocol == Protocol.ZEROTIR ? "sandbox/v1/execute" : "run_code";
        Duration timeout = Duration.ofMillis(limits.wallMillis() + requestGraceMillis);
        return attempt(first, 0, path, body, timeout, session, new ArrayList<>());
    }

    private CompletableFuture<ExecutionResult> attempt(int replica, int tried, String path, byte[] body, Duration timeout,
                                                       String session, List<String> failures) {
        if (tried == replicas.size()) {
            if (session != null) sessionReplica.remove(session);
            boolean allBusy = !failures.isEmpty() && failures.stream().allMatch(f -> f.contains("busy"));
            if (allBusy) return CompletableFuture.failedFuture(new SandboxBusyException("every sandbox replica is busy: " + failures));
            return CompletableFuture.completedFuture(ExecutionResult.sandboxError("no sandbox replica answered: " + String.join("; ", failures)));
        }
        URI base = replicas.get(replica);
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) builder.header("Authorization", "Bearer " + token);
        return http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofByteArray()).handle((response, error) -> {
            int nextReplica = (replica + 1) % replicas.size();
            if (error != null) {
                failures.add(base + ": " + rootMessage(error));
                if (session != null) sessionReplica.put(session, nextReplica);
                return attempt(nextReplica, tried + 1, path, body, timeout, session, failures);
            }
            int code = response.statusCode();
            if (code >= 500 || code == 429) {
                failures.add(base + ": HTTP " + code + (code == 503 ? " busy" : ""));
                if (session != null && code != 503) sessionReplica.put(session, nextReplica);
                return attempt(nextReplica, tried + 1, path, body, timeout, session, failures);
            }
            try {
                if (code >= 400) return CompletableFuture.<ExecutionResult>failedFuture(refusal(base, code, response.body()));
                JsonNode answer = json.readTree(response.body());
                return CompletableFuture.completedFuture(protocol == Protocol.ZEROTIR ? fromZerotir(answer) : fromFusion(answer));
            } catch (IOException e) {
                failures.add(base + ": unreadable answer: " + e.getMessage());
                return attempt(nextReplica, tried + 1, path, body, timeout, session, failures);
            }
        }).thenCompose(f -> f);
    }

    @Override
    public CompletableFuture<Boolean> closeSession(String sessionId) {
        Integer replica = sessionId == null ? null : sessionReplica.remove(sessionId);
        if (replica == null || protocol != Protocol.ZEROTIR) return CompletableFuture.completedFuture(false);
        HttpRequest.Builder builder = HttpRequest.newBuilder(replicas.get(replica).resolve("sandbox/v1/sessions/" + sessionId))
                .timeout(Duration.ofMillis(requestGraceMillis)).DELETE();
        if (token != null) builder.header("Authorization", "Bearer " + token);
        return http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofByteArray()).handle((response, error) -> {
            if (error != null || response.statusCode() != 200) return false;
            try {
                return json.readTree(response.body()).path("closed").asBoolean();
            } catch (IOException e) {
                return false;
            }
        });
    }

    @Override
    public void close() {
        http.close();
    }

    private byte[] zerotirBody(ExecutionRequest request, ExecutionLimits limits) {
        ObjectNode body = json.createObjectNode();
        body.put("code", request.code());
        body.put("language", "python");
        body.put("mode", request.mode() == null ? "STATELESS" : request.mode().name());
        if (request.sessionId() != null) body.put("sessionId", request.sessionId());
        body.set("limits", json.valueToTree(limits));
        return bytes(body);
    }

    private byte[] fusionBody(ExecutionRequest request, ExecutionLimits limits) {
        ObjectNode body = json.createObjectNode();
        body.put("code", request.code());
        body.put("language", "python");
        body.put("run_timeout", limits.wallMillis() / 1000.0);
        body.put("compile_timeout", 10);
        body.put("memory_limit_MB", limits.memoryBytes() >> 20);
        return bytes(body);
    }

    private byte[] bytes(ObjectNode body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private ExecutionResult fromZerotir(JsonNode r) throws IOException {
        return json.treeToValue(r, ExecutionResult.class);
    }

    /** SandboxFusion's RunCodeResponse: status Success | Failed | SandboxError, run_result {status, ...}. */
    static ExecutionResult fromFusion(JsonNode r) {
        String status = r.path("status").asText();
        JsonNode run = r.path("run_result");
        String stdout = run.path("stdout").asText("");
        String stderr = run.path("stderr").asText("");
        Integer exit = run.hasNonNull("return_code") ? run.get("return_code").asInt() : null;
        long millis = Math.round(run.path("execution_time").asDouble(0) * 1000);
        if ("SandboxError".equals(status) || (!"Success".equals(status) && run.isMissingNode() && r.path("compile_result").isMissingNode())) {
            return ExecutionResult.sandboxError("SandboxFusion: " + r.path("message").asText(status));
        }
        if ("Success".equals(status)) {
            return new ExecutionResult(ExecutionStatus.OK, stdout, stderr, exit, millis, 0, false, null, null, false);
        }
        if ("TimeLimitExceeded".equals(run.path("status").asText())) {
            return new ExecutionResult(ExecutionStatus.TIME_LIMIT, stdout, stderr, exit, millis, 0, false, null,
                    "time limit exceeded", false);
        }
        String last = lastLine(stderr);
        ExecutionStatus kind = last.startsWith("MemoryError") ? ExecutionStatus.MEMORY_LIMIT : ExecutionStatus.RUNTIME_ERROR;
        return new ExecutionResult(kind, stdout, stderr, exit, millis, 0, false,
                last.isEmpty() ? "exit status " + exit : last, null, false);
    }

    static String lastLine(String text) {
        String[] lines = text.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) if (!lines[i].isBlank()) return lines[i].strip();
        return "";
    }

    private Throwable refusal(URI base, int code, byte[] body) {
        try {
            JsonNode error = json.readTree(body).path("error");
            String field = error.path("field").asText(null);
            String message = error.path("message").asText("HTTP " + code);
            if (code == 401 || code == 403) return new IllegalStateException("sandbox " + base + " refused the token: " + message);
            return new SandboxRequestException(field == null ? "request" : field, message);
        } catch (IOException e) {
            return new SandboxRequestException("request", "sandbox " + base + " answered HTTP " + code);
        }
    }

    private static String rootMessage(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null) cause = cause.getCause();
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }
}
