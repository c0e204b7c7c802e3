package org.zerotir.runs;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;
import org.zerotir.engine.Backend;
import org.zerotir.engine.BackendChoice;
import org.zerotir.engine.cpu.CpuBackend;
import org.zerotir.engine.cuda.Cuda;
import org.zerotir.engine.cuda.CudaUnavailableException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The server's choice without the server: what Main refuses before Quarkus starts, the one start line, and what
 * /q/health shows (HealthTest checks the same through HTTP).
 */
class EngineBackendsTest {

    private static String cudaUnavailable() {
        try (Backend cuda = Cuda.openBackend(0)) {
            return null;
        } catch (CudaUnavailableException e) {
            return e.getMessage();
        }
    }

    private static SmallRyeConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(properties, "test", 500)).build();
    }

    private static EngineConfig engineConfig(String backend, int device) {
        return new EngineConfig() {
            @Override public String backend() { return backend; }
            @Override public int device() { return device; }
        };
    }

    @Test
    void aWrongValueStopsTheServerNamingTheKey() {
        assertEquals(Optional.of("zerotir.engine.backend must be cpu, cuda or auto, got \"gpu\""),
                EngineBackends.refusal(config(Map.of("zerotir.engine.backend", "gpu"))));
        assertEquals(Optional.of("zerotir.engine.device must be a CUDA device ordinal 0, 1, ..., got \"first\""),
                EngineBackends.refusal(config(Map.of("zerotir.engine.device", "first"))));
        assertEquals(Optional.empty(), EngineBackends.refusal(config(Map.of())), "auto, the default, never refuses");
        assertEquals(Optional.empty(), EngineBackends.refusal(config(Map.of("zerotir.engine.backend", "cpu"))));
    }

    @Test
    void cudaWhereItCannotRunStopsTheServerWithOneLine() {
        String reason = cudaUnavailable();
        assumeTrue(reason != null, "CUDA opens here: nothing to refuse");
        Optional<String> refusal = EngineBackends.refusal(config(Map.of("zerotir.engine.backend", "cuda")));
        assertEquals(Optional.of("zerotir.engine.backend=cuda but CUDA cannot run here: " + reason
                + " (zerotir.engine.backend=auto runs on the CPU instead)"), refusal);
        assertTrue(refusal.get().lines().count() == 1, refusal.get());
    }

    @Test
    void autoFallsBackToTheCpuWithOneWarningAndShowsWhyInTheHealthCheck() {
        String reason = cudaUnavailable();
        assumeTrue(reason != null, "CUDA opens here: auto takes it (BackendChoiceTest checks that)");
        List<LogRecord> records = new ArrayList<>();
        Handler capture = new Handler() {
            @Override public void publish(LogRecord record) { records.add(record); }
            @Override public void flush() {}
            @Override public void close() {}
        };
        Logger logger = Logger.getLogger(EngineBackends.class.getName());
        logger.addHandler(capture);
        try {
            EngineBackends engine = new EngineBackends(engineConfig("auto", 0));
            engine.start(null);
            try (Backend backend = engine.open(2)) {
                assertEquals(2, assertInstanceOf(CpuBackend.class, backend).threads());
            }
            engine.resolved();
            assertEquals(1, records.size(), "one line at start, none per backend opened: " + records);
            LogRecord line = records.getFirst();
            assertEquals(Level.WARNING, line.getLevel());
            String message = line instanceof ExtLogRecord ext ? ext.getFormattedMessage() : line.getMessage();
            assertEquals("Engine: backend cpu (zerotir.engine.backend=auto; CUDA unavailable: " + reason
                    + "); set zerotir.engine.backend=cpu to say the CPU is meant", message);

            HealthCheckResponse health = new EngineHealth(engine).call();
            assertEquals("Engine", health.getName());
            assertEquals(HealthCheckResponse.Status.UP, health.getStatus());
            assertEquals(Map.of("backend", "cpu", "requested", "auto", "device", 0L, "fallback", reason), health.getData().orElseThrow());
        } finally {
            logger.removeHandler(capture);
        }
    }

    @Test
    void cpuIsLoggedAtInfoAndReportedWithoutDeviceOrFallback() {
        EngineBackends engine = new EngineBackends(engineConfig("cpu", 0));
        assertEquals(BackendChoice.Kind.CPU, engine.resolved().used());
        assertEquals(Map.of("backend", "cpu", "requested", "cpu"), new EngineHealth(engine).call().getData().orElseThrow());
    }
}
