package org.zerotir.serve;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * The API-key check of the /v1 endpoints: {@code Authorization: Bearer <key>} with a key from
 * {@code zerotir.api-keys}. With no key configured every request is refused: an open endpoint that runs code
 * must be a decision, not a default. (One small class so that a key store can replace the list later.)
 */
@ApplicationScoped
public class ApiKeys {
    private final List<byte[]> keys;

    public ApiKeys(@ConfigProperty(name = "zerotir.api-keys") Optional<List<String>> configured) {
        this.keys = configured.orElse(List.of()).stream().map(String::strip).filter(k -> !k.isEmpty())
                .map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    }

    /** null when the header carries a valid key, else why not. */
    public String refusal(String authorization) {
        if (keys.isEmpty()) return "no API keys are configured on this server (zerotir.api-keys)";
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return "missing API key: send the header Authorization: Bearer <key>";
        }
        byte[] given = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        // compare with every key in constant time, so timing does not tell how much of a key was right
        for (byte[] key : keys) match |= MessageDigest.isEqual(key, given);
        return match ? null : "incorrect API key provided";
    }
}
