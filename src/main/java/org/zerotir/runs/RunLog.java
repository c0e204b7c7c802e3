package org.zerotir.runs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

/** A run's own log, {@code run.log} in its directory: one line per step, evaluation, checkpoint and status change. */
final class RunLog {
    static final String FILE = "run.log";
    private static final Logger LOG = Logger.getLogger(RunLog.class);

    private RunLog() {}

    static void append(Path runDirectory, String line) {
        try {
            Files.createDirectories(runDirectory);
            Files.writeString(runDirectory.resolve(FILE), Instant.now() + " " + line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.warnf("Cannot append to %s: %s", runDirectory.resolve(FILE), e.getMessage());
        }
    }

    /** The last {@code lines} lines, reading only the end of the file. */
    static List<String> tail(Path runDirectory, int lines) throws IOException {
        Path file = runDirectory.resolve(FILE);
        if (!Files.isRegularFile(file) || lines <= 0) return List.of();
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            long chunk = 64 * 1024;
            long start = length;
            byte[] bytes = new byte[0];
            int newlines = 0;
            while (start > 0 && newlines <= lines) {
                long from = Math.max(0, start - chunk);
                byte[] part = new byte[(int) (start - from)];
                in.seek(from);
                in.readFully(part);
                for (byte b : part) if (b == '\n') newlines++;
                byte[] joined = new byte[part.length + bytes.length];
                System.arraycopy(part, 0, joined, 0, part.length);
                System.arraycopy(bytes, 0, joined, part.length, bytes.length);
                bytes = joined;
                start = from;
            }
            ArrayDeque<String> kept = new ArrayDeque<>();
            for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                if (line.isEmpty()) continue;
                kept.add(line);
                if (kept.size() > lines) kept.poll();
            }
            return new ArrayList<>(kept);
        }
    }
}
