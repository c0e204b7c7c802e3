package org.zerotir.engine.cuda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The kernel sources as the tests see them: files, C signatures, and nvcc where the machine has one. */
final class KernelSources {
    private KernelSources() {}

    static final Path DIRECTORY = Path.of("native-kernels");

    static List<String> modules() {
        try (Stream<Path> files = Files.list(DIRECTORY)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cu"))
                    .map(n -> n.substring(0, n.length() - 3)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(String file) {
        try {
            return Files.readString(DIRECTORY.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final Pattern KERNEL = Pattern.compile("extern\\s+\"C\"\\s+__global__\\s+void\\s+(\\w+)\\s*\\(([^)]*)\\)");

    /**
     * Each kernel of a module with its parameters as the ABI sees them: "u64" for pointers and long long, "u32"
     * for int, "f32" for float (the names PTX gives them).
     */
    static Map<String, List<String>> signatures(String module) {
        Map<String, List<String>> kernels = new LinkedHashMap<>();
        Matcher m = KERNEL.matcher(read(module + ".cu"));
        while (m.find()) {
            List<String> kinds = new ArrayList<>();
            for (String parameter : m.group(2).split(",")) {
                String p = parameter.trim().replaceAll("\\s+", " ");
                if (p.isEmpty()) continue;
                if (p.contains("*") || p.startsWith("long long")) kinds.add("u64");
                else if (p.startsWith("int ") || p.startsWith("const int ")) kinds.add("u32");
                else if (p.startsWith("float ") || p.startsWith("const float ")) kinds.add("f32");
                else throw new IllegalStateException("parameter type not handled by the test: '" + p + "' of " + m.group(1));
            }
            kernels.put(m.group(1), kinds);
        }
        return kernels;
    }

    /** nvcc on PATH or where the toolkit installs it, or null. */
    static Path nvcc() {
        List<Path> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty()) candidates.add(Path.of(dir, "nvcc"));
        }
        candidates.add(Path.of("/usr/local/cuda/bin/nvcc"));
        for (Path candidate : candidates) if (Files.isExecutable(candidate)) return candidate;
        return null;
    }

    /** ptxas beside nvcc (the toolkit's bin), or on PATH. */
    static Path ptxas(Path nvcc) {
        Path beside = nvcc.resolveSibling("ptxas");
        if (Files.isExecutable(beside)) return beside;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, "ptxas");
            if (!dir.isEmpty() && Files.isExecutable(p)) return p;
        }
        return null;
    }

    record Run(int exitCode, String output) {}

    static Run run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            return new Run(process.waitFor(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(");

    static List<String> ptxEntries(String ptx) {
        List<String> entries = new ArrayList<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) entries.add(m.group(1));
        return entries;
    }
}
