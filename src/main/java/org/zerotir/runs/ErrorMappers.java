package org.zerotir.runs;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.zerotir.data.DatasetException;
import org.zerotir.rl.RunConfig;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Every refusal as {@code {"error": {"message", "field", "code"}}} (DESIGN.md §7). */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    static Map<String, Object> body(String message, String field, String code) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("field", field);
        error.put("code", code);
        return Map.of("error", error);
    }

    private static Response response(int status, String message, String field, String code) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body(message, field, code)).build();
    }

    @ServerExceptionMapper
    public Response apiError(ApiError e) {
        return response(e.status(), e.getMessage(), e.field(), e.code());
    }

    @ServerExceptionMapper
    public Response invalidField(RunConfig.InvalidField e) {
        return response(400, e.getMessage(), e.field(), "invalid");
    }

    @ServerExceptionMapper
    public Response dataset(DatasetException e) {
        return response(400, e.getMessage(), "data.train", "invalid");
    }

    @ServerExceptionMapper
    public Response illegalArgument(IllegalArgumentException e) {
        return response(400, e.getMessage(), null, "invalid");
    }

    /** A body that is not JSON, or JSON of the wrong shape for a typed parameter. */
    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        String field = null;
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (JsonMappingException.Reference reference : mapping.getPath()) {
                if (reference.getFieldName() == null) continue;
                if (!path.isEmpty()) path.append('.');
                path.append(reference.getFieldName());
            }
            field = path.isEmpty() ? null : path.toString();
        }
        return response(400, "the body is not valid JSON: " + e.getOriginalMessage(), field, "invalid");
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        // Quarkus REST reports a body Jackson could not read as a bare 400 with the parser's exception inside
        if (e.getCause() instanceof JsonProcessingException json) return json(json);
        int status = e.getResponse().getStatus();
        String code = switch (status) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406, 415 -> "unsupported_media_type";
            case 413 -> "too_large";
            default -> status >= 500 ? "internal" : "invalid";
        };
        return response(status, e.getMessage(), null, code);
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("Unexpected error in a request", e);
        return response(500, "internal error: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()),
                null, "internal");
    }
}
