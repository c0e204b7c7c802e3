package org.zerotir.reward;

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

/** DESIGN.md §1: reward is plain Java beside the engine; rl and eval call it, it calls none of ours. */
class RewardIsAPlainLibraryTest {
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(static\\s+)?([\\w.]+)", Pattern.MULTILINE);

    @Test
    void rewardSourcesImportOnlyTheJdkJacksonTheSandboxClientAndThemselves() throws IOException {
        Path root = Path.of("src/main/java/org/zerotir/reward");
        List<String> violations = new ArrayList<>();
        int files = 0;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(p -> p.toString().endsWith(".java")).toList()) {
                files++;
                String source = Files.readString(file);
                Matcher m = IMPORT.matcher(source);
                while (m.find()) {
                    String imported = m.group(2);
                    // DESIGN §1: reward may call the sandbox client, for its sympy fallback; Jackson is the one JSON library
                    boolean allowed = imported.startsWith("java.") || imported.startsWith("org.zerotir.reward.")
                            || imported.startsWith("org.zerotir.sandbox.") || imported.startsWith("com.fasterxml.jackson.");
                    if (!allowed) violations.add(file + ": " + imported);
                }
                if (source.contains("io.quarkus") || source.contains("jakarta.")) violations.add(file + ": mentions Quarkus/Jakarta");
            }
        }
        assertTrue(files >= 8, "found only " + files + " reward sources under " + root);
        assertEquals(List.of(), violations);
    }
}
