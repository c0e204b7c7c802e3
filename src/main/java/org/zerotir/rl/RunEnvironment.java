package org.zerotir.rl;

import org.zerotir.data.Problem;

import java.util.List;

/**
 * What a run's configuration names, opened and checked: the loop's environment (tokenizer, template, verifier,
 * code runner) and the problems. {@code resources} is closed with it (e.g. a sandbox pool opened for the run).
 */
public record RunEnvironment(TrainingLoop.Environment loop, List<Problem> train, List<Problem> heldOut, AutoCloseable resources)
        implements AutoCloseable {

    /** Opens the environment of a run; the server and the CLI each supply one (tests supply tiny ones). */
    @FunctionalInterface
    public interface Factory {
        RunEnvironment open(RunConfig config) throws java.io.IOException;
    }

    @Override
    public void close() throws Exception {
        if (resources != null) resources.close();
    }
}
