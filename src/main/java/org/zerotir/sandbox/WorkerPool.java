package org.zerotir.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * N warm Python fork servers behind a bounded queue. Each worker runs one execution at a time on its own
 * thread; a session is pinned to the worker that holds its interpreter. A worker that dies or does not answer
 * within the execution's wall limit plus {@link SandboxSettings#hangGraceMillis()} is killed with everything
 * below it and replaced. Usable without Quarkus: {@code try (var pool = new WorkerPool(settings)) {...}}.
 */
public final class WorkerPool implements SandboxClient {
    private static final Logger LOG = Logger.getLogger(WorkerPool.class);
    private static final long IDLE_CHECK_MILLIS = 250;

    private final SandboxSettings settings;
    private final SandboxMetrics metrics;
    private final ObjectMapper json = new ObjectMapper();
    private final Path script;
    private final List<Slot> slots = new ArrayList<>();
    private final ScheduledExecutorService timer;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean warnedWeakIsolation = new AtomicBoolean();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workAvailable = lock.newCondition();
    private final ArrayDeque<Task> shared = new ArrayDeque<>();
    private final Map<String, SessionRef> sessions = new HashMap<>();
    private int queued;
    private int idleSlots;
    private boolean closed;

    private sealed interface Task permits Execute, CloseSession {}

    private record Execute(ExecutionRequest request, ExecutionLimits limits, CompletableFuture<ExecutionResult> future,
                           long submittedNanos) implements Task {}

    private record CloseSession(String sessionId, CompletableFuture<Boolean> future) implements Task {}

    private static final class SessionRef {
        final Slot slot;
        long lastUsedNanos;

        SessionRef(Slot slot) {
            this.slot = slot;
        }
    }

    public WorkerPool(SandboxSettings settings) {
        this(settings, new SimpleMeterRegistry());
    }

    public WorkerPool(SandboxSettings settings, MeterRegistry registry) {
        this.settings = settings;
        this.script = extractScript();
        try {
            Files.createDirectories(settings.lockDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the sandbox's lock directory " + settings.lockDir(), e);
        }
        this.metrics = new SandboxMetrics(registry, this::queueDepth, this::liveWorkers);
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("sandbox-timer").factory());
        // Every execution arms a watchdog and almost always cancels it: do not keep the cancelled ones queued.
        timer.setRemoveOnCancelPolicy(true);
        this.timer = timer;
        long sweep = Math.max(1000, settings.sessionIdleMillis() / 4);
        timer.scheduleWithFixedDelay(this::forgetIdleSessions, sweep, sweep, TimeUnit.MILLISECONDS);
        for (int i = 0; i < settings.workers(); i++) {
            Slot slot = new Slot(i);
            slots.add(slot);
            slot.thread = Thread.ofPlatform().daemon().name("sandbox-worker-" + i).start(slot);
        }
    }

    public SandboxSettings settings() {
        return settings;
    }

    @Override
    public CompletableFuture<ExecutionResult> execute(ExecutionRequest request) {
        CompletableFuture<ExecutionResult> future = new CompletableFuture<>();
        ExecutionLimits limits;
        try {
            limits = request.validate(settings);
        } catch (SandboxRequestException e) {
            return CompletableFuture.failedFuture(e);
        }
        Execute task = new Execute(request, limits, future, System.nanoTime());
        lock.lock();
        try {
            if (closed) return CompletableFuture.completedFuture(ExecutionResult.sandboxError("the sandbox is shut down"));
            if (queued >= settings.queueCapacity() + idleSlots) {
                metrics.rejected();
                return CompletableFuture.failedFuture(new SandboxBusyException(
                        "the sandbox is busy: " + queued + " executions are waiting for " + settings.workers() + " workers"));
            }
            if (request.mode() == ExecutionRequest.Mode.SESSION) {
                SessionRef ref = sessions.get(request.sessionId());
                if (ref == null) {
                    ref = new SessionRef(leastLoadedSlot());
                    ref.slot.sessionCount++;
                    sessions.put(request.sessionId(), ref);
                }
                ref.lastUsedNanos = System.nanoTime();
                ref.slot.pinned.add(task);
            } else {
                shared.add(task);
            }
            queued++;
            workAvailable.signalAll();
        } finally {
            lock.unlock();
        }
        return future;
    }

