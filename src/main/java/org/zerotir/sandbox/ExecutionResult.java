package org.zerotir.sandbox;

/**
 * What an execution produced.
 *
 * @param stdout          decoded as UTF-8 (invalid bytes become U+FFFD), head and tail kept when longer than the
 *                        output limit, with a {@code ...[truncated N bytes]...} line between them
 * @param exitCode        the process's exit status, negative for a signal, null when it was killed for a limit
 *                        or is a session that goes on
 * @param peakMemoryBytes peak resident set of the child, including the pages it shares with the preloaded worker
 * @param errorLine       for RUNTIME_ERROR, the line a model should see (the traceback's last line)
 * @param message         for limits and sandbox errors, what happened, in words
 * @param newSession      in session mode: this block started a new interpreter (first block, or the earlier
 *                        state was lost to an idle timeout, an exit or a worker failure)
 */
public record ExecutionResult(ExecutionStatus status, String stdout, String stderr, Integer exitCode,
                              long durationMillis, long peakMemoryBytes, boolean truncated, String errorLine,
                              String message, boolean newSession) {

    public static ExecutionResult sandboxError(String message) {
        return new ExecutionResult(ExecutionStatus.SANDBOX_ERROR, "", "", null, 0, 0, false, null, message, false);
    }

    /** What a model is shown: stdout, then the error line or the limit's message when there is one. */
    public String modelView() {
        return switch (status) {
            case OK -> stdout;
            case RUNTIME_ERROR -> stdout + (errorLine == null || errorLine.isEmpty() ? "" : errorLine);
            case TIME_LIMIT, MEMORY_LIMIT, OUTPUT_LIMIT, SANDBOX_ERROR -> stdout + (message == null ? status.name() : message);
        };
    }
}
