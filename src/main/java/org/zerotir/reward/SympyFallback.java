package org.zerotir.reward;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.zerotir.sandbox.ExecutionLimits;
import org.zerotir.sandbox.ExecutionRequest;
import org.zerotir.sandbox.ExecutionResult;
import org.zerotir.sandbox.ExecutionStatus;
import org.zerotir.sandbox.SandboxClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The verifier's last stage backed by sympy in the sandbox pool ({@code reward/sympy_equivalent.py}): what the
 * cheaper stages could not decide (inequalities, expressions our parser does not read) is parsed and simplified
 * there, within the timeout. A sandbox that fails or is busy past the timeout means "cannot tell", never "equal".
 */
public final class SympyFallback implements SymbolicFallback {
    /** The JDK's logger: this package is a plain library (RewardIsAPlainLibraryTest); Quarkus routes it like its own. */
    private static final System.Logger LOG = System.getLogger(SympyFallback.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCRIPT = load();

    private final SandboxClient sandbox;

    public SympyFallback(SandboxClient sandbox) {
        this.sandbox = sandbox;
    }

    private static String load() {
        try (InputStream in = SympyFallback.class.getResourceAsStream("/reward/sympy_equivalent.py")) {
            if (in == null) throw new IllegalStateException("reward/sympy_equivalent.py is missing from the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<Boolean> equivalent(String a, String b, Duration timeout) {
        String code;
        try {
            // each answer goes in as a JSON string literal inside a Python string literal: no quoting can break out
            code = SCRIPT.replace("__A__", pythonString(JSON.writeValueAsString(a))).replace("__B__", pythonString(JSON.writeValueAsString(b)));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
        long millis = Math.max(100, timeout.toMillis());
        ExecutionRequest request = ExecutionRequest.python(code)
                .withLimits(ExecutionLimits.DEFAULTS.with(millis, (int) Math.max(1, millis / 1000 + 1), null, null, null, null));
        try {
            ExecutionResult result = sandbox.execute(request).get(millis + 1000, TimeUnit.MILLISECONDS);
            if (result.status() != ExecutionStatus.OK) {
                // a time limit or an answer sympy cannot parse is an ordinary "cannot tell"; a sandbox error is the infrastructure's
                boolean ordinary = result.status() != ExecutionStatus.SANDBOX_ERROR;
                LOG.log(ordinary ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING, "sympy could not compare {0} with {1}: {2} {3}",
                        a, b, result.status(), result.message() != null ? result.message() : result.stderr());
                return Optional.empty();
            }
            return switch (result.stdout().strip()) {
                case "equal" -> Optional.of(true);
                case "different" -> Optional.of(false);
                default -> Optional.empty();
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            // the pool is closed, saturated past the timeout, or broken: "cannot tell", but an operator should see it
            LOG.log(System.Logger.Level.WARNING, "sympy fallback unavailable ({0}): {1} and {2} left undecided", e, a, b);
            return Optional.empty();
        }
    }

    /** A Python string literal holding {@code text} (a JSON document), with every non-ASCII character escaped. */
    static String pythonString(String text) {
        StringBuilder out = new StringBuilder("'");
        for (char c : text.toCharArray()) {
            if (c == '\\' || c == '\'') out.append('\\').append(c);
            else if (c < 0x20 || c > 0x7e) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        return out.append('\'').toString();
    }
}
