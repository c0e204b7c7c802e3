package org.zerotir.tokenizer;

/**
 * A token matched in the text before anything else (Hugging Face's {@code added_tokens}). {@code lstrip} /
 * {@code rstrip} swallow the whitespace beside a match, {@code singleWord} rejects matches inside a word,
 * {@code normalized} matches against the normalized text instead of the raw text, {@code special} tokens
 * can be skipped when decoding.
 */
public record AddedToken(int id, String content, boolean singleWord, boolean lstrip, boolean rstrip, boolean normalized, boolean special) {
    public AddedToken {
        if (content == null || content.isEmpty()) throw new TokenizerException("added_tokens.content", "an added token needs a non-empty content (id " + id + ")");
        if (id < 0) throw new TokenizerException("added_tokens.id", "added token \"" + content + "\" has a negative id " + id);
    }

    /** A special token as trainers write them: not normalized, no stripping, matched anywhere. */
    public static AddedToken special(int id, String content) {
        return new AddedToken(id, content, false, false, false, false, true);
    }
}
