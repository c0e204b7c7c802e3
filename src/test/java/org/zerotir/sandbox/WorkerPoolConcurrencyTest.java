package org.zerotir.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Many callers at once, sessions, back-pressure. */
class WorkerPoolConcurrencyTest {
    static final int UID_BASE = 320_000;
    static final int UID_COUNT = 64;
    static WorkerPool pool;

    @BeforeAll
    static void start() throws Exception {
        pool = new WorkerPool(settings(2, 256, 60_000));
        assertTrue(pool.awaitReady(Duration.ofSeconds(60)));
    }

    static SandboxSettings settings(int workers, int queueCapacity, long sessionIdleMillis) {
        SandboxSettings d = SandboxSettings.defaults();
        return new SandboxSettings(d.python(), workers, queueCapacity, d.maxCodeBytes(),
                new ExecutionLimits(10_000, 5, 512L << 20, 8L << 20, 32, 4096), d.maxLimits(), UID_BASE, UID_COUNT,
                d.lockDir(), d.hiddenPaths(), 32L << 20, sessionIdleMillis, 4, 60_000, 3_000, d.preload(), true);
    }

    @AfterAll
    static void stop() throws Exception {
        pool.close();
        assertTrue(SandboxProcesses.waitFor(() -> SandboxProcesses.withUidIn(UID_BASE, UID_COUNT).isEmpty(), 5000),
                "left after close: " + SandboxProcesses.withUidIn(UID_BASE, UID_COUNT));
    }

    /** The code for job i and the result it must give, so that a result delivered to the wrong caller shows. */
    record Job(String code, ExecutionStatus status, String expected) {
        static Job of(int i) {
            return switch (i % 4) {
                case 0 -> new Job("print(" + i + " * 7)", ExecutionStatus.OK, (i * 7) + "\n");
                case 1 -> new Job("import numpy\nprint(int(numpy.arange(" + i + ").sum()))", ExecutionStatus.OK, (i * (i - 1) / 2) + "\n");
                case 2 -> new Job("raise ValueError('job " + i + "')", ExecutionStatus.RUNTIME_ERROR, "ValueError: job " + i);
                default -> new Job("import sympy\nx = sympy.Symbol('x')\nprint(sympy.solve(x - " + i + ", x))", ExecutionStatus.OK, "[" + i + "]\n");
            };
        }
    }

