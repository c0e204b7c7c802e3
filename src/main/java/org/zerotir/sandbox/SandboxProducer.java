package org.zerotir.sandbox;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/**
 * The application's one {@link SandboxClient}: remote replicas when {@code zerotir.sandbox.remote.urls} is set,
 * else an in-process {@link WorkerPool}. Created on first use, so a server that never runs code starts no Python.
 */
@ApplicationScoped
public class SandboxProducer {
    private static final Logger LOG = Logger.getLogger(SandboxProducer.class);

    @Produces
    @Singleton
    SandboxClient sandboxClient(SandboxConfig config, MeterRegistry registry) {
        var remote = config.remote();
        if (remote.urls().isPresent() && !remote.urls().get().isEmpty()) {
            LOG.infof("Sandbox: remote %s replicas %s", remote.protocol(), remote.urls().get());
            return new RemoteSandboxClient(remote.urls().get(), remote.protocol(), remote.token().orElse(null),
                    remote.connectTimeoutMillis(), remote.requestGraceMillis(), config.toSettings());
        }
        SandboxSettings settings = config.toSettings();
        LOG.infof("Sandbox: %d local workers running %s", settings.workers(), settings.python());
        return new WorkerPool(settings, registry);
    }

    void startAtBoot(@Observes StartupEvent event, SandboxConfig config, Instance<SandboxClient> client) {
        if (config.startAtBoot()) client.get().execute(ExecutionRequest.python("pass"));
    }

    void close(@Disposes SandboxClient client) {
        client.close();
    }
}
