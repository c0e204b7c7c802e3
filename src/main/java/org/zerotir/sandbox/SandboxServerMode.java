package org.zerotir.sandbox;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.eclipse.microprofile.config.Config;

/**
 * {@code zerotir sandbox}: this process as a sandbox replica only, for the decoupled mode (DESIGN §6): the HTTP
 * endpoints of {@link SandboxResource} in front of a local {@link WorkerPool}, no database and no training.
 *
 * <p>What {@code org.zerotir.cli.Main} does for the subcommand, before {@code Quarkus.run}: skip choosing or
 * starting a database, set {@link #properties()} as system properties, and fail early with
 * {@link #missingToken(Config)}'s message when no token is configured (a replica without one would refuse every
 * request).
 */
public final class SandboxServerMode {
    private SandboxServerMode() {}

    public static final String SUBCOMMAND = "sandbox";

    /** System properties that turn the server into a sandbox replica. */
    public static Map<String, String> properties() {
        Map<String, String> properties = new LinkedHashMap<>();
        // No database: the datasource, and with it Hibernate ORM and Flyway, stay inactive.
        properties.put("quarkus.datasource.active", "false");
        properties.put("quarkus.hibernate-orm.active", "false");
        properties.put("quarkus.flyway.active", "false");
        // Replicas are reached from other machines.
        properties.put("quarkus.http.host", "0.0.0.0");
        // Warm the workers at start, so that the replica reports UP as soon as it accepts requests.
        properties.put("zerotir.sandbox.start-at-boot", "true");
        // A replica runs no model: it never opens (or waits for) a GPU, whatever the machine's zerotir.engine.backend.
        properties.put("zerotir.engine.backend", "cpu");
        return properties;
    }

    /** The reason a replica cannot serve, or empty when a token is set. */
    public static Optional<String> missingToken(Config config) {
        Optional<String> token = config.getOptionalValue("zerotir.sandbox.token", String.class).filter(t -> !t.isBlank());
        return token.isPresent() ? Optional.empty()
                : Optional.of("zerotir sandbox needs a token: set zerotir.sandbox.token (environment ZEROTIR_SANDBOX_TOKEN); "
                        + "clients send it as 'Authorization: Bearer <token>'");
    }
}
