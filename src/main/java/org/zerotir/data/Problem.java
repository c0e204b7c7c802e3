package org.zerotir.data;

/** One training or evaluation item: the shared/data JSONL schema's required fields. */
public record Problem(String id, String problem, String answer) {
    public Problem {
        if (id == null || id.isBlank()) throw new IllegalArgumentException("a problem needs an id");
        if (problem == null || problem.isBlank()) throw new IllegalArgumentException("problem " + id + " has no text");
        if (answer == null || answer.isBlank()) throw new IllegalArgumentException("problem " + id + " has no answer");
    }
}
