package org.zerotir.runs;

import java.util.logging.Handler;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.handlers.ConsoleHandler;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Structured logs on request: with {@code zerotir.log.json=true} ({@code ZEROTIR_LOG_JSON=true}) the console
 * writes one JSON object per line (timestamp, level, loggerName, message, threadName, mdc, exception ...) for a
 * log collector, instead of the human-readable pattern.
 *
 * <p>Why not the {@code quarkus-logging-json} extension: it is not published for Quarkus 3.36.1 on the Maven
 * Central this project builds from. We install our {@link JsonLogFormatter} on the console handler at startup,
 * so the few lines Quarkus logs while booting, before this runs, keep the pattern.
 */
@ApplicationScoped
public class JsonLogs {

    private static final Logger LOG = Logger.getLogger(JsonLogs.class);

    @ConfigProperty(name = "zerotir.log.json", defaultValue = "false")
    boolean json;

    // before the other startup observers (RunService starts at 10), so that recovery is already logged as JSON
    void start(@Observes @Priority(1) StartupEvent startup) {
        if (!json) return;
        int switched = useJson(LogContext.getLogContext().getLogger("").getHandlers());
        if (switched == 0) LOG.warn("zerotir.log.json=true, but no console log handler was found to write JSON");
        else LOG.info("Console logs are JSON (zerotir.log.json=true)");
    }

    /** Gives every console handler under these (Quarkus nests them in delayed and async handlers) a JSON formatter. */
    static int useJson(Handler[] handlers) {
        int switched = 0;
        for (Handler handler : handlers) {
            if (handler instanceof ConsoleHandler console) {
                console.setFormatter(new JsonLogFormatter());
                switched++;
            }
            if (handler instanceof ExtHandler parent) switched += useJson(parent.getHandlers());
        }
        return switched;
    }
}
