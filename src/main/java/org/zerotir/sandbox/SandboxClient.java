package org.zerotir.sandbox;

import java.util.concurrent.CompletableFuture;

/**
 * The one way the rest of Zerotir runs code: the in-process {@link WorkerPool} or remote sandboxes
 * ({@link RemoteSandboxClient}). A future completes with a result for every outcome of the program; it completes
 * exceptionally with {@link SandboxRequestException} for a request that cannot run and {@link SandboxBusyException}
 * when the sandbox is saturated.
 */
public interface SandboxClient extends AutoCloseable {

    CompletableFuture<ExecutionResult> execute(ExecutionRequest request);

    /** Ends a session and frees its interpreter; completes with false when there was no such session. */
    CompletableFuture<Boolean> closeSession(String sessionId);

    @Override
    void close();
}
