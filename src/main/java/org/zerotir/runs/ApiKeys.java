package org.zerotir.runs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * The API keys this server accepts: those configured ({@code zerotir.api.keys}) and those stored, hashed, in
 * {@code api_keys}. At the first start with neither, one key is generated, stored as its SHA-256 and printed
 * once in the log; the server cannot show it again.
 */
@ApplicationScoped
public class ApiKeys {

    private static final Logger LOG = Logger.getLogger(ApiKeys.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    ApiConfig config;

    private final Set<String> acceptedHashes = ConcurrentHashMap.newKeySet();

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.datasource.active", defaultValue = "true")
    boolean databaseActive;

    void start(@Observes @Priority(5) StartupEvent startup) {
        if (!databaseActive) {
            // a sandbox replica: no database, no runs API to guard; configured keys still count
            config.keys().orElse(List.of()).stream().filter(key -> !key.isBlank()).map(ApiKeys::sha256).forEach(acceptedHashes::add);
            return;
        }
        load(config.keys());
    }

    /**
     * Loads the configured and stored keys; with none of either, generates one. Returns the generated key, if any
     * (the caller that is not a test only logs it).
     */
    Optional<String> load(Optional<List<String>> configured) {
        acceptedHashes.clear();
        configured.orElse(List.of()).stream().filter(key -> !key.isBlank()).map(ApiKeys::sha256).forEach(acceptedHashes::add);
        List<String> stored = QuarkusTransaction.requiringNew().call(() -> ApiKey.<ApiKey>listAll().stream().map(k -> k.keySha256).toList());
        acceptedHashes.addAll(stored);
        if (!acceptedHashes.isEmpty()) return Optional.empty();
        String key = "zt_" + Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes());
        QuarkusTransaction.requiringNew().run(() -> {
            ApiKey row = new ApiKey();
            row.name = "generated at first start";
            row.keySha256 = sha256(key);
            row.persist();
        });
        acceptedHashes.add(sha256(key));
        LOG.warnf("No API key was configured, so one was generated. It is shown only this once; keep it: %s"
                + "  (send it as 'Authorization: Bearer <key>'; only its SHA-256 is stored)", key);
        return Optional.of(key);
    }

    public boolean accepts(String key) {
        return key != null && !key.isEmpty() && acceptedHashes.contains(sha256(key));
    }

    static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
