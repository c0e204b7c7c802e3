package org.zerotir.runs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;

import org.zerotir.engine.Backend;
import org.zerotir.rl.RunEnvironment;
import org.zerotir.rl.RunEnvironments;
import org.zerotir.reward.SymbolicFallback;
import org.zerotir.reward.SympyFallback;
import org.zerotir.rollout.SandboxCodeRunner;
import org.zerotir.sandbox.SandboxClient;

/**
 * What a run trains with in the server: a backend of its own, of the kind chosen at start (closed with the run) and the application's
 * sandbox client, the same assembly the CLI uses ({@link RunEnvironments}).
 */
@ApplicationScoped
public class RunEnvironmentProducer {

    @Produces
    @ApplicationScoped
    RunEnvironment.Factory runEnvironments(Instance<SandboxClient> sandbox, EngineBackends engine) {
        return config -> {
            Backend backend = engine.open(Runtime.getRuntime().availableProcessors());
            try {
                // the sandbox is only started for runs that execute code
                // sympy decides what the verifier's own stages cannot; asked only for such answers, so rarely
                SymbolicFallback sympy = (a, b, timeout) -> new SympyFallback(sandbox.get()).equivalent(a, b, timeout);
                return RunEnvironments.open(config, backend, config.tool().enabled() ? new SandboxCodeRunner(sandbox.get()) : null,
                        sympy, backend);
            } catch (java.io.IOException | RuntimeException e) {
                backend.close();
                throw e;
            }
        };
    }
}
