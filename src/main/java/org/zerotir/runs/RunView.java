package org.zerotir.runs;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/** A run as the API shows it: its row, with the configuration as a JSON object and its planned step count. */
public record RunView(UUID id, String name, RunStatus status, JsonNode config, int currentStep, int totalSteps,
                      String errorMessage, Instant createdAt, Instant startedAt, Instant finishedAt) {

    static RunView of(Run run) {
        JsonNode config = RunConfigDocuments.tree(run.config);
        return new RunView(run.id, run.name, run.status, config, run.currentStep, config.path("steps").asInt(),
                run.errorMessage, run.createdAt, run.startedAt, run.finishedAt);
    }
}
