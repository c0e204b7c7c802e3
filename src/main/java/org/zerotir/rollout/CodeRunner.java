package org.zerotir.rollout;

import java.util.concurrent.CompletableFuture;

/**
 * What the rollout needs of the sandbox: run one code block, possibly sharing interpreter state with earlier
 * blocks of the same trajectory (session mode), and later forget that session.
 */
public interface CodeRunner {

    /** How an execution ended, as the trainer must treat it. */
    enum Status {
        OK, ERROR, TIMEOUT,
        /** the sandbox itself failed: not the model's fault, so the trajectory must not be scored */
        INFRASTRUCTURE
    }

    /** output: what the model is shown (stdout, or the error's last line, or a status message). */
    record Execution(String code, String output, Status status, long durationMillis) {}

    /** sessionId is null in stateless mode. */
    CompletableFuture<Execution> run(String code, String sessionId);

    default void closeSession(String sessionId) {}
}
