package org.zerotir.reward;

/**
 * What {@link AnswerExtractor} found in a response: the answer text (null when none) and how it was found, so
 * the trainer can count responses without an answer apart from wrong ones.
 */
public record Extraction(Kind kind, String answer) {

    public enum Kind {
        /** the last complete {@code \boxed{...}}, {@code \boxed ...} or {@code \fbox{...}} */
        BOXED,
        /** the last GSM8K gold line {@code #### 42} */
        HASH_MARKER,
        /** the text after the last "the answer is" */
        ANSWER_PHRASE,
        /** the last number in the text (GSM8K style only) */
        LAST_NUMBER,
        /** nothing that looks like a final answer */
        NONE
    }

    public static final Extraction NONE = new Extraction(Kind.NONE, null);

    public Extraction {
        if ((kind == Kind.NONE) != (answer == null)) throw new IllegalArgumentException("an answer is null exactly when the kind is NONE");
    }

    public boolean found() {
        return kind != Kind.NONE;
    }
}
