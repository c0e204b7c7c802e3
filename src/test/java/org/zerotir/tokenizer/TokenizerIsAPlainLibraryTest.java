package org.zerotir.tokenizer;

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

/** DESIGN.md §1: the tokenizer stands beside the engine: the JDK and Jackson only, nothing of Quarkus or of ours. */
class TokenizerIsAPlainLibraryTest {
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(static\\s+)?([\\w.]+)", Pattern.MULTILINE);
    private static final List<String> ALLOWED = List.of("java.", "com.fasterxml.jackson.", "org.zerotir.tokenizer.");

    @Test
    void tokenizerSourcesImportOnlyTheJdkAndJackson() throws IOException {
        Path root = Path.of("src/main/java/org/zerotir/tokenizer");
        List<String> violations = new ArrayList<>();
        int files = 0;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(p -> p.toString().endsWith(".java")).toList()) {
                files++;
                String source = Files.readString(file);
                Matcher m = IMPORT.matcher(source);
                while (m.find()) if (ALLOWED.stream().noneMatch(m.group(2)::startsWith)) violations.add(file + ": " + m.group(2));
                if (source.contains("io.quarkus") || source.contains("jakarta.") || source.contains("org.zerotir.") && source.replace("org.zerotir.tokenizer", "").contains("org.zerotir."))
                    violations.add(file + ": mentions Quarkus, Jakarta or another Zerotir package");
            }
        }
        assertTrue(files >= 10, "found only " + files + " tokenizer sources under " + root);
        assertEquals(List.of(), violations);
    }
}
