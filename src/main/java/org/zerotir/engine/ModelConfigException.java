package org.zerotir.engine;

/** A model shape or checkpoint that cannot be used; {@link #field()} names the offending key or tensor. */
public class ModelConfigException extends IllegalArgumentException {
    private final String field;

    public ModelConfigException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
