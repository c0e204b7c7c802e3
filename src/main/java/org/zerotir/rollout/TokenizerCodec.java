package org.zerotir.rollout;

import org.zerotir.tokenizer.Tokenizer;

/**
 * A model's tokenizer as the rollout uses it. Special tokens (the end-of-sequence a response stops at) are left
 * out of decoded text: the ids keep them, the text a verifier and a reader see does not.
 */
public record TokenizerCodec(Tokenizer tokenizer) implements TextCodec {
    @Override
    public int[] encode(String text) {
        return tokenizer.encode(text);
    }

    @Override
    public String decode(int[] ids, int from, int to) {
        return tokenizer.decode(ids, from, to, true);
    }
}
