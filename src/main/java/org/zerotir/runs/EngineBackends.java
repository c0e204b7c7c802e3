package org.zerotir.runs;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;
import org.zerotir.engine.Backend;
import org.zerotir.engine.BackendChoice;
import org.zerotir.engine.BackendUnavailableException;

import java.util.Optional;

/**
 * The server's backend, chosen once at start from {@code zerotir.engine.*} and used by everything that computes
 * (served models, evaluations, runs): one line in the log says which and why, and the same goes to /q/health
 * ({@link EngineHealth}).
 *
 * <p>With {@code zerotir.engine.backend=cuda} a machine where CUDA cannot run stops the server at start rather than
 * serving or training on the CPU: the operator asked for a GPU, and a run that silently takes a hundred times longer
 * is worse than a server that does not start. {@code org.zerotir.cli.Main} checks this before Quarkus starts
 * ({@link #refusal(Config)}) so that the operator reads one line, not a stack trace.
 */
@ApplicationScoped
public class EngineBackends {
    private static final Logger LOG = Logger.getLogger(EngineBackends.class);

    private final EngineConfig config;
    private BackendChoice.Resolved resolved;

    public EngineBackends(EngineConfig config) {
        this.config = config;
    }

    // early (JSON logs switch at 1), before runs recover at 10: a run resumed at start opens its backend here
    void start(@Observes @Priority(2) StartupEvent startup) {
        resolved();
    }

    /** The backend chosen at start. */
    public synchronized BackendChoice.Resolved resolved() {
        if (resolved == null) {
            resolved = choice(config.backend(), config.device()).resolve();
            if (resolved.fallback() != null) {
                LOG.warnf("Engine: backend %s; set %s=cpu to say the CPU is meant", resolved.describe(), EngineConfig.BACKEND_KEY);
            } else {
                LOG.infof("Engine: backend %s", resolved.describe());
            }
        }
        return resolved;
    }

    /**
     * A backend of the chosen kind, {@code cpuThreads} threads on the CPU; its owner closes it.
     *
     * @throws BackendUnavailableException when CUDA, which opened at start, cannot open now
     */
    public Backend open(int cpuThreads) {
        return resolved().open(cpuThreads);
    }

    /** Why a server with this configuration must not start, in one line (empty when it may). */
    public static Optional<String> refusal(Config config) {
        try {
            String device = config.getOptionalValue("zerotir.engine.device", String.class).orElse("0").strip();
            if (!device.matches("\\d{1,9}")) {
                throw new IllegalArgumentException("zerotir.engine.device must be a CUDA device ordinal 0, 1, ..., got \"" + device + "\"");
            }
            BackendChoice choice = choice(config.getOptionalValue(EngineConfig.BACKEND_KEY, String.class).orElse(BackendChoice.DEFAULT),
                    Integer.parseInt(device));
            // auto never refuses; only an explicit cuda is worth opening the GPU for before the server starts
            if (choice.kind() == BackendChoice.Kind.CUDA) choice.resolve();
            return Optional.empty();
        } catch (IllegalArgumentException | BackendUnavailableException e) {
            return Optional.of(e.getMessage());
        }
    }

    private static BackendChoice choice(String backend, int device) {
        if (device < 0) throw new IllegalArgumentException("zerotir.engine.device must be a CUDA device ordinal 0, 1, ..., got " + device);
        return BackendChoice.parse(backend, device, EngineConfig.BACKEND_KEY);
    }
}
