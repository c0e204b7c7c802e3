package org.zerotir.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The hostile inputs against a real pool: each case asserts the structured result, then (after each
 * test) that the pool is back at full size, that no process of the sandbox's uids is left beyond one waiting
 * child per worker, and that the server's files and environment are as they were.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerPoolHostileTest {
    static final int UID_BASE = 310_000;
    static final int UID_COUNT = 64;
    static final int WORKERS = 2;
    static final ExecutionLimits LIMITS = new ExecutionLimits(3_000, 2, 256L << 20, 8L << 20, 32, 4096);

    static WorkerPool pool;
    static Path secret;
    static final String SECRET_TEXT = "database-password-" + System.nanoTime();

    @BeforeAll
    void start() throws Exception {
        startPool(namespaces());
    }

    /** Overridden to run every case again where the kernel allows no namespaces. */
    boolean namespaces() {
        return true;
    }

    static void startPool(boolean namespaces) throws Exception {
        Path target = Path.of(System.getProperty("user.dir"), "target");
        Files.createDirectories(target);
        secret = target.resolve("sandbox-secret.txt");
        Files.writeString(secret, SECRET_TEXT);
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        pool = new WorkerPool(settings(WORKERS).withNamespaces(namespaces));
        assertTrue(pool.awaitReady(Duration.ofSeconds(60)), "workers did not start");
        asRoot = pool.isolation().path("root").asBoolean();
        privateMounts = pool.isolation().path("mounts").asBoolean();
    }

    /** Whether the worker could give its children their own /tmp and hide the server's directories. */
    static boolean privateMounts;

    /**
     * Whether the workers run as root and so give every child its own uid, network namespace and hidden paths.
     * Without root the sandbox is weaker (README, "Sandbox"): the cases that need those are skipped, not failed.
     */
    static boolean asRoot;

    static SandboxSettings settings(int workers) {
        SandboxSettings defaults = SandboxSettings.defaults();
        return new SandboxSettings(defaults.python(), workers, 64, defaults.maxCodeBytes(), LIMITS, ExecutionLimits.MAXIMA,
                UID_BASE, UID_COUNT, defaults.lockDir(), defaults.hiddenPaths(), 32L << 20, 60_000, 8, 60_000, 3_000,
                defaults.preload(), true);
    }

    @AfterAll
    void stop() throws Exception {
        pool.close();
        assertTrue(SandboxProcesses.waitFor(() -> SandboxProcesses.withUidIn(UID_BASE, UID_COUNT).isEmpty(), 5000),
                "processes left after close: " + SandboxProcesses.withUidIn(UID_BASE, UID_COUNT));
        assertEquals(SECRET_TEXT, Files.readString(secret));
    }

    /** After every case: full pool, one waiting child per worker and nothing else, server files intact. */
    @AfterEach
    void poolIsWhole() throws Exception {
        assertTrue(SandboxProcesses.waitFor(() -> pool.liveWorkers() == WORKERS, 30_000), "pool not back at full size");
        boolean below = SandboxProcesses.waitFor(() -> SandboxProcesses.descendantsOf(pool.workerPids()) == WORKERS, 5000);
        assertTrue(below, "processes below the workers: " + SandboxProcesses.descendantsOf(pool.workerPids()) + ", expected " + WORKERS);
        if (asRoot) {
            boolean clean = SandboxProcesses.waitFor(() -> SandboxProcesses.withUidIn(UID_BASE, UID_COUNT).size() == WORKERS, 5000);
            assertTrue(clean, "sandbox processes: " + SandboxProcesses.withUidIn(UID_BASE, UID_COUNT).size() + ", expected " + WORKERS);
        }
        assertEquals(SECRET_TEXT, Files.readString(secret));
        assertEquals(0, pool.queueDepth());
    }

    static ExecutionResult run(String code) throws Exception {
        return pool.execute(ExecutionRequest.python(code)).get(30, TimeUnit.SECONDS);
    }

    @Test
    void printsAndReportsOk() throws Exception {
        ExecutionResult r = run("import numpy, sympy\nprint(1 + 1)\nprint(sympy.solve(sympy.Symbol('x')**2 - 4))");
        assertEquals(ExecutionStatus.OK, r.status(), r.toString());
        assertEquals("2\n[-2, 2]\n", r.stdout());
        assertEquals(0, r.exitCode());
        assertTrue(r.peakMemoryBytes() > 0);
        ExecutionResult big = run("import numpy\na = numpy.ones(10**7)\nprint(a.sum())");
        assertEquals("10000000.0\n", big.stdout(), big.toString());
        assertTrue(big.peakMemoryBytes() > r.peakMemoryBytes() + 70_000_000L,
                "80 MB of floats show in the peak: " + big.peakMemoryBytes() + " vs " + r.peakMemoryBytes());
    }

    @Test
    void infiniteLoopHitsTheTimeLimit() throws Exception {
        ExecutionResult r = run("while True:\n    pass");
        assertEquals(ExecutionStatus.TIME_LIMIT, r.status(), r.toString());
        assertTrue(r.durationMillis() <= LIMITS.wallMillis() + 1000, "took " + r.durationMillis());
    }

    @Test
    void busyLoopHitsTheCpuLimitBeforeALongerWallClock() throws Exception {
        ExecutionResult r = pool.execute(ExecutionRequest.python("while True:\n    pass")
                .withLimits(new ExecutionLimits(20_000, 1, 256L << 20, 0, 32, 4096))).get(60, TimeUnit.SECONDS);
        assertEquals(ExecutionStatus.TIME_LIMIT, r.status(), r.toString());
        assertTrue(r.message().contains("CPU-time"), r.message());
        assertTrue(r.durationMillis() < 20_000, "stopped by the CPU limit, not the wall clock: " + r.durationMillis());
    }

    @Test
    void sleepingForeverHitsTheWallClock() throws Exception {
        ExecutionResult r = run("import time\nprint('going to sleep', flush=True)\ntime.sleep(10**6)");
        assertEquals(ExecutionStatus.TIME_LIMIT, r.status(), r.toString());
        assertEquals("going to sleep\n", r.stdout());
        assertTrue(r.message().contains("wall-clock"), r.message());
    }

    @Test
    void forkBombIsContainedAndSwept() throws Exception {
        assumeTrue(asRoot, "without a uid of its own a child has no process limit");
        ExecutionResult r = run("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass");
        assertEquals(ExecutionStatus.TIME_LIMIT, r.status(), r.toString());
    }

    @Test
    void memoryBombHitsTheMemoryLimit() throws Exception {
        ExecutionResult r = run("blocks = []\nwhile True:\n    blocks.append(bytearray(10**7))");
        assertEquals(ExecutionStatus.MEMORY_LIMIT, r.status(), r.toString());
        ExecutionResult numpyBomb = run("import numpy\nnumpy.ones(10**9)");
        assertEquals(ExecutionStatus.MEMORY_LIMIT, numpyBomb.status(), numpyBomb.toString());
        assertTrue(numpyBomb.stderr().contains("Unable to allocate"), numpyBomb.stderr());
    }

    @Test
    void aGigabyteOfOutputIsCutWithAVisibleMarker() throws Exception {
        ExecutionResult r = run("import sys\nsys.stdout.write('HEAD')\nfor _ in range(1024):\n    sys.stdout.write('x' * (1 << 20))");
        assertEquals(ExecutionStatus.OUTPUT_LIMIT, r.status(), r.toString().substring(0, 300));
        assertTrue(r.truncated());
        assertTrue(r.stdout().startsWith("HEAD"));
        assertTrue(r.stdout().matches("(?s).*\\.\\.\\.\\[truncated \\d+ bytes\\]\\.\\.\\..*"));
        assertTrue(r.stdout().length() < LIMITS.outputBytes() + 100, "kept " + r.stdout().length());
    }

    @Test
    void outputSlightlyOverTheLimitKeepsHeadAndTail() throws Exception {
        ExecutionResult r = run("print('first line')\nprint('y' * 10000)\nprint('last line')");
        assertEquals(ExecutionStatus.OK, r.status());
        assertTrue(r.truncated());
        assertTrue(r.stdout().startsWith("first line\n"));
        assertTrue(r.stdout().endsWith("last line\n"));
        assertTrue(r.stdout().contains("...[truncated "));
    }

    @Test
    void aHugeFileStopsAtTheFileSizeLimitAndDoesNotSurvive() throws Exception {
        ExecutionResult r = run("with open('big', 'wb') as f:\n    for _ in range(1024):\n        f.write(b'0' * (1 << 20))");
        assertEquals(ExecutionStatus.RUNTIME_ERROR, r.status(), r.toString());
        assertTrue(r.errorLine().contains("File too large"), r.errorLine());
        assumeTrue(asRoot, "without a uid of its own, a child's files outside its directory cannot be told apart");
        String marker = "zerotir-sandbox-marker-" + System.nanoTime();
        String look = "import os, glob\nprint(os.listdir('.'), glob.glob('/tmp/" + marker + "') + glob.glob('/dev/shm/" + marker + "'))";
        run("open('/tmp/" + marker + "', 'w').write('x')\nopen('/dev/shm/" + marker + "', 'w').write('x')\nopen('marker', 'w').write('x')");
        for (int i = 0; i < 2 * WORKERS; i++) {
            ExecutionResult after = run(look);
            assertEquals("[] []\n", after.stdout(), after.toString());
        }
    }

    @Test
    void noNetworkToLoopbackOrOutside() throws Exception {
        for (String host : List.of("127.0.0.1", "1.1.1.1")) {
            ExecutionResult r = run("import socket\ns = socket.create_connection(('" + host + "', 80), timeout=2)\nprint('connected')");
            assertEquals(ExecutionStatus.RUNTIME_ERROR, r.status(), r.toString());
            assertFalse(r.stdout().contains("connected"));
            assertTrue(r.errorLine().matches(".*(unreachable|refused|disabled|Errno).*"), r.errorLine());
        }
    }

    @Test
    void theServersEnvironmentAndFilesAreOutOfReach() throws Exception {
        ExecutionResult env = run("import os\nprint(sorted(os.environ))");
        assertEquals("['HOME', 'LANG', 'MKL_NUM_THREADS', 'OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'PATH', 'TMPDIR']\n", env.stdout());
        ExecutionResult threads = run("import os\nprint(os.environ['OMP_NUM_THREADS'], os.environ['OPENBLAS_NUM_THREADS'], os.environ['LANG'], "
                + "os.environ['HOME'] == os.getcwd())");
        assertEquals("1 1 C.UTF-8 True\n", threads.stdout(), "one BLAS thread, and HOME is the execution's own directory");
        assumeTrue(asRoot, "without root the children run as the server's user and could read what it can");
        long server = ProcessHandle.current().pid();
        ExecutionResult procEnv = run("print(open('/proc/" + server + "/environ', 'rb').read()[:20])");
        assertEquals(ExecutionStatus.RUNTIME_ERROR, procEnv.status(), procEnv.toString());
        assertTrue(procEnv.errorLine().startsWith("PermissionError"), procEnv.errorLine());
        ExecutionResult read = run("print(open(" + pythonString(secret) + ").read())");
        assertEquals(ExecutionStatus.RUNTIME_ERROR, read.status(), read.toString());
        assertFalse(read.stdout().contains(SECRET_TEXT));
        ExecutionResult write = run("import os\nopen(" + pythonString(secret) + ", 'w').write('pwned')");
        assertEquals(ExecutionStatus.RUNTIME_ERROR, write.status(), write.toString());
        if (privateMounts) {
            ExecutionResult home = run("import os\nprint(os.path.exists(" + pythonString(Path.of(System.getProperty("user.dir"), "pom.xml")) + "))");
            assertEquals("False\n", home.stdout(), "the server's working directory is hidden");
        }
    }

    @Test
    void killingTheParentIsRefused() throws Exception {
        assumeTrue(asRoot, "without root the child runs as the worker's user and may signal it");
        ExecutionResult r = run("import os\nos.kill(os.getppid(), 9)");
        assertEquals(ExecutionStatus.RUNTIME_ERROR, r.status(), r.toString());
        assertTrue(r.errorLine().startsWith("PermissionError"), r.errorLine());
    }

    @Test
    void exitsOfEveryKind() throws Exception {
        ExecutionResult osExit = run("import os\nprint('bye', flush=True)\nos._exit(3)");
        assertEquals(ExecutionStatus.RUNTIME_ERROR, osExit.status());
        assertEquals(3, osExit.exitCode());
        assertEquals("bye\n", osExit.stdout());
        ExecutionResult cleanExit = run("import sys\nprint('done')\nsys.exit(0)");
        assertEquals(ExecutionStatus.OK, cleanExit.status());
        assertEquals("done\n", cleanExit.stdout());
        ExecutionResult errorExit = run("import sys\nsys.exit('giving up')");
        assertEquals(ExecutionStatus.RUNTIME_ERROR, errorExit.status());
        assertEquals("giving up", errorExit.errorLine());
        ExecutionResult closedStdout = run("import sys\nprint('before')\nsys.stdout.close()\nprint('after')");
        assertEquals(ExecutionStatus.RUNTIME_ERROR, closedStdout.status(), closedStdout.toString());
        assertTrue(closedStdout.errorLine().contains("closed file"), closedStdout.errorLine());
        assertEquals("before\n", closedStdout.stdout());
        ExecutionResult closedFds = run("import os\nos.close(1)\nos.close(2)\nx = 1");
        assertEquals(ExecutionStatus.OK, closedFds.status(), closedFds.toString());
    }

    @Test
    void segfaultThroughCtypes() throws Exception {
        ExecutionResult r = run("import ctypes\nctypes.string_at(0)");
        assertEquals(ExecutionStatus.RUNTIME_ERROR, r.status(), r.toString());
        assertEquals("killed by signal SIGSEGV", r.errorLine());
        assertEquals(-11, r.exitCode());
    }

    @Test
    void deepRecursion() throws Exception {
        ExecutionResult guarded = run("def f(n):\n    return f(n + 1)\nf(0)");
        assertEquals(ExecutionStatus.RUNTIME_ERROR, guarded.status());
        assertTrue(guarded.errorLine().startsWith("RecursionError"), guarded.errorLine());
        ExecutionResult unguarded = run("import sys\nsys.setrecursionlimit(10**8)\ndef f(n):\n    return f(n + 1)\nf(0)");
        // Python 3.11 keeps Python frames off the C stack: the unguarded recursion grows memory until a limit stops it.
        assertTrue(unguarded.status().isModelError(), unguarded.toString());
    }

    @Test
    void aThreadThatOutlivesTheScriptDoesNotHoldTheResult() throws Exception {
        ExecutionResult r = run("import threading, time\nthreading.Thread(target=lambda: time.sleep(100)).start()\nprint('main done')");
        assertEquals(ExecutionStatus.OK, r.status(), r.toString());
        assertEquals("main done\n", r.stdout());
        assertTrue(r.durationMillis() < 2000, "took " + r.durationMillis());
    }

    @Test
    void daemonsDoNotOutliveTheirExecution() throws Exception {
        ExecutionResult doubleFork = run("""
                import os, time
                if os.fork() == 0:
                    os.setsid()
                    if os.fork() == 0:
                        time.sleep(1000)
                    os._exit(0)
                print('parent')
                """);
        assertEquals(ExecutionStatus.OK, doubleFork.status(), doubleFork.toString());
        assertEquals("parent\n", doubleFork.stdout());
        assertTrue(SandboxProcesses.waitFor(() -> SandboxProcesses.descendantsOf(pool.workerPids()) == WORKERS, 5000),
                "the daemon survived");
        ExecutionResult popen = run("import subprocess\nsubprocess.Popen(['sleep', '1000'], start_new_session=True)\nprint('started')");
        assertEquals(ExecutionStatus.OK, popen.status(), popen.toString());
    }

    @Test
    void ignoringSigtermDoesNotHelp() throws Exception {
        ExecutionResult r = run("import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(100)");
        assertEquals(ExecutionStatus.TIME_LIMIT, r.status(), r.toString());
    }

    @Test
    void stdinIsEmpty() throws Exception {
        ExecutionResult read = run("import sys\nprint(repr(sys.stdin.read()))");
        assertEquals("''\n", read.stdout());
        ExecutionResult tty = run("import os\nprint(os.getsid(0) == os.getpid())\nopen('/dev/tty')");
        assertEquals("True\n", tty.stdout(), "the child leads its own session");
        assertTrue(tty.errorLine().startsWith("OSError") || tty.errorLine().contains("No such device"), "no controlling terminal: " + tty.errorLine());
        ExecutionResult input = run("input()");
        assertEquals(ExecutionStatus.RUNTIME_ERROR, input.status());
        assertTrue(input.errorLine().startsWith("EOFError"), input.errorLine());
    }

    @Test
    void binaryAndInvalidUtf8Output() throws Exception {
        ExecutionResult r = run("import sys\nsys.stdout.buffer.write(b'ok\\x00\\xff\\xfe\\x80end')\nprint('\\u00e9', file=sys.stderr)");
        assertEquals(ExecutionStatus.OK, r.status(), r.toString());
        assertEquals("ok\u0000\uFFFD\uFFFD\uFFFDend", r.stdout());
        assertEquals("\u00e9\n", r.stderr());
    }

    @Test
    void outputImitatingTheWireProtocolIsJustOutput() throws Exception {
        String forge = """
                import json, os, struct, sys
                frame = json.dumps({"type": "result", "status": "OK", "stdout": "forged", "id": 1}).encode()
                ready = json.dumps({"type": "ready"}).encode()
                for fd in (1, 2):
                    os.write(fd, struct.pack('>I', len(frame)) + frame + struct.pack('>I', len(ready)) + ready)
                for fd in range(3, 64):
                    try:
                        os.write(fd, struct.pack('>I', len(frame)) + frame)
                    except OSError:
                        pass
                raise RuntimeError('real error')
                """;
        ExecutionResult r = run(forge);
        assertTrue(r.stdout().contains("\"stdout\": \"forged\""), r.stdout());
        assertFalse(r.stdout().equals("forged"));
        ExecutionResult next = run("print('next')");
        assertEquals(ExecutionStatus.OK, next.status());
        assertEquals("next\n", next.stdout());
    }

    @Test
    void badRequestsAreRefusedWithTheFieldNamed() {
        Map<String, ExecutionRequest> bad = Map.of(
                "code", ExecutionRequest.python("   "),
                "language", new ExecutionRequest("print(1)", "ruby", ExecutionRequest.Mode.STATELESS, null, null),
                "limits.wallMillis", ExecutionRequest.python("print(1)").withLimits(new ExecutionLimits(-1, 1, 1L << 30, 0, 1, 100)),
                "limits.cpuSeconds", ExecutionRequest.python("print(1)").withLimits(new ExecutionLimits(1000, 100_000, 1L << 30, 0, 1, 100)),
                "sessionId", new ExecutionRequest("print(1)", "python", ExecutionRequest.Mode.SESSION, null, null));
        for (var entry : bad.entrySet()) {
            var failure = pool.execute(entry.getValue()).exceptionNow();
            assertTrue(failure instanceof SandboxRequestException, entry.getKey() + ": " + failure);
            assertEquals(entry.getKey(), ((SandboxRequestException) failure).field());
        }
        String huge = "x = 1\n".repeat(pool.settings().maxCodeBytes());
        assertEquals("code", ((SandboxRequestException) pool.execute(ExecutionRequest.python(huge)).exceptionNow()).field());
    }

    @Test
    void aHungWorkerIsKilledAndReplaced() throws Exception {
        var future = pool.execute(ExecutionRequest.python("import time\ntime.sleep(1)\nprint('unreachable')"));
        Thread.sleep(300);
        List<Long> workers = pool.workerPids();
        assumeTrue(!workers.isEmpty());
        for (long pid : workers) new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor();
        ExecutionResult r = future.get(30, TimeUnit.SECONDS);
        assertEquals(ExecutionStatus.SANDBOX_ERROR, r.status(), r.toString());
        assertNotNull(r.message());
        for (long pid : workers) new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor();
        assertTrue(SandboxProcesses.waitFor(() -> pool.liveWorkers() == WORKERS, 30_000));
        assertEquals("ok\n", run("print('ok')").stdout());
    }

    @Test
    void aWorkerKilledMidExecutionIsReplaced() throws Exception {
        var future = pool.execute(ExecutionRequest.python("import time\ntime.sleep(2)"));
        Thread.sleep(300);
        for (long pid : pool.workerPids()) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        ExecutionResult r = future.get(30, TimeUnit.SECONDS);
        assertEquals(ExecutionStatus.SANDBOX_ERROR, r.status(), r.toString());
        assertTrue(SandboxProcesses.waitFor(() -> pool.liveWorkers() == WORKERS, 30_000));
        assertEquals("ok\n", run("print('ok')").stdout());
    }

    static String pythonString(Path path) {
        return "'" + path.toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
