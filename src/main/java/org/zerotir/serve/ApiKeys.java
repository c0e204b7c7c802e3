package org.zerotir.serve;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The API-key check of the /v1 and evaluation endpoints: {@code Authorization: Bearer <key>} with a key the
 * server accepts — the same keys as the run API ({@code zerotir.api.keys}, or the one generated at first start
 * and stored hashed), so a client needs one key for everything.
 */
@ApplicationScoped
public class ApiKeys {
    private final org.zerotir.runs.ApiKeys keys;

    public ApiKeys(org.zerotir.runs.ApiKeys keys) {
        this.keys = keys;
    }

    /** null when the header carries a valid key, else why not. */
    public String refusal(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return "missing API key: send the header Authorization: Bearer <key>";
        }
        return keys.accepts(authorization.substring(7).strip()) ? null : "incorrect API key provided";
    }
}
