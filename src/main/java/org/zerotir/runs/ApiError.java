package org.zerotir.runs;

/**
 * A request the API refuses, with the status and the body {@code {"error": {"message", "field", "code"}}}
 * of DESIGN.md §7.
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String code;
    private final String field;

    public ApiError(int status, String code, String field, String message) {
        super(message);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    public static ApiError invalid(String field, String message) {
        return new ApiError(400, "invalid", field, message);
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, "not_found", null, message);
    }

    public static ApiError conflict(String message) {
        return new ApiError(409, "conflict", null, message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String field() {
        return field;
    }
}
