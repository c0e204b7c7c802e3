package org.zerotir.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * One block of code to run.
 *
 * @param language  only "python"
 * @param mode      STATELESS, or SESSION to share interpreter state with earlier blocks of {@code sessionId}
 * @param sessionId required in SESSION mode, absent otherwise
 * @param limits    null for the sandbox's defaults
 */
public record ExecutionRequest(String code, String language, Mode mode, String sessionId, ExecutionLimits limits) {

    public enum Mode { STATELESS, SESSION }

    private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    public static ExecutionRequest python(String code) {
        return new ExecutionRequest(code, "python", Mode.STATELESS, null, null);
    }

    public static ExecutionRequest inSession(String sessionId, String code) {
        return new ExecutionRequest(code, "python", Mode.SESSION, sessionId, null);
    }

    public ExecutionRequest withLimits(ExecutionLimits limits) {
        return new ExecutionRequest(code, language, mode, sessionId, limits);
    }

    /** Checks the request against the sandbox's bounds; returns the limits to apply. */
    public ExecutionLimits validate(SandboxSettings settings) {
        if (code == null || code.isBlank()) throw new SandboxRequestException("code", "code is empty");
        int size = code.getBytes(StandardCharsets.UTF_8).length;
        if (size > settings.maxCodeBytes()) {
            throw new SandboxRequestException("code", "code is " + size + " bytes, more than the limit of " + settings.maxCodeBytes());
        }
        if (language != null && !language.equalsIgnoreCase("python") && !language.equalsIgnoreCase("python3")) {
            throw new SandboxRequestException("language", "unknown language '" + language + "': only python is supported");
        }
        if (mode == Mode.SESSION) {
            if (sessionId == null || !SESSION_ID.matcher(sessionId).matches()) {
                throw new SandboxRequestException("sessionId", "session mode needs a sessionId of 1 to 128 letters, digits, '.', '_', ':' or '-'");
            }
        } else if (sessionId != null) {
            throw new SandboxRequestException("sessionId", "a sessionId needs mode SESSION");
        }
        ExecutionLimits applied = limits != null ? limits : settings.defaultLimits();
        return applied.checkWithin(settings.maxLimits(), "limits.");
    }
}
