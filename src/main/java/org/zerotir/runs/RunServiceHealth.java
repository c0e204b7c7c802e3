package org.zerotir.runs;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Whether the run scheduler is up, and how busy it is. */
@Readiness
@ApplicationScoped
public class RunServiceHealth implements HealthCheck {

    @Inject
    RunService runs;

    @Override
    public HealthCheckResponse call() {
        if (!runs.isEnabled()) return HealthCheckResponse.named("Run service").up().withData("state", "disabled: no database").build();
        return HealthCheckResponse.named("Run service")
                .status(runs.isAcceptingRuns())
                .withData("training", runs.activeRuns())
                .withData("queued", runs.queuedRuns())
                .withData("concurrency", runs.concurrency())
                .build();
    }
}
