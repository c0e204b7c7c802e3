package org.zerotir.sandbox;

/** How an execution ended, as a trainer must treat it. */
public enum ExecutionStatus {
    /** the program ran to its end (exit status 0) */
    OK,
    /** the program raised, exited non-zero or died of a signal; {@code errorLine} says what the model should see */
    RUNTIME_ERROR,
    /** wall-clock or CPU-time limit */
    TIME_LIMIT,
    /** address-space limit (MemoryError) */
    MEMORY_LIMIT,
    /** the program printed so much that it was stopped */
    OUTPUT_LIMIT,
    /** the sandbox itself failed: retryable, never the model's fault */
    SANDBOX_ERROR;

    /** true when the model's code is to blame (as opposed to OK or the sandbox). */
    public boolean isModelError() {
        return this != OK && this != SANDBOX_ERROR;
    }
}
