package org.zerotir.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** Counts processes by uid through /proc, the way an operator would look for leaks. */
final class SandboxProcesses {
    private SandboxProcesses() {}

    /** Pids of live (non-zombie) processes whose real uid lies in [base, base + count). */
    static List<Long> withUidIn(int base, int count) {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) continue;
                try {
                    int uid = -1;
                    boolean zombie = false;
                    for (String line : Files.readAllLines(entry.resolve("status"))) {
                        if (line.startsWith("Uid:")) uid = Integer.parseInt(line.split("\\s+")[1]);
                        if (line.startsWith("State:") && line.contains("Z")) zombie = true;
                    }
                    if (!zombie && uid >= base && uid < base + count) pids.add(Long.parseLong(name));
                } catch (IOException | RuntimeException e) {
                    // the process ended while we looked
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return pids;
    }

    /** Live processes below the given ones (a worker's waiting child, or anything that escaped its execution). */
    static long descendantsOf(List<Long> pids) {
        long count = 0;
        for (long pid : pids) {
            count += ProcessHandle.of(pid).map(p -> p.descendants().filter(ProcessHandle::isAlive).count()).orElse(0L);
        }
        return count;
    }

    static boolean waitFor(BooleanSupplier condition, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) return false;
            Thread.sleep(20);
        }
        return true;
    }
}
