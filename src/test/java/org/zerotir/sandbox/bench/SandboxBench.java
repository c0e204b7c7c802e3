package org.zerotir.sandbox.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.zerotir.bench.BenchTable;
import org.zerotir.sandbox.ExecutionRequest;
import org.zerotir.sandbox.ExecutionResult;
import org.zerotir.sandbox.ExecutionStatus;
import org.zerotir.sandbox.RemoteSandboxClient;
import org.zerotir.sandbox.SandboxClient;
import org.zerotir.sandbox.SandboxSettings;
import org.zerotir.sandbox.WorkerPool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

/**
 * Executions per second and p50/p99 latency of the warm pool for three programs at concurrency 1, 4 and 16,
 * beside a cold {@code python3 -c} per execution, and through HTTP.
 *
 * <pre>bench/sandbox [--seconds S] [--workers N] [--only print|numpy|sympy] [--url http://host:port --token T]</pre>
 * Without --url the HTTP rows go through a JDK HttpServer in this process that speaks /sandbox/v1/execute (our
 * JSON both ways), i.e. they measure the HTTP hop and JSON, not Quarkus; with --url, a running {@code zerotir sandbox}.
 */
public final class SandboxBench {
    record Program(String name, String code, String expected) {}

    static final List<Program> PROGRAMS = List.of(
            new Program("print(1+1)", "print(1+1)", "2\n"),
            new Program("numpy 200x200 solve", "import numpy as np\nrng = np.random.default_rng(0)\na = rng.random((200, 200)) + 200 * np.eye(200)\n"
                    + "x = np.linalg.solve(a, np.ones(200))\nprint(round(float(a.dot(x).sum())))", "200\n"),
            new Program("sympy solve", "import sympy as sp\nx = sp.Symbol('x')\nprint(sp.solve(x**2 - 5*x + 6, x))", "[2, 3]\n"));

