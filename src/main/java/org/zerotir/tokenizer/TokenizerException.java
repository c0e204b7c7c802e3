package org.zerotir.tokenizer;

/** A tokenizer file that cannot be used; {@link #field()} names the offending JSON key (e.g. {@code model.type}). */
public class TokenizerException extends IllegalArgumentException {
    private final String field;

    public TokenizerException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
