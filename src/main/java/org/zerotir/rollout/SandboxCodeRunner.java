package org.zerotir.rollout;

import org.zerotir.sandbox.ExecutionRequest;
import org.zerotir.sandbox.ExecutionResult;
import org.zerotir.sandbox.SandboxBusyException;
import org.zerotir.sandbox.SandboxClient;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * The rollout's code runner backed by the sandbox. A saturated sandbox is waited for (a rollout has more
 * paused slots than the pool has workers); only the sandbox's own failures become INFRASTRUCTURE, which the
 * trainer keeps out of the statistics.
 */
public final class SandboxCodeRunner implements CodeRunner {
    private static final long BUSY_RETRY_MILLIS = 5, BUSY_GIVE_UP_MILLIS = 120_000;

    private final SandboxClient sandbox;

    public SandboxCodeRunner(SandboxClient sandbox) {
        this.sandbox = sandbox;
    }

    @Override
    public CompletableFuture<Execution> run(String code, String sessionId) {
        ExecutionRequest request = sessionId == null ? ExecutionRequest.python(code) : ExecutionRequest.inSession(sessionId, code);
        return attempt(request, System.nanoTime()).thenApply(result -> execution(code, result));
    }

    private CompletableFuture<ExecutionResult> attempt(ExecutionRequest request, long started) {
        return sandbox.execute(request).handle((result, error) -> {
            if (error == null) return CompletableFuture.completedFuture(result);
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof SandboxBusyException && System.nanoTime() - started < BUSY_GIVE_UP_MILLIS * 1_000_000) {
                return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(BUSY_RETRY_MILLIS, TimeUnit.MILLISECONDS))
                        .thenCompose(ignored -> attempt(request, started));
            }
            return CompletableFuture.completedFuture(ExecutionResult.sandboxError(cause.getMessage()));
        }).thenCompose(future -> future);
    }

    static Execution execution(String code, ExecutionResult result) {
        Status status = switch (result.status()) {
            case OK -> Status.OK;
            case TIME_LIMIT -> Status.TIMEOUT;
            case SANDBOX_ERROR -> Status.INFRASTRUCTURE;
            case RUNTIME_ERROR, MEMORY_LIMIT, OUTPUT_LIMIT -> Status.ERROR;
        };
        return new Execution(code, result.modelView(), status, result.durationMillis());
    }

    @Override
    public void closeSession(String sessionId) {
        sandbox.closeSession(sessionId);
    }
}
