package org.zerotir.engine.generate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.zerotir.engine.KvCache;
import org.zerotir.engine.ModelConfig;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.cpu.CpuBackend;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratorTest {
    private static CpuBackend backend;
    private static Transformer model;
    private static final ModelConfig CONFIG = new ModelConfig(41, 32, 48, 2, 4, 2, 128, 10000, 1e-6, true, false);

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
        model = new Transformer(backend, CONFIG);
        // Larger weights than the training initialisation, so greedy choices are not all the same token.
        model.initializeRandom(11);
        float[] p = backend.toHost(model.parameters());
        for (int i = 0; i < p.length; i++) p[i] *= 8;
        backend.copyFromHost(p, model.parameters());
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    /** Logits at every position of one sequence, from the training forward (no cache). */
    private static float[] fullForwardLogits(int[] tokens) {
        model.forward(tokens, new int[tokens.length], 1, tokens.length);
        return model.logits();
    }

    private static int argmax(float[] values, int offset, int length) {
        int best = 0;
        for (int j = 1; j < length; j++) if (values[offset + j] > values[offset + best]) best = j;
        return offset >= 0 ? best : -1;
    }

    @Test
    void greedyGenerationFollowsTheArgmaxOfFullForwardPasses() {
        Generator generator = new Generator(model, 3, 64);
        int[][] prompts = {{1, 2, 3, 4, 5}, {7}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 11, 12}};
        for (int s = 0; s < prompts.length; s++) {
            generator.start(s, prompts[s], SamplingParams.greedy(), StopRules.of(10));
        }
        while (generator.hasRunning()) generator.step();
        for (int s = 0; s < prompts.length; s++) {
            int[] tokens = generator.tokens(s);
            assertEquals(prompts[s].length + 10, tokens.length);
            assertEquals(StopReason.MAX_TOKENS, generator.stopReason(s));
            float[] logits = fullForwardLogits(Arrays.copyOf(tokens, tokens.length - 1));
            for (int t = prompts[s].length; t < tokens.length; t++) {
                assertEquals(argmax(logits, (t - 1) * CONFIG.vocabSize(), CONFIG.vocabSize()), tokens[t],
                        "slot " + s + " token " + t);
            }
        }
    }

    @Test
    void appendingToAPausedSlotMatchesDecodingTheWholeTextAtOnce() {
        int[] prompt = {3, 1, 4, 1, 5};
        int[] toolOutput = {9, 2, 6, 5, 3};
        // Reference: the whole text as one prompt.
        Generator reference = new Generator(model, 1, 64);
        // Under test: generate, pause, append tool output, resume.
        Generator paused = new Generator(model, 2, 64);
        paused.start(1, new int[] {20, 21, 22}, SamplingParams.of(1.0, 5), StopRules.of(30)); // a busy neighbour
        // Stop after three sampled tokens, as a rollout stops at a closed code block.
        paused.start(0, prompt, SamplingParams.greedy(), StopRules.of(100).withCondition((tokens, start, end) -> end - start == 3));
        while (paused.isRunning(0)) paused.step();
        assertEquals(StopReason.CONDITION, paused.stopReason(0));
        paused.append(0, toolOutput);
        int[] before = paused.tokens(0);
        reference.start(0, before, SamplingParams.greedy(), StopRules.of(6));
        paused.resume(0);
        List<Generator.Sampled> resumed = new ArrayList<>(), direct = new ArrayList<>();
        int taken = 0;
        for (int guard = 0; taken < 6 && guard < 50; guard++) {
            for (Generator.Sampled s : paused.step()) {
                if (s.slot() == 0) {
                    resumed.add(s);
                    taken++;
                    if (taken == 6) paused.pause(0);
                }
            }
        }
        while (reference.hasRunning()) direct.addAll(reference.step());
        assertEquals(6, direct.size());
        assertEquals(6, resumed.size());
        for (int i = 0; i < 6; i++) {
            assertEquals(direct.get(i).token(), resumed.get(i).token(), "token " + i);
            assertEquals(direct.get(i).logProb(), resumed.get(i).logProb(), 1e-5, "log-prob " + i);
        }
    }

    @Test
    void cachedDecodeInChunksGivesTheSameLogitsAsOneCall() {
        int[] text = {1, 5, 9, 13, 17, 21, 25, 29, 33, 37, 2};
        int v = CONFIG.vocabSize();
        KvCache oneShot = new KvCache(backend, CONFIG, 1, 32), chunked = new KvCache(backend, CONFIG, 1, 32);
        int[] positions = new int[text.length], slots = new int[text.length];
        for (int i = 0; i < text.length; i++) positions[i] = i;
        float[] expected = new float[v], actual = new float[v];
        model.decode(oneShot, text, slots, positions, text.length, new int[] {text.length - 1}, expected);
        model.decode(chunked, Arrays.copyOf(text, 6), slots, positions, 6, new int[] {5}, actual);
        model.decode(chunked, Arrays.copyOfRange(text, 6, text.length), slots, Arrays.copyOfRange(positions, 6, text.length),
                text.length - 6, new int[] {text.length - 7}, actual);
        assertArrayEquals(expected, actual, 1e-5f);
    }

    @Test
    void seededSamplingIsReproducibleAndIndependentOfTheBatch() {
        int[] prompt = {4, 4, 4};
        SamplingParams params = new SamplingParams(1.0, 0.9, 20, 1234);
        Generator alone = new Generator(model, 1, 64);
        alone.start(0, prompt, params, StopRules.of(15));
        while (alone.hasRunning()) alone.step();
        Generator crowded = new Generator(model, 4, 64);
        for (int s = 1; s < 4; s++) crowded.start(s, new int[] {s, s + 1}, SamplingParams.of(1.0, s), StopRules.of(40));
        crowded.start(0, prompt, params, StopRules.of(15));
        while (crowded.isRunning(0)) crowded.step();
        assertArrayEquals(alone.tokens(0), crowded.tokens(0));
        Generator otherSeed = new Generator(model, 1, 64);
        otherSeed.start(0, prompt, new SamplingParams(1.0, 0.9, 20, 99), StopRules.of(15));
        while (otherSeed.hasRunning()) otherSeed.step();
        assertNotEquals(Arrays.toString(alone.tokens(0)), Arrays.toString(otherSeed.tokens(0)));
    }

    @Test
    void stopsOnStopTokenSequenceAndCondition() {
        Generator probe = new Generator(model, 1, 64);
        probe.start(0, new int[] {1, 2}, SamplingParams.greedy(), StopRules.of(8));
        while (probe.hasRunning()) probe.step();
        int[] greedy = Arrays.copyOfRange(probe.tokens(0), 2, 10);

        Generator g = new Generator(model, 3, 64);
        g.start(0, new int[] {1, 2}, SamplingParams.greedy(), new StopRules(Set.of(greedy[3]), List.of(), 8, null));
        g.start(1, new int[] {1, 2}, SamplingParams.greedy(), StopRules.of(8).withStopSequences(List.of(new int[] {greedy[4], greedy[5]})));
        g.start(2, new int[] {1, 2}, SamplingParams.greedy(), StopRules.of(8).withCondition((tokens, start, end) -> end - start == 2));
        while (g.hasRunning()) g.step();
        int firstStop = 0;
        while (greedy[firstStop] != greedy[3]) firstStop++;
        assertEquals(StopReason.STOP_TOKEN, g.stopReason(0));
        assertEquals(2 + firstStop + 1, g.tokens(0).length);
        assertEquals(StopReason.STOP_SEQUENCE, g.stopReason(1));
        assertTrue(g.tokens(1).length <= 2 + 6);
        assertEquals(StopReason.CONDITION, g.stopReason(2));
        assertEquals(4, g.tokens(2).length);
    }

    @Test
    void refusesBadInput() {
        Generator g = new Generator(model, 1, 16);
        assertThrows(IllegalArgumentException.class, () -> g.start(0, new int[] {CONFIG.vocabSize()}, SamplingParams.greedy(), StopRules.of(1)));
        assertThrows(IllegalArgumentException.class, () -> g.start(0, new int[16], SamplingParams.greedy(), StopRules.of(1)));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(-1, 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1, 0, 0, 0));
        g.start(0, new int[] {1}, SamplingParams.greedy(), StopRules.of(1));
        assertThrows(IllegalStateException.class, () -> g.append(0, new int[] {1}));
        assertThrows(IllegalStateException.class, () -> g.start(0, new int[] {1}, SamplingParams.greedy(), StopRules.of(1)));
    }
}
