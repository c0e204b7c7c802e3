package org.zerotir.runs;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;

import org.jboss.logmanager.ExtFormatter;
import org.jboss.logmanager.ExtLogRecord;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One log record as one line of JSON: timestamp, level, loggerName, message, threadName, threadId, mdc and, for
 * a failure, exception {type, message, stackTrace}.
 *
 * <p>Written with Jackson rather than JBoss LogManager's own JsonFormatter: that one needs JSON-P, and in the
 * packaged server the log manager lives in the boot class loader, which cannot see the application's libraries.
 */
final class JsonLogFormatter extends ExtFormatter {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String format(ExtLogRecord record) {
        ObjectNode line = JSON.createObjectNode();
        line.put("timestamp", Instant.ofEpochMilli(record.getMillis()).toString());
        line.put("level", record.getLevel().getName());
        line.put("loggerName", record.getLoggerName());
        line.put("message", formatMessage(record));
        line.put("threadName", record.getThreadName());
        line.put("threadId", record.getLongThreadID());
        if (!record.getMdcCopy().isEmpty()) line.set("mdc", JSON.valueToTree(record.getMdcCopy()));
        Throwable thrown = record.getThrown();
        if (thrown != null) {
            StringWriter trace = new StringWriter();
            thrown.printStackTrace(new PrintWriter(trace));
            line.putObject("exception").put("type", thrown.getClass().getName()).put("message", thrown.getMessage())
                    .put("stackTrace", trace.toString());
        }
        try {
            return JSON.writeValueAsString(line) + "\n";
        } catch (JsonProcessingException e) {
            // a record must never be lost to its own formatting
            return "{\"level\":\"" + record.getLevel().getName() + "\",\"message\":\"unformattable log record\"}\n";
        }
    }
}
