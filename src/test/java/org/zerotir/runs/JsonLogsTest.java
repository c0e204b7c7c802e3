package org.zerotir.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;

import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.handlers.ConsoleHandler;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** zerotir.log.json=true turns the server's console log into one JSON object per line. */
@QuarkusTest
@TestProfile(JsonLogsTest.Json.class)
class JsonLogsTest {

    public static final class Json implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("zerotir.log.json", "true");
        }
    }

    /** The console handlers of the running server, wherever Quarkus nested them. */
    static List<ConsoleHandler> consoleHandlers() {
        List<ConsoleHandler> found = new ArrayList<>();
        collect(LogContext.getLogContext().getLogger("").getHandlers(), found);
        return found;
    }

    private static void collect(Handler[] handlers, List<ConsoleHandler> found) {
        for (Handler handler : handlers) {
            if (handler instanceof ConsoleHandler console) found.add(console);
            if (handler instanceof ExtHandler parent) collect(parent.getHandlers(), found);
        }
    }

    @Test
    void theConsoleWritesOneJsonObjectPerRecord() throws Exception {
        List<ConsoleHandler> consoles = consoleHandlers();
        assertFalse(consoles.isEmpty(), "the server logs to the console");
        for (ConsoleHandler console : consoles) {
            Formatter formatter = console.getFormatter();
            ExtLogRecord record = new ExtLogRecord(Level.WARNING, "run %s paused", ExtLogRecord.FormatStyle.PRINTF,
                    RunService.class.getName());
            record.setParameters(new Object[] {"r-1"});
            record.setLoggerName(RunService.class.getName());
            record.setThrown(new IllegalStateException("database gone"));
            String line = formatter.format(record);
            assertTrue(line.endsWith("\n") && line.strip().lines().count() == 1, "one line per record: " + line);
            JsonNode json = RunConfigDocuments.STRICT.readTree(line);
            assertEquals("run r-1 paused", json.get("message").asText());
            assertEquals("WARNING", json.get("level").asText());
            assertEquals(RunService.class.getName(), json.get("loggerName").asText());
            assertTrue(json.has("timestamp"), line);
            assertEquals("database gone", json.at("/exception/message").asText(), line);
            assertEquals(IllegalStateException.class.getName(), json.at("/exception/type").asText(), line);
        }
    }
}