    public static void main(String[] args) throws Exception {
        double seconds = 3;
        Integer workers = null;
        String url = null;
        String token = null;
        String only = "";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--workers" -> workers = Integer.parseInt(args[++i]);
                case "--url" -> url = args[++i];
                case "--token" -> token = args[++i];
                case "--only" -> only = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; usage: bench/sandbox [--seconds S] [--workers N] [--only PROGRAM] [--url U --token T]");
            }
        }
        SandboxSettings settings = SandboxSettings.defaults();
        if (workers != null) settings = settings.withWorkers(workers);
        int cores = Runtime.getRuntime().availableProcessors();
        BenchTable table = new BenchTable("Sandbox: executions/s and latency (" + cores + " cores, " + settings.workers()
                + " workers, " + seconds + " s per row; a shared machine, so noisy)",
                "mode", "program", "concurrency", "executions", "exec/s", "p50 ms", "p99 ms", "in-child p50 ms", "vs cold");
        try (WorkerPool pool = new WorkerPool(settings)) {
            if (!pool.awaitReady(Duration.ofSeconds(120))) throw new IllegalStateException("the workers did not start");
            double[] coldRate = new double[PROGRAMS.size()];
            for (int p = 0; p < PROGRAMS.size(); p++) {
                Program program = PROGRAMS.get(p);
                if (!program.name.startsWith(only)) continue;
                Row cold = measure(settings.python(), program, 1, Math.min(seconds, 3), null);
                coldRate[p] = cold.rate();
                table.row("cold python3 -c", program.name, 1, cold.count, cold.rate(), cold.p50(), cold.p99(), "-", 1.0);
                for (int concurrency : new int[] {1, 4, 16}) {
                    Row warm = measure(null, program, concurrency, seconds, pool);
                    table.row("pool (in-process)", program.name, concurrency, warm.count, warm.rate(), warm.p50(), warm.p99(),
                            warm.childP50(), String.format("%.1fx", warm.rate() / coldRate[p]));
                }
            }
            HttpServer server = null;
            if (url == null) {
                server = serve(pool);
                url = "http://127.0.0.1:" + server.getAddress().getPort();
                token = "bench";
            }
            try (RemoteSandboxClient http = new RemoteSandboxClient(List.of(url), RemoteSandboxClient.Protocol.ZEROTIR, token,
                    5000, 10_000, settings)) {
                for (int p = 0; p < PROGRAMS.size(); p++) {
                    if (!PROGRAMS.get(p).name.startsWith(only)) continue;
                    for (int concurrency : new int[] {1, 4, 16}) {
                        if (p > 0 && concurrency == 16) continue;
                        Row row = measure(null, PROGRAMS.get(p), concurrency, seconds, http);
                        table.row(server != null ? "HTTP (JDK server, same pool)" : "HTTP " + url, PROGRAMS.get(p).name, concurrency,
                                row.count, row.rate(), row.p50(), row.p99(), row.childP50(), String.format("%.1fx", row.rate() / coldRate[p]));
                    }
                }
            } finally {
                if (server != null) server.stop(0);
            }
        }
        table.print("bench/sandbox " + String.join(" ", args));
    }

    /** childMillis: the worker's own measure, from handing the code to the child to its answer (durationMillis). */
    record Row(int count, double elapsedSeconds, long[] latenciesNanos, long[] childMillis) {
        double rate() {
            return count / elapsedSeconds;
        }

        Object childP50() {
            if (childMillis.length == 0) return "-";
            long[] sorted = childMillis.clone();
            Arrays.sort(sorted);
            return sorted[sorted.length / 2];
        }

        double p50() {
            return percentile(0.50);
        }

        double p99() {
            return percentile(0.99);
        }

        private double percentile(double q) {
            long[] sorted = latenciesNanos.clone();
            Arrays.sort(sorted);
            return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))] / 1e6;
        }
    }

    /** Runs the program from `concurrency` threads for `seconds` (after a short warm-up) and checks every answer. */
    static Row measure(String coldPython, Program program, int concurrency, double seconds, SandboxClient client) throws Exception {
        for (int i = 0; i < 2 * concurrency && client != null; i++) check(program, client.execute(ExecutionRequest.python(program.code)).get());
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        ExecutorService threads = Executors.newFixedThreadPool(concurrency);
        List<Future<List<long[]>>> parts = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            parts.add(threads.submit(() -> {
                List<long[]> samples = new ArrayList<>();
                while (System.nanoTime() < end) {
                    long begin = System.nanoTime();
                    long child = -1;
                    if (coldPython != null) {
                        coldRun(coldPython, program);
                    } else {
                        ExecutionResult result = client.execute(ExecutionRequest.python(program.code)).get(60, TimeUnit.SECONDS);
                        check(program, result);
                        child = result.durationMillis();
                    }
                    samples.add(new long[] {System.nanoTime() - begin, child});
                }
                return samples;
            }));
        }
        List<long[]> all = new ArrayList<>();
        for (Future<List<long[]>> part : parts) all.addAll(part.get());
        double elapsed = (System.nanoTime() - start) / 1e9;
        threads.shutdown();
        return new Row(all.size(), elapsed, all.stream().mapToLong(x -> x[0]).toArray(),
                all.stream().mapToLong(x -> x[1]).filter(x -> x >= 0).toArray());
    }

    static void check(Program program, ExecutionResult result) {
        if (result.status() != ExecutionStatus.OK || !program.expected.equals(result.stdout())) {
            throw new IllegalStateException(program.name + " gave " + result);
        }
    }

    static void coldRun(String python, Program program) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(python, "-c", program.code).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0 || !out.equals(program.expected)) throw new IllegalStateException("cold " + program.name + " gave " + out);
    }

    /** A minimal /sandbox/v1/execute over the JDK's HTTP server, so that the HTTP rows need no database or Quarkus. */
    static HttpServer serve(WorkerPool pool) throws IOException {
        ObjectMapper json = new ObjectMapper();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        AtomicInteger failures = new AtomicInteger();
        server.createContext("/sandbox/v1/execute", exchange -> {
            try {
                byte[] request;
                try (InputStream in = exchange.getRequestBody()) {
                    request = in.readAllBytes();
                }
                JsonNode body = json.readTree(request);
                CompletableFuture<ExecutionResult> result = pool.execute(ExecutionRequest.python(body.path("code").asText()));
                byte[] answer = json.writeValueAsBytes(result.get());
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, answer.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            } catch (Exception e) {
                failures.incrementAndGet();
                System.err.println("bench HTTP server: " + e);
                exchange.sendResponseHeaders(500, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
        return server;
    }
}