    @Test
    void twoHundredMixedExecutionsFromSixteenThreadsEachGetTheirOwnResult() throws Exception {
        double before = pool.executions(ExecutionStatus.OK) + pool.executions(ExecutionStatus.RUNTIME_ERROR);
        ExecutorService callers = Executors.newFixedThreadPool(16);
        try {
            List<Future<String>> checks = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int job = i;
                checks.add(callers.submit(() -> {
                    Job expected = Job.of(job);
                    ExecutionResult r = pool.execute(ExecutionRequest.python(expected.code)).get(120, TimeUnit.SECONDS);
                    String got = r.status() == ExecutionStatus.OK ? r.stdout() : r.errorLine();
                    return r.status() == expected.status && expected.expected.equals(got) ? "" : "job " + job + ": " + r;
                }));
            }
            List<String> wrong = new ArrayList<>();
            for (Future<String> check : checks) {
                String problem = check.get(300, TimeUnit.SECONDS);
                if (!problem.isEmpty()) wrong.add(problem);
            }
            assertEquals(List.of(), wrong);
        } finally {
            callers.shutdownNow();
        }
        assertEquals(200, pool.executions(ExecutionStatus.OK) + pool.executions(ExecutionStatus.RUNTIME_ERROR) - before, 0.5,
                "the counters saw every execution");
        assertEquals(0, pool.queueDepth());
        assertEquals(2, pool.liveWorkers());
    }

    @Test
    void sessionsKeepStateAndStayApart() throws Exception {
        String a = "session-a-" + System.nanoTime();
        String b = "session-b-" + System.nanoTime();
        ExecutionResult first = session(a, "import math\nx = 41\ndef double(v):\n    return 2 * v");
        assertEquals(ExecutionStatus.OK, first.status(), first.toString());
        assertTrue(first.newSession());
        session(b, "x = 'other'");
        ExecutionResult second = session(a, "x += 1\nprint(x, double(x), math.pi > 3)");
        assertEquals("42 84 True\n", second.stdout(), second.toString());
        assertFalse(second.newSession());
        assertEquals("'other'\n", session(b, "print(repr(x))").stdout());
        ExecutionResult stateless = pool.execute(ExecutionRequest.python("print('x' in globals())")).get(30, TimeUnit.SECONDS);
        assertEquals("False\n", stateless.stdout());
        ExecutionResult error = session(a, "1 / 0");
        assertEquals(ExecutionStatus.RUNTIME_ERROR, error.status());
        assertEquals("ZeroDivisionError: division by zero", error.errorLine());
        assertEquals("42\n", session(a, "print(x)").stdout(), "an error does not end the session");
        ExecutionResult exit = session(a, "import sys\nsys.exit(0)");
        assertEquals(ExecutionStatus.OK, exit.status());
        ExecutionResult afterExit = session(a, "print('x' in globals())");
        assertTrue(afterExit.newSession(), "sys.exit ends the interpreter");
        assertEquals("False\n", afterExit.stdout());
        assertTrue(pool.closeSession(b).get(30, TimeUnit.SECONDS));
        assertFalse(pool.closeSession(b).get(30, TimeUnit.SECONDS));
        ExecutionResult reopened = session(b, "print('x' in globals())");
        assertTrue(reopened.newSession());
        assertEquals("False\n", reopened.stdout());
        pool.closeSession(a).get(30, TimeUnit.SECONDS);
        pool.closeSession(b).get(30, TimeUnit.SECONDS);
        assertTrue(SandboxProcesses.waitFor(() -> SandboxProcesses.descendantsOf(pool.workerPids()) == 2, 5000),
                "closed sessions leave no process: " + SandboxProcesses.descendantsOf(pool.workerPids()));
    }

    @Test
    void aSessionsDaemonDoesNotOutliveItsBlockButTheSessionDoes() throws Exception {
        String id = "session-d-" + System.nanoTime();
        ExecutionResult daemon = session(id, """
                import os, time
                kept = 7
                if os.fork() == 0:
                    os.setsid()
                    if os.fork() == 0:
                        time.sleep(1000)
                    os._exit(0)
                os.wait()
                print('spawned')
                """);
        assertEquals("spawned\n", daemon.stdout(), daemon.toString());
        // two waiting children and the session's interpreter, and nothing else
        assertTrue(SandboxProcesses.waitFor(() -> SandboxProcesses.descendantsOf(pool.workerPids()) == 3, 5000),
                "processes below the workers: " + SandboxProcesses.descendantsOf(pool.workerPids()));
        assertEquals("7\n", session(id, "print(kept)").stdout());
        assertTrue(pool.closeSession(id).get(30, TimeUnit.SECONDS));
        assertTrue(SandboxProcesses.waitFor(() -> SandboxProcesses.descendantsOf(pool.workerPids()) == 2, 5000));
    }

    @Test
    void aSessionThatClosesItsOwnPipesEndsCleanly() throws Exception {
        String id = "session-p-" + System.nanoTime();
        session(id, "v = 1");
        ExecutionResult closing = session(id, "import os\nfor fd in range(3, 64):\n    try:\n        os.close(fd)\n    except OSError:\n        pass\nprint('closed')");
        assertEquals("closed\n", closing.stdout(), closing.toString());
        ExecutionResult after = session(id, "print('v' in globals())");
        assertTrue(after.newSession());
        assertEquals("False\n", after.stdout());
        pool.closeSession(id).get(30, TimeUnit.SECONDS);
    }

    @Test
    void aSessionThatTimesOutIsOverButTheNextBlockStartsAfresh() throws Exception {
        String id = "session-t-" + System.nanoTime();
        session(id, "y = 1");
        ExecutionResult slow = pool.execute(ExecutionRequest.inSession(id, "import time\ntime.sleep(100)")
                .withLimits(new ExecutionLimits(1000, 5, 512L << 20, 0, 32, 4096))).get(30, TimeUnit.SECONDS);
        assertEquals(ExecutionStatus.TIME_LIMIT, slow.status());
        ExecutionResult after = session(id, "print('y' in globals())");
        assertTrue(after.newSession());
        assertEquals("False\n", after.stdout());
        pool.closeSession(id).get(30, TimeUnit.SECONDS);
    }

    @Test
    void aFullQueueAnswersBusyAndIdleSessionsExpire() throws Exception {
        try (WorkerPool small = new WorkerPool(settings(1, 1, 1000).withHangGraceMillis(3000))) {
            assertTrue(small.awaitReady(Duration.ofSeconds(60)));
            CompletableFuture<ExecutionResult> running = small.execute(ExecutionRequest.python("import time\ntime.sleep(1.5)\nprint('slept')"));
            assertTrue(SandboxProcesses.waitFor(() -> small.queueDepth() == 0, 5000));
            CompletableFuture<ExecutionResult> waiting = small.execute(ExecutionRequest.python("print('queued')"));
            CompletableFuture<ExecutionResult> refused = small.execute(ExecutionRequest.python("print('refused')"));
            assertInstanceOf(SandboxBusyException.class, refused.exceptionNow());
            assertEquals("slept\n", running.get(30, TimeUnit.SECONDS).stdout());
            assertEquals("queued\n", waiting.get(30, TimeUnit.SECONDS).stdout());

            small.execute(ExecutionRequest.inSession("idle", "z = 1")).get(30, TimeUnit.SECONDS);
            assertFalse(small.execute(ExecutionRequest.inSession("idle", "print(z)")).get(30, TimeUnit.SECONDS).newSession());
            Thread.sleep(2500);
            ExecutionResult expired = small.execute(ExecutionRequest.inSession("idle", "print('z' in globals())")).get(30, TimeUnit.SECONDS);
            assertTrue(expired.newSession(), "an idle session ends");
            assertEquals("False\n", expired.stdout());
        }
    }

    private static ExecutionResult session(String id, String code) throws Exception {
        return pool.execute(ExecutionRequest.inSession(id, code)).get(30, TimeUnit.SECONDS);
    }
}
