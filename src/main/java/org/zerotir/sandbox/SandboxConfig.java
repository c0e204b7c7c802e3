package org.zerotir.sandbox;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code zerotir.sandbox.*}: the pool, its limits, its HTTP face and, instead of a pool, remote sandboxes. */
@ConfigMapping(prefix = "zerotir.sandbox")
public interface SandboxConfig {

    /** The interpreter the workers run; it needs numpy and sympy (Debian: python3-numpy, python3-sympy). */
    @WithDefault("/usr/bin/python3")
    String python();

    /** Warm workers; two per core when unset. */
    OptionalInt workers();

    /** Executions that may wait for a worker before callers are told the sandbox is busy. */
    @WithDefault("256")
    int queueCapacity();

    @WithDefault("65536")
    int maxCodeBytes();

    /** Limits applied when a request sets none. */
    Limits limits();

    /** The most a request may ask for. */
    MaxLimits maxLimits();

    /** First unprivileged uid for the children (used when the server runs as root). */
    @WithDefault("200000")
    int uidBase();

    @WithDefault("4096")
    int uidCount();

    /** Where uids are claimed; by default {@code <java.io.tmpdir>/zerotir-sandbox-uids}. */
    Optional<Path> lockDir();

    /** Directories replaced by empty ones inside the sandbox; by default the server's working directory and home. */
    Optional<List<String>> hiddenPaths();

    @WithDefault("67108864")
    long tmpfsBytes();

    @WithDefault("600000")
    long sessionIdleMillis();

    @WithDefault("64")
    int maxSessionsPerWorker();

    @WithDefault("120000")
    long startupMillis();

    @WithDefault("5000")
    long hangGraceMillis();

    @WithDefault("math,fractions,itertools,numpy,sympy")
    List<String> preload();

    /** Network namespace and private mounts for the children where the kernel allows (root). */
    @WithDefault("true")
    boolean namespaces();

    /**
     * Bearer token the HTTP endpoints require. Unset: they answer 403 with a message saying to set it (the
     * in-process pool works regardless).
     */
    Optional<String> token();

    /**
     * Accept requests that carry no Authorization header at all (a wrong token is still refused). For replicas on
     * a private network serving SandboxFusion clients that cannot send a header; never on a reachable address.
     */
    @WithDefault("false")
    boolean allowAnonymous();

    /** Start the workers when the server starts instead of on first use (zerotir sandbox sets it). */
    @WithDefault("false")
    boolean startAtBoot();

    /** Largest HTTP request body accepted by the sandbox endpoints. */
    @WithDefault("1048576")
    int maxRequestBytes();

    /** Remote sandboxes to use instead of an in-process pool. */
    Remote remote();

    interface Limits {
        @WithDefault("10000")
        long wallMillis();

        @WithDefault("10")
        int cpuSeconds();

        @WithDefault("1073741824")
        long memoryBytes();

        @WithDefault("16777216")
        long fileSizeBytes();

        @WithDefault("64")
        int processes();

        @WithDefault("65536")
        int outputBytes();
    }

    interface MaxLimits {
        @WithDefault("600000")
        long wallMillis();

        @WithDefault("600")
        int cpuSeconds();

        @WithDefault("17179869184")
        long memoryBytes();

        @WithDefault("1073741824")
        long fileSizeBytes();

        @WithDefault("1024")
        int processes();

        @WithDefault("16777216")
        int outputBytes();
    }

    interface Remote {
        /** Base URLs of sandbox replicas (e.g. http://sandbox-1:8080); when set, no local pool is started. */
        Optional<List<String>> urls();

        /** ZEROTIR (our /sandbox/v1/execute) or SANDBOX_FUSION (its /run_code). */
        @WithDefault("ZEROTIR")
        RemoteSandboxClient.Protocol protocol();

        /** Bearer token sent to the replicas. */
        Optional<String> token();

        @WithDefault("5000")
        long connectTimeoutMillis();

        /** Added to an execution's wall limit to bound the whole HTTP exchange. */
        @WithDefault("10000")
        long requestGraceMillis();
    }

    default SandboxSettings toSettings() {
        SandboxSettings d = SandboxSettings.defaults();
        Limits l = limits();
        MaxLimits m = maxLimits();
        return new SandboxSettings(python(), workers().orElse(d.workers()), queueCapacity(), maxCodeBytes(),
                new ExecutionLimits(l.wallMillis(), l.cpuSeconds(), l.memoryBytes(), l.fileSizeBytes(), l.processes(), l.outputBytes()),
                new ExecutionLimits(m.wallMillis(), m.cpuSeconds(), m.memoryBytes(), m.fileSizeBytes(), m.processes(), m.outputBytes()),
                uidBase(), uidCount(), lockDir().orElse(d.lockDir()), hiddenPaths().orElse(d.hiddenPaths()), tmpfsBytes(),
                sessionIdleMillis(), maxSessionsPerWorker(), startupMillis(), hangGraceMillis(), preload(), namespaces());
    }
}
