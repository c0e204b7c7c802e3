package org.zerotir.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A failure in OpenAI's shape: {@code {"error": {"message", "type", "param", "code"}}} with an HTTP status. */
public final class OpenAiException extends RuntimeException {
    private final int status;
    private final String type, param, code;

    public OpenAiException(int status, String type, String message, String param, String code) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    public static OpenAiException invalid(String param, String message) {
        return new OpenAiException(400, "invalid_request_error", message, param, "invalid_value");
    }

    public int status() {
        return status;
    }

    public ObjectNode body(ObjectMapper json) {
        ObjectNode body = json.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("message", getMessage());
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return body;
    }
}
