package org.zerotir.sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the pool runs; built from {@link SandboxConfig} by {@link SandboxProducer}, or directly in plain code
 * ({@code new WorkerPool(SandboxSettings.defaults().withWorkers(2))}).
 *
 * @param python              the interpreter the workers run (Debian's, with python3-numpy and python3-sympy)
 * @param workers             warm fork servers, each running one execution at a time
 * @param queueCapacity       executions that may wait for a worker; beyond it callers get {@link SandboxBusyException}
 * @param maxCodeBytes        largest code block accepted
 * @param uidBase             first of the unprivileged uids the children run as (root only): one uid per live
 *                            child, so that killing "every process of that uid" reaches exactly its processes
 * @param uidCount            how many uids from uidBase the sandbox may use (all pools on the machine share them)
 * @param lockDir             where the uids are claimed, with one POSIX lock file per uid
 * @param hiddenPaths         directories (or files) replaced by empty ones inside the sandbox: the server's own
 * @param tmpfsBytes          size of the private /tmp and /dev/shm each worker gives its children
 * @param sessionIdleMillis   a session unused this long is ended
 * @param maxSessionsPerWorker beyond it, a worker ends its least recently used session
 * @param startupMillis       how long a worker may take to import its modules and say hello
 * @param hangGraceMillis     beyond an execution's wall limit, how long a worker may take to answer before it is
 *                            considered hung, killed and replaced
 * @param preload             modules each worker imports once, before it forks
 * @param namespaces          give the workers a network namespace and private mounts where the kernel allows it
 *                            (false only to see how the sandbox behaves where it does not, e.g. in tests)
 */
public record SandboxSettings(String python, int workers, int queueCapacity, int maxCodeBytes,
                              ExecutionLimits defaultLimits, ExecutionLimits maxLimits, int uidBase, int uidCount,
                              Path lockDir, List<String> hiddenPaths, long tmpfsBytes, long sessionIdleMillis,
                              int maxSessionsPerWorker, long startupMillis, long hangGraceMillis, List<String> preload,
                              boolean namespaces) {

    public static final List<String> DEFAULT_PRELOAD = List.of("math", "fractions", "itertools", "numpy", "sympy");

    public SandboxSettings {
        require("python", python != null && !python.isBlank(), "an interpreter path is required");
        require("workers", workers >= 1 && workers <= 1024, "workers must be between 1 and 1024, got " + workers);
        require("queue-capacity", queueCapacity >= 0, "queue-capacity must be >= 0, got " + queueCapacity);
        require("max-code-bytes", maxCodeBytes >= 1, "max-code-bytes must be >= 1, got " + maxCodeBytes);
        maxLimits.checkWithin(ExecutionLimits.MAXIMA.with(null, null, Long.MAX_VALUE, Long.MAX_VALUE, null, null), "max-limits.");
        defaultLimits.checkWithin(maxLimits, "limits.");
        require("uid-base", uidBase >= 1000, "uid-base must be >= 1000 (a system uid could own real files), got " + uidBase);
        require("uid-count", uidCount >= 1 && (long) uidBase + uidCount < Integer.MAX_VALUE, "uid-count must be >= 1 and keep uids below 2^31, got " + uidCount);
        require("lock-dir", lockDir != null, "a lock directory is required");
        require("tmpfs-bytes", tmpfsBytes >= (1 << 20), "tmpfs-bytes must be at least 1 MiB, got " + tmpfsBytes);
        require("session-idle-millis", sessionIdleMillis >= 1000, "session-idle-millis must be >= 1000, got " + sessionIdleMillis);
        require("max-sessions-per-worker", maxSessionsPerWorker >= 1, "max-sessions-per-worker must be >= 1, got " + maxSessionsPerWorker);
        require("startup-millis", startupMillis >= 1000, "startup-millis must be >= 1000, got " + startupMillis);
        require("hang-grace-millis", hangGraceMillis >= 100, "hang-grace-millis must be >= 100, got " + hangGraceMillis);
        hiddenPaths = List.copyOf(hiddenPaths);
        for (String path : hiddenPaths) {
            require("hidden-paths", path.startsWith("/") && !path.equals("/"), "hidden-paths must be absolute and not '/', got '" + path + "'");
        }
        preload = List.copyOf(preload);
    }

    private static void require(String key, boolean ok, String message) {
        if (!ok) throw new SandboxRequestException("zerotir.sandbox." + key, message);
    }

    /**
     * Two workers per core (a worker spends part of each cycle reaping its child and forking the next, mostly
     * waiting on the kernel, so one per core leaves cores idle); the server's working directory and home hidden.
     */
    public static SandboxSettings defaults() {
        return new SandboxSettings("/usr/bin/python3", 2 * Math.max(1, Runtime.getRuntime().availableProcessors()), 256,
                64 << 10, ExecutionLimits.DEFAULTS, ExecutionLimits.MAXIMA, 200_000, 4096,
                Path.of(System.getProperty("java.io.tmpdir"), "zerotir-sandbox-uids"), defaultHiddenPaths(),
                64L << 20, 600_000, 64, 120_000, 5_000, DEFAULT_PRELOAD, true);
    }

    public static List<String> defaultHiddenPaths() {
        List<String> paths = new ArrayList<>();
        for (String key : List.of("user.dir", "user.home")) {
            String path = System.getProperty(key);
            if (path != null && path.startsWith("/") && !path.equals("/") && !paths.contains(path)) paths.add(path);
        }
        return paths;
    }

    public SandboxSettings withWorkers(int workers) {
        return new SandboxSettings(python, workers, queueCapacity, maxCodeBytes, defaultLimits, maxLimits, uidBase, uidCount,
                lockDir, hiddenPaths, tmpfsBytes, sessionIdleMillis, maxSessionsPerWorker, startupMillis, hangGraceMillis, preload, namespaces);
    }

    public SandboxSettings withQueueCapacity(int queueCapacity) {
        return new SandboxSettings(python, workers, queueCapacity, maxCodeBytes, defaultLimits, maxLimits, uidBase, uidCount,
                lockDir, hiddenPaths, tmpfsBytes, sessionIdleMillis, maxSessionsPerWorker, startupMillis, hangGraceMillis, preload, namespaces);
    }

    public SandboxSettings withDefaultLimits(ExecutionLimits defaultLimits) {
        return new SandboxSettings(python, workers, queueCapacity, maxCodeBytes, defaultLimits, maxLimits, uidBase, uidCount,
                lockDir, hiddenPaths, tmpfsBytes, sessionIdleMillis, maxSessionsPerWorker, startupMillis, hangGraceMillis, preload, namespaces);
    }

    public SandboxSettings withHiddenPaths(List<String> hiddenPaths) {
        return new SandboxSettings(python, workers, queueCapacity, maxCodeBytes, defaultLimits, maxLimits, uidBase, uidCount,
                lockDir, hiddenPaths, tmpfsBytes, sessionIdleMillis, maxSessionsPerWorker, startupMillis, hangGraceMillis, preload, namespaces);
    }

    public SandboxSettings withSessionIdleMillis(long sessionIdleMillis) {
        return new SandboxSettings(python, workers, queueCapacity, maxCodeBytes, defaultLimits, maxLimits, uidBase, uidCount,
                lockDir, hiddenPaths, tmpfsBytes, sessionIdleMillis, maxSessionsPerWorker, startupMillis, hangGraceMillis, preload, namespaces);
    }

    public SandboxSettings withHangGraceMillis(long hangGraceMillis) {
        return new SandboxSettings(python, workers, queueCapacity, maxCodeBytes, defaultLimits, maxLimits, uidBase, uidCount,
                lockDir, hiddenPaths, tmpfsBytes, sessionIdleMillis, maxSessionsPerWorker, startupMillis, hangGraceMillis, preload, namespaces);
    }

    public SandboxSettings withNamespaces(boolean namespaces) {
        return new SandboxSettings(python, workers, queueCapacity, maxCodeBytes, defaultLimits, maxLimits, uidBase, uidCount,
                lockDir, hiddenPaths, tmpfsBytes, sessionIdleMillis, maxSessionsPerWorker, startupMillis, hangGraceMillis, preload, namespaces);
    }

    public SandboxSettings withPython(String python) {
        return new SandboxSettings(python, workers, queueCapacity, maxCodeBytes, defaultLimits, maxLimits, uidBase, uidCount,
                lockDir, hiddenPaths, tmpfsBytes, sessionIdleMillis, maxSessionsPerWorker, startupMillis, hangGraceMillis, preload, namespaces);
    }
}
