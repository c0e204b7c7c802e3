package org.zerotir.runs;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.zerotir.engine.BackendChoice;

/**
 * Which backend this server computes on, what was asked for and, when {@code auto} fell back to the CPU, why: an
 * operator reads from /q/health whether the GPU is used without searching the start log. Always UP: a server whose
 * backend cannot open does not start.
 */
@Readiness
@ApplicationScoped
public class EngineHealth implements HealthCheck {

    private final EngineBackends engine;

    public EngineHealth(EngineBackends engine) {
        this.engine = engine;
    }

    @Override
    public HealthCheckResponse call() {
        BackendChoice.Resolved resolved = engine.resolved();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("Engine").up()
                .withData("backend", resolved.used().label())
                .withData("requested", resolved.requested().kind().label());
        if (resolved.requested().kind() != BackendChoice.Kind.CPU) response.withData("device", resolved.requested().device());
        if (resolved.fallback() != null) response.withData("fallback", resolved.fallback());
        return response.build();
    }
}
