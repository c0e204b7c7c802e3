package org.zerotir.runs;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Who may call the HTTP API. */
@ConfigMapping(prefix = "zerotir.api")
public interface ApiConfig {

    /**
     * API keys accepted in {@code Authorization: Bearer <key>} besides those stored (hashed) in the
     * database. With none configured and none stored, the server generates one at its first start.
     */
    Optional<List<String>> keys();

    /** When true, the read-only endpoints under /api need a key too; by default only mutations do. */
    @WithDefault("false")
    boolean readRequiresKey();

    /**
     * The largest request body accepted under /api, in bytes (a run configuration is a few kilobytes). Other
     * endpoints keep their own limits; Quarkus' quarkus.http.limits.max-body-size bounds everything.
     */
    @WithDefault("1048576")
    long maxBodyBytes();
}
