package org.zerotir.sandbox;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One Python fork server (src/main/resources/sandbox/worker.py) and the framed JSON pipe to it: a 4-byte
 * big-endian length, then the JSON. Used by one thread at a time, except {@link #kill()}.
 */
final class WorkerProcess {
    private static final Logger LOG = Logger.getLogger(WorkerProcess.class);
    private static final int MAX_FRAME_BYTES = 1 << 28;

    private final Process process;
    private final DataInputStream fromWorker;
    private final DataOutputStream toWorker;
    private final ObjectMapper json;
    private final String name;
    volatile JsonNode hello;

    private WorkerProcess(Process process, ObjectMapper json, String name) {
        this.process = process;
        this.json = json;
        this.name = name;
        this.fromWorker = new DataInputStream(process.getInputStream());
        this.toWorker = new DataOutputStream(process.getOutputStream());
        // A platform thread: a blocking pipe read would pin a virtual thread's carrier for the worker's lifetime,
        // and a few workers would starve every other virtual thread in the JVM.
        Thread.ofPlatform().daemon().name(name + "-stderr").start(this::logStderr);
    }

    /** Starts the interpreter and sends its configuration; {@link #awaitHello()} then waits for its imports. */
    static WorkerProcess start(SandboxSettings settings, Path script, ObjectMapper json, String name) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(settings.python(), "-I", script.toString());
        // The worker and every child inherit nothing of the server's environment (database URLs, API keys).
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("LANG", "C.UTF-8");
        env.put("OMP_NUM_THREADS", "1");
        env.put("OPENBLAS_NUM_THREADS", "1");
        env.put("MKL_NUM_THREADS", "1");
        builder.directory(script.getParent().toFile());
        WorkerProcess worker = new WorkerProcess(builder.start(), json, name);
        ObjectNode config = json.createObjectNode();
        config.put("type", "config");
        config.put("lockDir", settings.lockDir().toString());
        config.put("uidBase", settings.uidBase());
        config.put("uidCount", settings.uidCount());
        config.put("tmpfsBytes", settings.tmpfsBytes());
        config.put("sessionIdleMillis", settings.sessionIdleMillis());
        config.put("maxSessions", settings.maxSessionsPerWorker());
        config.put("namespaces", settings.namespaces());
        config.set("hiddenPaths", json.valueToTree(settings.hiddenPaths()));
        config.set("preload", json.valueToTree(settings.preload()));
        try {
            worker.send(config);
        } catch (IOException e) {
            worker.kill();
            throw e;
        }
        return worker;
    }

    /** Reads the hello and the first ready frame; throws with the worker's own reason when it cannot start. */
    void awaitHello() throws IOException {
        JsonNode first = receive();
        if (first.hasNonNull("error")) throw new IOException(first.get("error").asText());
        if (!"hello".equals(first.path("type").asText())) throw new IOException("expected hello, got " + first);
        hello = first;
        awaitReady();
    }

    void awaitReady() throws IOException {
        JsonNode ready = receive();
        if (!"ready".equals(ready.path("type").asText())) throw new IOException("expected ready, got " + ready);
    }

    JsonNode call(ObjectNode request) throws IOException {
        send(request);
        JsonNode result = receive();
        if (!"result".equals(result.path("type").asText())) throw new IOException("expected a result, got " + result);
        return result;
    }

    void send(ObjectNode message) throws IOException {
        byte[] body = json.writeValueAsBytes(message);
        synchronized (toWorker) {
            toWorker.writeInt(body.length);
            toWorker.write(body);
            toWorker.flush();
        }
    }

    private JsonNode receive() throws IOException {
        int length;
        try {
            length = fromWorker.readInt();
        } catch (EOFException e) {
            throw new IOException("worker " + name + " exited" + exitDescription());
        }
        if (length < 0 || length > MAX_FRAME_BYTES) throw new IOException("worker " + name + " sent a frame of " + length + " bytes");
        byte[] body = new byte[length];
        fromWorker.readFully(body);
        return json.readTree(body);
    }

    private String exitDescription() {
        try {
            if (process.waitFor(200, TimeUnit.MILLISECONDS)) return " with status " + process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "";
    }

    boolean alive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Asks the worker to end its children and exit; kills it when it does not within the time given. */
    void shutdown(long millis) {
        try {
            ObjectNode message = json.createObjectNode();
            message.put("type", "shutdown");
            send(message);
            toWorker.close();
            if (process.waitFor(millis, TimeUnit.MILLISECONDS)) {
                killDescendants();
                return;
            }
        } catch (IOException e) {
            // already gone: kill() below makes sure of it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kill();
    }

    /**
     * Kills the worker and every process below it. The children run in their own sessions and daemons are
     * re-parented to the worker (a subreaper), so all of them are still its descendants here.
     */
    void kill() {
        killDescendants();
        process.destroyForcibly();
        killDescendants();
    }

    private void killDescendants() {
        List<ProcessHandle> descendants = process.descendants().toList();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    private void logStderr() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) LOG.warnf("%s: %s", name, line);
        } catch (IOException e) {
            // the worker is gone
        }
    }
}