    @Override
    public CompletableFuture<Boolean> closeSession(String sessionId) {
        CompletableFuture<Boolean> future = new CompletableFuture<>();
        lock.lock();
        try {
            SessionRef ref = sessionId == null ? null : sessions.remove(sessionId);
            if (ref == null || closed) return CompletableFuture.completedFuture(false);
            ref.slot.sessionCount--;
            ref.slot.pinned.add(new CloseSession(sessionId, future));
            queued++;
            workAvailable.signalAll();
        } finally {
            lock.unlock();
        }
        return future;
    }

    /** Waits until every worker has started (or the time is up); returns whether they all did. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (liveWorkers() < settings.workers()) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(20);
        }
        return true;
    }

    /** Workers started and answering. */
    public int liveWorkers() {
        int live = 0;
        for (Slot slot : slots) if (slot.process != null && slot.process.alive()) live++;
        return live;
    }

    /** Process ids of the live workers (their children are their descendants). */
    public List<Long> workerPids() {
        List<Long> pids = new ArrayList<>();
        for (Slot slot : slots) {
            WorkerProcess process = slot.process;
            if (process != null && process.alive()) pids.add(process.pid());
        }
        return pids;
    }

    /** What the first live worker reported of its isolation (namespace, mounts, root), for the health check. */
    public JsonNode isolation() {
        for (Slot slot : slots) {
            WorkerProcess process = slot.process;
            if (process != null && process.hello != null) return process.hello.path("isolation");
        }
        return json.createObjectNode();
    }

    public int queueDepth() {
        lock.lock();
        try {
            return queued;
        } finally {
            lock.unlock();
        }
    }

    double executions(ExecutionStatus status) {
        return metrics.count(status);
    }

    double crashes() {
        return metrics.crashes();
    }

