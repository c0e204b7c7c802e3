package org.zerotir.sandbox;

/** A request the sandbox refuses to run; {@link #field()} names the part of the request at fault. */
public class SandboxRequestException extends IllegalArgumentException {
    private final String field;

    public SandboxRequestException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
