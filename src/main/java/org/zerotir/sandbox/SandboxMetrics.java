package org.zerotir.sandbox;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The pool's counters, on whatever registry it is given (Prometheus at /q/metrics under Quarkus). */
final class SandboxMetrics {
    private final Map<ExecutionStatus, Counter> executions = new EnumMap<>(ExecutionStatus.class);
    private final Counter timeouts;
    private final Counter crashes;
    private final Counter rejected;
    private final Timer latency;

    SandboxMetrics(MeterRegistry registry, Supplier<Number> queueDepth, Supplier<Number> liveWorkers) {
        for (ExecutionStatus status : ExecutionStatus.values()) {
            executions.put(status, Counter.builder("zerotir.sandbox.executions").tag("status", status.name())
                    .description("executions finished, by status").register(registry));
        }
        timeouts = Counter.builder("zerotir.sandbox.timeouts").description("executions stopped by a time limit").register(registry);
        crashes = Counter.builder("zerotir.sandbox.worker.crashes")
                .description("workers that died, hung or failed to start and were replaced").register(registry);
        rejected = Counter.builder("zerotir.sandbox.rejected").description("executions refused because the queue was full").register(registry);
        latency = Timer.builder("zerotir.sandbox.latency").description("from submission to result, queueing included")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry);
        Gauge.builder("zerotir.sandbox.queue.depth", queueDepth).description("executions waiting for a worker").register(registry);
        Gauge.builder("zerotir.sandbox.workers.live", liveWorkers).description("workers started and ready").register(registry);
    }

    void finished(ExecutionStatus status, long nanos) {
        executions.get(status).increment();
        if (status == ExecutionStatus.TIME_LIMIT) timeouts.increment();
        latency.record(Duration.ofNanos(nanos));
    }

    void crashed() {
        crashes.increment();
    }

    void rejected() {
        rejected.increment();
    }

    double count(ExecutionStatus status) {
        return executions.get(status).count();
    }

    double crashes() {
        return crashes.count();
    }
}
