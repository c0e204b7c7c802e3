package org.zerotir.rollout;

/**
 * What the rollout needs of a tokenizer: text to ids for prompts and tool output, ids to text to find code
 * fences. The ids the policy sampled are never re-encoded: decoding is only for looking.
 */
public interface TextCodec {
    int[] encode(String text);

    String decode(int[] ids, int from, int to);
}
