package org.zerotir.reward;

/**
 * What the rollout knows about a response besides its text, for the optional penalties.
 *
 * @param truncated  generation stopped at the token limit, not at a stop token or string
 * @param toolErrors executions of the response's code that ended in an error, a timeout or a limit
 */
public record ResponseFacts(boolean truncated, int toolErrors) {
    public static final ResponseFacts NONE = new ResponseFacts(false, 0);

    public ResponseFacts {
        if (toolErrors < 0) throw new IllegalArgumentException("toolErrors must be >= 0, got " + toolErrors);
    }
}
