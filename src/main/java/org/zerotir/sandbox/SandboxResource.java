package org.zerotir.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The sandbox over HTTP, for the decoupled mode: our own API under {@code /sandbox/v1} and SandboxFusion's
 * {@code POST /run_code}. Every endpoint but health needs {@code Authorization: Bearer <zerotir.sandbox.token>};
 * without a configured token they refuse with 403, so that a sandbox is never exposed by accident.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class SandboxResource {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> EXECUTE_FIELDS = Set.of("code", "language", "mode", "sessionId", "limits");
    private static final Set<String> LIMIT_FIELDS = Set.of("wallMillis", "cpuSeconds", "memoryBytes", "fileSizeBytes", "processes", "outputBytes");

    @Inject
    SandboxClient sandbox;

    @Inject
    SandboxConfig config;

    @POST
    @Path("sandbox/v1/execute")
    @Consumes(MediaType.WILDCARD)
    public CompletionStage<Response> execute(@HeaderParam("Authorization") String authorization, byte[] body) {
        Response refused = refuse(authorization, body);
        if (refused != null) return CompletableFuture.completedFuture(refused);
        ExecutionRequest request;
        try {
            request = parseExecute(readObject(body));
        } catch (SandboxRequestException e) {
            return CompletableFuture.completedFuture(error(400, e.getMessage(), e.field(), "invalid"));
        }
        return sandbox.execute(request).handle((result, failure) -> failure == null
                ? Response.ok(result).build() : failureResponse(failure));
    }

    @DELETE
    @Path("sandbox/v1/sessions/{sessionId}")
    public CompletionStage<Response> closeSession(@HeaderParam("Authorization") String authorization,
                                                  @PathParam("sessionId") String sessionId) {
        Response refused = refuse(authorization, new byte[0]);
        if (refused != null) return CompletableFuture.completedFuture(refused);
        return sandbox.closeSession(sessionId).handle((closed, failure) -> failure == null
                ? Response.ok(Map.of("closed", closed)).build() : failureResponse(failure));
    }

    @GET
    @Path("sandbox/v1/health")
    public Response health() {
        Map<String, Object> health = new LinkedHashMap<>();
        boolean up = true;
        if (sandbox instanceof WorkerPool pool) {
            int live = pool.liveWorkers();
            up = live > 0;
            health.put("mode", "local");
            health.put("liveWorkers", live);
            health.put("workers", pool.settings().workers());
            health.put("queueDepth", pool.queueDepth());
            health.put("isolation", pool.isolation());
        } else {
            health.put("mode", "remote");
        }
        health.put("tokenConfigured", config.token().filter(t -> !t.isBlank()).isPresent());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.putAll(health);
        return Response.status(up ? 200 : 503).entity(body).build();
    }

    /** SandboxFusion's request and response shapes (RunCodeRequest / RunCodeResponse), python only. */
    @POST
    @Path("run_code")
    @Consumes(MediaType.WILDCARD)
    public CompletionStage<Response> runCode(@HeaderParam("Authorization") String authorization, byte[] body) {
        Response refused = refuse(authorization, body);
        if (refused != null) return CompletableFuture.completedFuture(refused);
        ExecutionRequest request;
        try {
            request = parseRunCode(readObject(body));
        } catch (SandboxRequestException e) {
            return CompletableFuture.completedFuture(error(400, e.getMessage(), e.field(), "invalid"));
        }
        return sandbox.execute(request).handle((result, failure) -> failure == null
                ? Response.ok(SandboxFusion.response(result)).build() : failureResponse(failure));
    }

    private Response refuse(String authorization, byte[] body) {
        if (authorization == null && config.allowAnonymous()) return tooLarge(body);
        String token = config.token().filter(t -> !t.isBlank()).orElse(null);
        if (token == null) {
            return error(403, "the sandbox's HTTP API is off until a token is configured: set zerotir.sandbox.token "
                    + "(environment ZEROTIR_SANDBOX_TOKEN) and send it as 'Authorization: Bearer <token>'", null, "forbidden");
        }
        String expected = "Bearer " + token;
        if (authorization == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                authorization.strip().getBytes(StandardCharsets.UTF_8))) {
            return Response.status(401).header("WWW-Authenticate", "Bearer").entity(errorBody(
                    "missing or wrong token: send 'Authorization: Bearer <zerotir.sandbox.token>'", "Authorization", "unauthorized")).build();
        }
        return tooLarge(body);
    }

    private Response tooLarge(byte[] body) {
        if (body != null && body.length > config.maxRequestBytes()) {
            return error(413, "the request is " + body.length + " bytes, more than zerotir.sandbox.max-request-bytes = "
                    + config.maxRequestBytes(), null, "too_large");
        }
        return null;
    }

    private static JsonNode readObject(byte[] body) {
        if (body == null || body.length == 0) throw new SandboxRequestException(null, "the request body is empty: a JSON object is expected");
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new SandboxRequestException(null, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new SandboxRequestException(null, "unreadable request: " + e.getMessage());
        }
        if (node == null || !node.isObject()) throw new SandboxRequestException(null, "a JSON object is expected");
        return node;
    }

    static ExecutionRequest parseExecute(JsonNode body) {
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!EXECUTE_FIELDS.contains(name)) throw new SandboxRequestException(name, "unknown field '" + name + "'; known: " + EXECUTE_FIELDS);
        }
        String code = text(body, "code", true);
        String language = text(body, "language", false);
        String modeText = text(body, "mode", false);
        ExecutionRequest.Mode mode;
        try {
            mode = modeText == null ? ExecutionRequest.Mode.STATELESS : ExecutionRequest.Mode.valueOf(modeText.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new SandboxRequestException("mode", "mode must be STATELESS or SESSION, got '" + modeText + "'");
        }
        ExecutionLimits limits = null;
        JsonNode l = body.get("limits");
        if (l != null && !l.isNull()) {
            if (!l.isObject()) throw new SandboxRequestException("limits", "limits must be an object");
            for (Iterator<String> names = l.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!LIMIT_FIELDS.contains(name)) throw new SandboxRequestException("limits." + name, "unknown limit '" + name + "'; known: " + LIMIT_FIELDS);
            }
            limits = ExecutionLimits.DEFAULTS.with(longField(l, "wallMillis"), intField(l, "cpuSeconds"), longField(l, "memoryBytes"),
                    longField(l, "fileSizeBytes"), intField(l, "processes"), intField(l, "outputBytes"));
        }
        return new ExecutionRequest(code, language, mode, text(body, "sessionId", false), limits);
    }

    static ExecutionRequest parseRunCode(JsonNode body) {
        String code = text(body, "code", true);
        String language = text(body, "language", false);
        if (body.hasNonNull("stdin") && !body.get("stdin").asText().isEmpty()) {
            throw new SandboxRequestException("stdin", "stdin is not supported: programs read an empty stdin");
        }
        if (body.path("files").isObject() && !body.path("files").isEmpty()) {
            throw new SandboxRequestException("files", "files are not supported: each execution starts in an empty directory");
        }
        Double runTimeout = number(body, "run_timeout");
        ExecutionLimits limits = ExecutionLimits.DEFAULTS;
        if (runTimeout != null) {
            if (runTimeout <= 0 || runTimeout > 86_400) throw new SandboxRequestException("run_timeout", "run_timeout must be a positive number of seconds, got " + runTimeout);
            long millis = Math.round(runTimeout * 1000);
            limits = limits.with(millis, (int) Math.max(1, Math.ceil(runTimeout)), null, null, null, null);
        }
        Double memoryMb = number(body, "memory_limit_MB");
        if (memoryMb != null && memoryMb > 0) limits = limits.with(null, null, (long) (memoryMb * (1 << 20)), null, null, null);
        return new ExecutionRequest(code, language, ExecutionRequest.Mode.STATELESS, null, limits);
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            if (required) throw new SandboxRequestException(field, field + " is required");
            return null;
        }
        if (!value.isTextual()) throw new SandboxRequestException(field, field + " must be a string");
        return value.asText();
    }

    private static Double number(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isNumber()) throw new SandboxRequestException(field, field + " must be a number");
        return value.asDouble();
    }

    private static Long longField(JsonNode limits, String field) {
        JsonNode value = limits.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isIntegralNumber() || !value.canConvertToLong()) throw new SandboxRequestException("limits." + field, "limits." + field + " must be an integer");
        return value.asLong();
    }

    private static Integer intField(JsonNode limits, String field) {
        Long value = longField(limits, field);
        if (value == null) return null;
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) throw new SandboxRequestException("limits." + field, "limits." + field + " is out of range");
        return value.intValue();
    }

    private static Response failureResponse(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return switch (cause) {
            case SandboxRequestException e -> error(400, e.getMessage(), e.field(), "invalid");
            case SandboxBusyException e -> Response.status(503).header("Retry-After", "1").entity(errorBody(e.getMessage(), null, "busy")).build();
            default -> error(500, "sandbox failure: " + cause.getMessage(), null, "internal");
        };
    }

    static Response error(int status, String message, String field, String code) {
        return Response.status(status).entity(errorBody(message, field, code)).build();
    }

    static Map<String, Object> errorBody(String message, String field, String code) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("field", field);
        error.put("code", code);
        return Map.of("error", error);
    }
}