    @Override
    public void close() {
        List<Task> abandoned = new ArrayList<>();
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            abandoned.addAll(shared);
            shared.clear();
            for (Slot slot : slots) {
                abandoned.addAll(slot.pinned);
                slot.pinned.clear();
            }
            queued = 0;
            sessions.clear();
            workAvailable.signalAll();
        } finally {
            lock.unlock();
        }
        for (Task task : abandoned) fail(task, "the sandbox is shut down");
        for (Slot slot : slots) {
            try {
                slot.thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            WorkerProcess process = slot.process;
            if (process != null) process.kill();
        }
        for (Slot slot : slots) {
            try {
                slot.thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        timer.shutdownNow();
    }

    private void warnIfWeak(JsonNode isolation) {
        if (!warnedWeakIsolation.compareAndSet(false, true)) return;
        if (!isolation.path("root").asBoolean()) {
            LOG.warn("Sandbox: the server is not root, so its children run as its own user: no uid of their own, no "
                    + "process limit, no hidden paths, and they may signal the server; run it as root (in its container) "
                    + "for the full sandbox");
        } else if (!"namespace".equals(isolation.path("network").asText()) || !isolation.path("mounts").asBoolean()) {
            LOG.warnf("Sandbox: partial isolation %s (network namespace or private mounts unavailable)", isolation);
        }
    }

    private Slot leastLoadedSlot() {
        Slot best = slots.getFirst();
        for (Slot slot : slots) if (slot.sessionCount < best.sessionCount) best = slot;
        return best;
    }

    private void forgetIdleSessions() {
        long cutoff = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(settings.sessionIdleMillis());
        lock.lock();
        try {
            // The worker ends the interpreter on its own clock; here the session only stops being pinned.
            Iterator<SessionRef> refs = sessions.values().iterator();
            while (refs.hasNext()) {
                SessionRef ref = refs.next();
                if (ref.lastUsedNanos < cutoff && !hasPinnedWork(ref.slot)) {
                    ref.slot.sessionCount--;
                    refs.remove();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean hasPinnedWork(Slot slot) {
        return !slot.pinned.isEmpty();
    }

    private void fail(Task task, String message) {
        switch (task) {
            case Execute e -> e.future.complete(ExecutionResult.sandboxError(message));
            case CloseSession c -> c.future.complete(false);
        }
    }

    private static Path extractScript() {
        try (InputStream in = WorkerPool.class.getResourceAsStream("/sandbox/worker.py")) {
            if (in == null) throw new IllegalStateException("sandbox/worker.py is missing from the classpath");
            Path directory = Files.createTempDirectory("zerotir-sandbox-");
            Path script = directory.resolve("worker.py");
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            script.toFile().deleteOnExit();
            directory.toFile().deleteOnExit();
            return script;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the sandbox worker script", e);
        }
    }

    /** One worker: its process, its pinned sessions' work, and the thread that drives both. */
    private final class Slot implements Runnable {
        final int index;
        final ArrayDeque<Task> pinned = new ArrayDeque<>();
        int sessionCount;
        volatile WorkerProcess process;
        Thread thread;
        String startError = "";

        Slot(int index) {
            this.index = index;
        }

        @Override
        public void run() {
            long backoffMillis = 500;
            try {
                while (true) {
                    if (process == null && !isClosed()) {
                        try {
                            process = startWorker();
                            backoffMillis = 500;
                        } catch (IOException e) {
                            startError = e.getMessage();
                            metrics.crashed();
                            LOG.errorf("sandbox worker %d cannot start: %s", index, startError);
                        }
                    }
                    // Bounded waits, so that a worker that dies while idle is noticed and replaced.
                    Task task = take(process != null, process == null ? backoffMillis : IDLE_CHECK_MILLIS);
                    if (process == null) backoffMillis = Math.min(10_000, backoffMillis * 2);
                    if (process != null && !process.alive()) {
                        LOG.warnf("sandbox worker %d died while idle; replacing it", index);
                        replaceWorker("the sandbox worker died");
                        if (!isClosed()) {
                            try {
                                process = startWorker();
                            } catch (IOException e) {
                                startError = e.getMessage();
                                metrics.crashed();
                            }
                        }
                    }
                    if (task == null) {
                        if (isClosed()) return;
                        continue;
                    }
                    if (process == null) {
                        fail(task, "no sandbox worker could start: " + startError);
                        continue;
                    }
                    runTask(task);
                }
            } finally {
                WorkerProcess last = process;
                if (last != null) last.shutdown(1000);
            }
        }

        private boolean isClosed() {
            lock.lock();
            try {
                return closed;
            } finally {
                lock.unlock();
            }
        }

        private WorkerProcess startWorker() throws IOException {
            WorkerProcess started = WorkerProcess.start(settings, script, json, "sandbox-worker-" + index);
            AtomicBoolean hung = new AtomicBoolean();
            ScheduledFuture<?> watchdog = timer.schedule(() -> {
                hung.set(true);
                started.kill();
            }, settings.startupMillis(), TimeUnit.MILLISECONDS);
            try {
                started.awaitHello();
                warnIfWeak(started.hello.path("isolation"));
                return started;
            } catch (IOException e) {
                started.kill();
                throw hung.get() ? new IOException("the worker did not start within " + settings.startupMillis() + " ms") : e;
            } finally {
                watchdog.cancel(false);
            }
        }

        /** The next task: this worker's sessions first; shared work only while it has a worker. */
        private Task take(boolean sharedToo, long timeoutMillis) {
            lock.lock();
            try {
                long nanos = timeoutMillis < 0 ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
                while (!closed) {
                    Task task = pinned.poll();
                    if (task == null && (sharedToo || !anyOtherWorker())) task = shared.poll();
                    if (task != null) {
                        queued--;
                        return task;
                    }
                    if (nanos <= 0) return null;
                    idleSlots++;
                    try {
                        nanos = workAvailable.awaitNanos(nanos);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return null;
                    } finally {
                        idleSlots--;
                    }
                }
                return null;
            } finally {
                lock.unlock();
            }
        }

        private boolean anyOtherWorker() {
            for (Slot slot : slots) if (slot != this && slot.process != null) return true;
            return false;
        }

        private void runTask(Task task) {
            WorkerProcess worker = process;
            AtomicBoolean hung = new AtomicBoolean();
            long answerWithinMillis = switch (task) {
                case Execute e -> e.limits.wallMillis() + settings.hangGraceMillis();
                case CloseSession c -> settings.hangGraceMillis();
            };
            ScheduledFuture<?> watchdog = timer.schedule(() -> {
                hung.set(true);
                worker.kill();
            }, answerWithinMillis, TimeUnit.MILLISECONDS);
            try {
                switch (task) {
                    case Execute e -> {
                        ExecutionResult result = toResult(worker.call(executeMessage(e)));
                        metrics.finished(result.status(), System.nanoTime() - e.submittedNanos);
                        e.future.complete(result);
                    }
                    case CloseSession c -> c.future.complete(worker.call(closeMessage(c.sessionId)).path("closed").asBoolean());
                }
                watchdog.cancel(false);
                // The worker reaps the child and forks the next one before it says it is ready again.
                watchdog = timer.schedule(() -> {
                    hung.set(true);
                    worker.kill();
                }, settings.hangGraceMillis(), TimeUnit.MILLISECONDS);
                worker.awaitReady();
            } catch (IOException | RuntimeException e) {
                String why = hung.get() ? "the sandbox worker stopped answering and was replaced" : "the sandbox worker failed: " + e.getMessage();
                LOG.warnf("sandbox worker %d: %s", index, why);
                replaceWorker(why);
                if (task instanceof Execute ex && !ex.future.isDone()) {
                    ExecutionResult result = ExecutionResult.sandboxError(why);
                    metrics.finished(result.status(), System.nanoTime() - ex.submittedNanos);
                    ex.future.complete(result);
                } else if (task instanceof CloseSession c) {
                    c.future.complete(true);
                }
            } finally {
                watchdog.cancel(false);
            }
        }

        /** Kills the worker with its children; its sessions are lost and their waiting blocks told so. */
        private void replaceWorker(String why) {
            WorkerProcess dead = process;
            process = null;
            if (dead != null) dead.kill();
            metrics.crashed();
            List<Task> orphaned = new ArrayList<>();
            lock.lock();
            try {
                sessions.values().removeIf(ref -> ref.slot == this);
                sessionCount = 0;
                orphaned.addAll(pinned);
                queued -= pinned.size();
                pinned.clear();
            } finally {
                lock.unlock();
            }
            for (Task task : orphaned) fail(task, "the session was lost: " + why);
        }
    }

    private ObjectNode executeMessage(Execute task) {
        ObjectNode message = json.createObjectNode();
        message.put("type", "execute");
        message.put("id", ids.incrementAndGet());
        message.put("code", task.request.code());
        if (task.request.mode() == ExecutionRequest.Mode.SESSION) message.put("session", task.request.sessionId());
        else message.putNull("session");
        ExecutionLimits limits = task.limits;
        ObjectNode l = message.putObject("limits");
        l.put("wallMillis", limits.wallMillis());
        l.put("cpuSeconds", limits.cpuSeconds());
        l.put("memoryBytes", limits.memoryBytes());
        l.put("fileSizeBytes", limits.fileSizeBytes());
        l.put("processes", limits.processes());
        l.put("outputBytes", limits.outputBytes());
        return message;
    }

    private ObjectNode closeMessage(String sessionId) {
        ObjectNode message = json.createObjectNode();
        message.put("type", "close");
        message.put("session", sessionId);
        return message;
    }

    private static ExecutionResult toResult(JsonNode r) {
        ExecutionStatus status;
        try {
            status = ExecutionStatus.valueOf(r.path("status").asText());
        } catch (IllegalArgumentException e) {
            return ExecutionResult.sandboxError("the worker answered an unknown status: " + r.path("status").asText());
        }
        JsonNode exit = r.get("exitCode");
        return new ExecutionResult(status, r.path("stdout").asText(""), r.path("stderr").asText(""),
                exit == null || exit.isNull() ? null : exit.asInt(), r.path("durationMillis").asLong(),
                r.path("peakMemoryBytes").asLong(), r.path("truncated").asBoolean(),
                r.hasNonNull("errorLine") ? r.get("errorLine").asText() : null,
                r.hasNonNull("message") ? r.get("message").asText() : null, r.path("newSession").asBoolean());
    }
}
