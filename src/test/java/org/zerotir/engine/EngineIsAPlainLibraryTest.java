package org.zerotir.engine;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DESIGN.md §1: the engine imports nothing of ours and nothing of Quarkus, so that target/classes plus a few
 * jars run it on the GPU machine, which has no server. Checked on the sources, so a violation names its line.
 */
class EngineIsAPlainLibraryTest {
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(static\\s+)?([\\w.]+)", Pattern.MULTILINE);
    /** What the engine may use besides the JDK: Jackson for JSON, JavaCPP to load OpenBLAS (and, later, CUDA). */
    private static final List<String> ALLOWED = List.of("java.", "javax.annotation.", "jdk.incubator.vector.",
            "com.fasterxml.jackson.", "org.bytedeco.", "jcuda.", "org.zerotir.engine.");

    @Test
    void engineSourcesImportOnlyTheJdkJacksonAndNativeBindings() throws IOException {
        Path root = Path.of("src/main/java/org/zerotir/engine");
        List<String> violations = new ArrayList<>();
        int files = 0;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(p -> p.toString().endsWith(".java")).toList()) {
                files++;
                String source = Files.readString(file);
                Matcher m = IMPORT.matcher(source);
                while (m.find()) {
                    String imported = m.group(2);
                    if (ALLOWED.stream().noneMatch(imported::startsWith)) violations.add(file + ": " + imported);
                }
                if (source.contains("io.quarkus") || source.contains("jakarta.")) violations.add(file + ": mentions Quarkus/Jakarta");
            }
        }
        assertTrue(files > 10, "found only " + files + " engine sources under " + root);
        assertEquals(List.of(), violations);
    }
}
