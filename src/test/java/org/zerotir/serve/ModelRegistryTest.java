package org.zerotir.serve;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.zerotir.engine.checkpoint.HuggingFaceCheckpoint;
import org.zerotir.engine.generate.SamplingParams;
import org.zerotir.rollout.CodeRunner;
import org.zerotir.runs.EngineBackends;
import org.zerotir.runs.EngineConfig;
import org.zerotir.tokenizer.PromptTemplate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model LRU is bounded in bytes: with room for two bigram models (ModelFootprint), a third evicts the least
 * recently used one, never one with a request in flight, and is refused when only busy models stand in its way.
 * A request is held in flight deterministically by a listener that blocks the engine's loop until released.
 */
class ModelRegistryTest {
    private static final int SLOTS = 4, CONTEXT = 256;
    private static Path root, model;
    private static long footprint;

    @BeforeAll
    static void buildModel() throws Exception {
        root = Files.createTempDirectory("zerotir-registry-test");
        model = TestModels.bigramModel(root.resolve("bigram"), PromptTemplate.load("zerotir").render("x"));
        footprint = ModelFootprint.bytes(HuggingFaceCheckpoint.readConfig(model), SLOTS, CONTEXT);
    }

    @AfterAll
    static void removeModel() throws Exception {
        try (var files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void theFootprintCountsParametersKvCacheAndLogits() {
        // vocab 151936 x hidden 64, untied embedding and head; one layer of 2 heads over 1 KV head of 32
        long parameters = 2L * 151936 * 64 + (64 * 64 + 2 * 64 * 32 + 64 * 64) + 3 * 64 * 64 + 2 * 64 + 64;
        long kv = 2L * 1 * SLOTS * CONTEXT * 32;
        long logits = (long) SLOTS * 151936;
        assertEquals(4 * (parameters + kv + logits), footprint);
    }

    @Test
    void aThirdModelEvictsTheLeastRecentlyUsedIdleOne() throws Exception {
        ModelRegistry registry = registry(footprint * 5 / 2);
        try {
            load(registry, "a");
            load(registry, "b");
            load(registry, "a");                                  // a is now the most recently used
            assertEquals(List.of("b", "a"), registry.loadedIds());
            InferenceEngine b = load(registry, "b").engine();
            load(registry, "a");
            load(registry, "c");                                  // over the bound: b, the least recently used, goes
            assertEquals(List.of("a", "c"), registry.loadedIds());
            assertEquals(2 * footprint, registry.residentBytes());
            assertThrows(IllegalStateException.class, () -> b.submit(sequence(), new Quiet()), "b was unloaded");
        } finally {
            registry.shutdown(null);
        }
    }

    @Test
    void aModelWithARequestInFlightIsNeverEvicted() throws Exception {
        ModelRegistry registry = registry(footprint * 5 / 2);
        CountDownLatch release = new CountDownLatch(1);
        try {
            InferenceEngine a = load(registry, "a").engine();
            load(registry, "b");
            Held held = new Held(release);
            InferenceEngine.Handle request = a.submit(sequence(), held);
            assertTrue(held.started.await(30, TimeUnit.SECONDS), "the request started");
            assertEquals(1, a.inFlight());
            load(registry, "c");                                  // a is least recently used but busy: b goes
            assertEquals(List.of("a", "c"), registry.loadedIds());

            InferenceEngine c = load(registry, "c").engine();
            Held second = new Held(release);
            InferenceEngine.Handle other = c.submit(sequence(), second);
            assertTrue(second.started.await(30, TimeUnit.SECONDS));
            // both loaded models are busy: the bound holds and the request is refused, nothing is unloaded
            OpenAiException refused = assertThrows(OpenAiException.class, () -> load(registry, "b"));
            assertEquals(503, refused.status());
            assertEquals(List.of("a", "c"), registry.loadedIds());

            release.countDown();
            request.cancel();
            other.cancel();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while ((a.inFlight() > 0 || c.inFlight() > 0) && System.nanoTime() < deadline) Thread.sleep(5);
            load(registry, "b");                                  // now a, the least recently used, is idle and goes
            assertEquals(List.of("c", "b"), registry.loadedIds());
        } finally {
            release.countDown();
            registry.shutdown(null);
        }
    }

    @Test
    void aModelLargerThanTheWholeBoundLoadsAlone() {
        ModelRegistry registry = registry(footprint / 2);
        try {
            load(registry, "a");
            assertEquals(List.of("a"), registry.loadedIds());
            load(registry, "b");                                  // a is idle: it makes way
            assertEquals(List.of("b"), registry.loadedIds());
        } finally {
            registry.shutdown(null);
        }
    }

    private static ModelRegistry.Loaded load(ModelRegistry registry, String id) {
        return registry.load(registry.find(id));
    }

    /** " ping" is followed by " pong" and back for ever: a request that lasts until cancelled. */
    private static InferenceEngine.Sequence sequence() {
        int[] prompt = {TestModels.single(tokenizer(), " ping")};
        return new InferenceEngine.Sequence(prompt, null, new SamplingParams(0, 1, 0, 1), CONTEXT - 8, List.of(), List.of(), false, 0);
    }

    private static org.zerotir.tokenizer.Tokenizer tokenizer() {
        try {
            return org.zerotir.tokenizer.Tokenizer.load(model);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static ModelRegistry registry(long cacheBytes) {
        return new ModelRegistry(config(cacheBytes), Optional.empty(), null, new EngineBackends(new EngineConfig() {
            @Override public String backend() { return "cpu"; }
            @Override public int device() { return 0; }
        }));
    }

    /** Blocks the engine's loop at the first token until released: the request stays in flight as long as the test needs. */
    private static final class Held extends Quiet {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release;

        Held(CountDownLatch release) {
            this.release = release;
        }

        @Override
        public void firstToken() {
            started.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static class Quiet implements InferenceEngine.Listener {
        @Override public void text(String delta) {}
        @Override public void executed(CodeRunner.Execution execution) {}
        @Override public void finished(String finishReason, int completionTokens, int toolOutputTokens) {}
        @Override public void failed(String message) {}
    }

    /** The same model directory under three names, small slots and context, the given byte bound. */
    private static ServeConfig config(long cacheBytes) {
        return new ServeConfig() {
            @Override public Map<String, String> models() { return Map.of("a", model.toString(), "b", model.toString(), "c", model.toString()); }
            @Override public Map<String, String> templates() { return Map.of(); }
            @Override public String template() { return "zerotir"; }
            @Override public OptionalLong modelCacheBytes() { return OptionalLong.of(cacheBytes); }
            @Override public int slots() { return SLOTS; }
            @Override public int maxWaiting() { return 8; }
            @Override public int contextLength() { return CONTEXT; }
            @Override public int maxTokens() { return CONTEXT; }
            @Override public int defaultMaxTokens() { return 16; }
            @Override public int maxPromptTokens() { return 64; }
            @Override public int maxRequestBytes() { return 65536; }
            @Override public int maxN() { return 1; }
            @Override public int callBudget() { return 0; }
            @Override public int maxCallBudget() { return 0; }
            @Override public int maxOutputTokens() { return 64; }
            @Override public OptionalInt threads() { return OptionalInt.of(1); }
        };
    }
}
