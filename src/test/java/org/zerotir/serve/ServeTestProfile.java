package org.zerotir.serve;

import io.quarkus.test.junit.QuarkusTestProfile;
import org.zerotir.tokenizer.PromptTemplate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The server as the /v1 tests see it: the bigram model under three names (to watch the LRU), a run directory
 * whose checkpoint is the same model, an API key, and small bounds.
 */
public class ServeTestProfile implements QuarkusTestProfile {
    static final String KEY = "test-key";
    static Path root;

    static synchronized Path root() {
        if (root != null) return root;
        try {
            root = Files.createTempDirectory("zerotir-serve-test");
            root.toFile().deleteOnExit();
            Path model = TestModels.bigramModel(root.resolve("bigram"), PromptTemplate.load("zerotir").render("x"));
            Path checkpoints = Files.createDirectories(root.resolve("runs/r1/checkpoints"));
            Files.createSymbolicLink(checkpoints.resolve("step-2"), model);
            Files.writeString(root.resolve("runs/r1/run.json"), "{\"template\": \"zerotir\"}");
            return root;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Path dir = root();
        String model = dir.resolve("bigram").toString();
        return Map.ofEntries(
                Map.entry("zerotir.api.keys", KEY + ",second-key"),
                Map.entry("zerotir.eval.data-directory", org.zerotir.SharedData.DIR.toString()),
                Map.entry("zerotir.serve.models.counter", model),
                Map.entry("zerotir.serve.models.counter-b", model),
                Map.entry("zerotir.serve.models.counter-c", model),
                // room for two of the three names of the bigram model (ModelFootprint: about 125 MB each with these slots and context)
                Map.entry("zerotir.serve.model-cache-bytes", String.valueOf(250L << 20)),
                Map.entry("zerotir.serve.slots", "40"),
                Map.entry("zerotir.serve.threads", "2"),
                Map.entry("zerotir.serve.max-request-bytes", "65536"),
                Map.entry("zerotir.serve.max-prompt-tokens", "512"),
                Map.entry("zerotir.serve.max-tokens", "4000"),
                Map.entry("zerotir.serve.context-length", "2048"),
                Map.entry("zerotir.runs.directory", dir.resolve("runs").toString()));
    }
}
