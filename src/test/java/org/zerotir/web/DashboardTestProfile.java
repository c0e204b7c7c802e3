package org.zerotir.web;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.zerotir.serve.TestModels;
import org.zerotir.tokenizer.PromptTemplate;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The server as the browser tests see it: the test API key, the tiny run environment of the run tests (real
 * training, fast), and for the playground the serve tests' counting model under the name "counter" plus a model
 * that writes a Python block (so a streamed execution can be watched).
 */
public class DashboardTestProfile implements QuarkusTestProfile {
    static final String KEY = "test-key";
    private static Path root;

    static synchronized Path root() {
        if (root != null) return root;
        try {
            root = Files.createTempDirectory("zerotir-dashboard-test");
            String chatEnd = PromptTemplate.load("zerotir").render("x");
            TestModels.bigramModel(root.resolve("counter"), chatEnd);
            CoderModel.build(root.resolve("coder"), chatEnd);
            return root;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Path dir = root();
        return Map.of(
                "zerotir.api.keys", KEY,
                "zerotir.serve.models.counter", dir.resolve("counter").toString(),
                "zerotir.serve.models.coder", dir.resolve("coder").toString(),
                "zerotir.serve.threads", "2",
                // RestAssured's read timeout while the test seeds its run: a busy machine can take longer than 30 s
                "quarkus.http.test-timeout", "180s",
                "zerotir.runs.directory", dir.resolve("runs").toString());
    }
}
