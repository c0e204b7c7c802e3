package org.zerotir.runs.bench;

import static io.restassured.RestAssured.given;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.zerotir.bench.BenchTable;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.parsetools.RecordParser;
import jakarta.inject.Inject;

/**
 * The run service under load (issue 6): while a run trains (the mini model's shape, see {@link #config}), 100 SSE subscribers follow it and metric queries
 * arrive at 200 per second over loopback. Reports query latency, events dropped (must be 0) and the step time
 * beside the same run with no load. A @QuarkusTest because it needs the server and a run that really trains;
 * run it with {@code bench/runs [seconds per case]} (skipped otherwise).
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "zerotir.bench.seconds", matches = "\\d+")
class RunsLoadBench {

    private static final int SUBSCRIBERS = 100;
    private static final int QUERIES_PER_SECOND = 200;
    /** One second of queries at the target rate: past this the server is a second behind, and ticks are skipped. */
    private static final int MAX_QUERIES_IN_FLIGHT = QUERIES_PER_SECOND;

    @TestHTTPResource("/")
    URL server;

    @Inject
    DataSource dataSource;

    @Inject
    Vertx vertx;

    record Case(String name, long steps, double stepMillis, long queries, long skipped, double p50, double p99, int subscribers,
                long events, long dropped, double sideCpuMillis) {}

    @Test
    void underLoad() throws Exception {
        int seconds = Integer.getInteger("zerotir.bench.seconds");
        Case quiet = measure("no load", seconds, false);
        Case loaded = measure(SUBSCRIBERS + " SSE + " + QUERIES_PER_SECOND + " queries/s", seconds, true);
        BenchTable table = new BenchTable("Run service under load: mini-shaped model from scratch training, " + seconds + " s per case, "
                + Runtime.getRuntime().availableProcessors() + " cores",
                "case", "steps", "step ms", "queries", "not sent", "p50 ms", "p99 ms", "subscribers", "events", "dropped", "slower",
                "side CPU s", "per query");
        for (Case c : List.of(quiet, loaded)) {
            table.row(c.name(), c.steps(), c.stepMillis(), c.queries(), c.skipped(), c == quiet ? "-" : c.p50(), c == quiet ? "-" : c.p99(), c.subscribers(), c.events(), c.dropped(),
                    c == quiet ? "-" : String.format("%+.1f %%", 100 * (c.stepMillis() / quiet.stepMillis() - 1)),
                    String.format("%.1f", c.sideCpuMillis() / 1000),
                    c == quiet ? "-" : String.format("%.2f ms", (c.sideCpuMillis() - quiet.sideCpuMillis()) / c.queries()));
        }
        table.print("bench/runs " + seconds);
        System.out.println("side CPU: CPU time of the JVM's threads other than the run's (the server, the load generator in this JVM)"
                + " plus PostgreSQL's processes, during the case; per query: the loaded case's side CPU beyond the quiet case's, over its"
                + " queries (the SSE streams' share included). Measured in CPU time, so it holds on a busy machine; the step time does not.");
        if (loaded.dropped() != 0) throw new AssertionError(loaded.dropped() + " events dropped");
    }

    private Case measure(String name, int seconds, boolean load) throws Exception {
        String id = given().header("Authorization", "Bearer test-key").contentType(ContentType.JSON)
                .body(config("bench-" + (load ? "load" : "quiet")))
                .when().post("/api/runs").then().statusCode(201).extract().path("id");
        // Vert.x's client on the server's own event loops: java.net.http.HttpClient took several times the server's CPU
        // per query, and that CPU, in this JVM, came out of the training step the benchmark measures
        HttpClient queries = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(server.getHost()).setDefaultPort(server.getPort()),
                new PoolOptions().setHttp1MaxSize(MAX_QUERIES_IN_FLIGHT));
        HttpClient streamsClient = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(server.getHost()).setDefaultPort(server.getPort()),
                new PoolOptions().setHttp1MaxSize(SUBSCRIBERS));
        SideCpu sideCpu = new SideCpu();
        List<Set<Integer>> received = new ArrayList<>();
        AtomicLong duplicates = new AtomicLong();
        List<HttpConnection> streams = Collections.synchronizedList(new ArrayList<>());
        if (load) {
            for (int i = 0; i < SUBSCRIBERS; i++) {
                Set<Integer> steps = ConcurrentHashMap.newKeySet();
                received.add(steps);
                String[] event = new String[1], eventId = new String[1];
                RecordParser lines = RecordParser.newDelimited("\n", buffer -> {
                    String line = buffer.toString(StandardCharsets.UTF_8);
                    if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
                    if (line.startsWith("event:")) {
                        event[0] = line.substring(6).strip();
                    } else if (line.startsWith("id:")) {
                        eventId[0] = line.substring(3).strip();
                    } else if (line.isEmpty()) {
                        // an event ends at a blank line; its fields come in any order
                        if ("step".equals(event[0]) && eventId[0] != null && !steps.add(Integer.parseInt(eventId[0]))) {
                            duplicates.incrementAndGet();
                        }
                        event[0] = null;
                        eventId[0] = null;
                    }
                });
                HttpClientResponse response = streamsClient.request(HttpMethod.GET, "/api/runs/" + id + "/events")
                        .compose(request -> request.putHeader("Accept", "text/event-stream").send())
                        // the handler goes on before the event loop hands over the first bytes
                        .map(stream -> stream.handler(lines))
                        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
                if (response.statusCode() != 200) throw new AssertionError("events: HTTP " + response.statusCode());
                streams.add(response.request().connection());
            }
        }
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(MAX_QUERIES_IN_FLIGHT);
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        if (load) {
            AtomicInteger round = new AtomicInteger();
            clock.scheduleAtFixedRate(() -> {
                // each query in flight holds a connection: a server that falls behind would otherwise pile up
                // thousands of them until the process runs out of file descriptors; a tick with none free is counted
                if (!inFlight.tryAcquire()) {
                    skipped.incrementAndGet();
                    return;
                }
                int from = Math.max(0, round.getAndIncrement() / 10);
                String uri = "/api/runs/" + id + "/metrics?from=" + from + "&to=" + (from + 50) + "&names=accuracy,reward/mean,policy/entropy";
                long started = System.nanoTime();
                queries.request(HttpMethod.GET, uri)
                        .compose(request -> request.send().compose(response -> response.body().map(body -> response.statusCode())))
                        .onComplete(result -> {
                            inFlight.release();
                            if (result.failed() || result.result() != 200) failures.incrementAndGet();
                            else latencies.add(System.nanoTime() - started);
                        });
            }, 0, 1_000_000 / QUERIES_PER_SECOND, TimeUnit.MICROSECONDS);
        }
        sideCpu.start();
        Thread.sleep(Duration.ofSeconds(seconds));
        clock.shutdownNow();
        double sideCpuMillis = sideCpu.millis();
        given().header("Authorization", "Bearer test-key").when().post("/api/runs/" + id + "/stop").then().statusCode(200);
        int last = awaitStopped(id);
        long events = 0, dropped = duplicates.get();
        if (load) {
            // the last events may still be in flight on an overloaded machine: wait for them, up to a minute
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && received.stream().anyMatch(steps -> steps.size() < last)) Thread.sleep(100);
            for (Set<Integer> steps : received) {
                events += steps.size();
                for (int step = 1; step <= last; step++) if (!steps.contains(step)) dropped++;
            }
            for (HttpConnection stream : streams) stream.close();
        }
        queries.close();
        streamsClient.close();
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        double p50 = sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() / 2) / 1e6;
        double p99 = sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99))) / 1e6;
        if (failures.get() > 0) System.out.println(failures.get() + " metric queries failed");
        if (load) {
            Set<Integer> missing = new java.util.TreeSet<>();
            for (Set<Integer> steps : received) for (int step = 1; step <= last; step++) if (!steps.contains(step)) missing.add(step);
            if (!missing.isEmpty()) System.out.println("steps some subscriber never got: " + missing);
        }
        return new Case(name, last, stepMillis(UUID.fromString(id)), sorted.size(), skipped.get(), p50, p99, load ? SUBSCRIBERS : 0, events, dropped,
                sideCpuMillis);
    }

    /**
     * The mini model's shape (zerotir pretrain's defaults: 4 layers, hidden 128, vocabulary 384) made from scratch, on
     * the test environment's digit task read through its own tokenizer: 64 responses of up to 24 tokens per step. A
     * step of some hundreds of milliseconds, as a real small run has, so that "slower under load" measures the
     * training thread competing with the server; the tiny test model's 3 ms step measured only noise.
     */
    private static String config(String name) {
        return """
                {"name": "%s", "template": "mini", "steps": 1000000, "checkpointEvery": 1000000, "seed": 3, "rolloutsKeptPerStep": 3,
                 "model": {"scratch": {"layers": 4, "hidden": 128, "heads": 4, "kvHeads": 2, "intermediate": 384, "context": 512, "vocab": 384}},
                 "data": {"heldOut": 0},
                 "algorithm": {"name": "grpo", "learningRate": 0.0001},
                 "rollout": {"promptsPerStep": 8, "samplesPerPrompt": 8, "maxResponseTokens": 24, "slots": 64},
                 "tool": {"enabled": false}}""".formatted(name);
    }

    private static int awaitStopped(String id) throws InterruptedException {
        for (int i = 0; i < 1200; i++) {
            var run = given().when().get("/api/runs/" + id).then().extract().jsonPath();
            if ("STOPPED".equals(run.getString("status"))) return run.getInt("currentStep");
            Thread.sleep(100);
        }
        throw new AssertionError("run " + id + " did not stop");
    }

    /**
     * CPU time spent beside the training: by this JVM's threads other than the run's worker ({@code run-N}) and its
     * backend's fork-join workers, and by PostgreSQL's processes. Native threads (BLAS, GC, JIT) are not counted.
     */
    private static final class SideCpu {
        private final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        private final java.util.Map<Long, Long> startedAt = new java.util.HashMap<>();
        private long postgresAtStart;

        void start() {
            for (Thread thread : sideThreads()) startedAt.put(thread.threadId(), Math.max(0, threads.getThreadCpuTime(thread.threadId())));
            postgresAtStart = postgresCpuNanos();
        }

        /** Since {@link #start}; a thread that ended meanwhile is missed. */
        double millis() {
            long total = postgresCpuNanos() - postgresAtStart;
            for (Thread thread : sideThreads()) {
                long now = threads.getThreadCpuTime(thread.threadId());
                if (now > 0) total += now - startedAt.getOrDefault(thread.threadId(), 0L);
            }
            return total / 1e6;
        }

        private static List<Thread> sideThreads() {
            List<Thread> side = new ArrayList<>();
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                boolean training = thread.getName().startsWith("run-")
                        // the CPU backend's pool; carrier threads of virtual threads are a subclass, and count as side
                        || (thread.getClass() == java.util.concurrent.ForkJoinWorkerThread.class
                            && ((java.util.concurrent.ForkJoinWorkerThread) thread).getPool() != java.util.concurrent.ForkJoinPool.commonPool());
                if (!training) side.add(thread);
            }
            return side;
        }

        /** utime + stime of every process called postgres, and of its children that ended (/proc/PID/stat). */
        private static long postgresCpuNanos() {
            long ticks = 0;
            java.io.File[] processes = new java.io.File("/proc").listFiles((dir, name) -> name.chars().allMatch(Character::isDigit));
            if (processes == null) return 0;
            for (java.io.File process : processes) {
                try {
                    String stat = java.nio.file.Files.readString(process.toPath().resolve("stat"));
                    int open = stat.indexOf('('), close = stat.lastIndexOf(')');
                    if (!stat.substring(open + 1, close).equals("postgres")) continue;
                    String[] fields = stat.substring(close + 2).split(" ");
                    // fields from the state (3rd in proc(5)): utime 14, stime 15, cutime 16, cstime 17
                    for (int field = 14; field <= 17; field++) ticks += Long.parseLong(fields[field - 3]);
                } catch (Exception gone) {
                    // the process ended while being read
                }
            }
            return ticks * 10_000_000L; // USER_HZ is 100 on Linux
        }
    }

    /** Mean wall time between consecutive steps' rows, from step 2 on (step 1 includes loading the model). */
    private double stepMillis(UUID id) throws Exception {
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement("""
                SELECT extract(epoch FROM max(recorded_at) - min(recorded_at)) * 1000 / nullif(count(*) - 1, 0)
                FROM metrics WHERE run_id = ? AND name = 'accuracy' AND step >= 2""")) {
            query.setObject(1, id);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getDouble(1);
            }
        }
    }
}
