package org.zerotir.engine;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.zerotir.engine.cpu.CpuBackend;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.zerotir.engine.NumericChecks.assertClose;
import static org.zerotir.engine.ReferenceOps.widen;

/**
 * Generation through a KV cache must see exactly what training sees: the logits {@link Transformer#decode}
 * produces for a token equal the training forward's logits at that position, however the tokens were fed
 * (whole prompt, one by one, chunks) and whatever other slots share the call.
 */
class KvCacheParityTest {
    /** Both sides are float32 with the same operations, summed in different orders by BLAS. */
    private static final double ABSOLUTE = 1e-5, RELATIVE = 1e-5;
    private static final int CACHE_LENGTH = 24;

    private static CpuBackend backend;
    private Transformer model;
    private int vocab;
    private int[] sequenceA, sequenceB, sequenceC;

    @BeforeAll
    static void startBackend() {
        backend = new CpuBackend(3);
    }

    @AfterAll
    static void closeBackend() {
        backend.close();
    }

    @BeforeEach
    void buildModel() {
        ModelConfig config = new ModelConfig(23, 32, 40, 2, 4, 2, 32, 10000.0, 1e-6, true, false);
        model = new Transformer(backend, config);
        TransformerGradientTest.setRandomParameters(model, 21);
        vocab = config.vocabSize();
        SplittableRandom random = new SplittableRandom(22);
        sequenceA = NumericChecks.tokens(random, 11, vocab);
        sequenceB = NumericChecks.tokens(random, 6, vocab);
        sequenceC = NumericChecks.tokens(random, 5, vocab);
    }

    @AfterEach
    void closeModel() {
        model.close();
    }

    @Test
    void wholePromptInOneCall() {
        KvCache cache = new KvCache(backend, model.config(), 1, CACHE_LENGTH);
        int n = sequenceA.length;
        float[] logits = decode(cache, sequenceA, new int[n], positions(0, n));
        assertRowsMatch("prefill of the whole prompt", logits, trainingLogits(sequenceA), 0, n);
    }

    @Test
    void tokenByToken() {
        KvCache cache = new KvCache(backend, model.config(), 1, CACHE_LENGTH);
        float[] expected = trainingLogits(sequenceA);
        for (int p = 0; p < sequenceA.length; p++) {
            float[] logits = decode(cache, new int[] {sequenceA[p]}, new int[] {0}, new int[] {p});
            assertRowsMatch("decode of token " + p, logits, expected, p, 1);
        }
    }

    @Test
    void prefillChunkThenTokenByTokenOnlyLastLogits() {
        KvCache cache = new KvCache(backend, model.config(), 1, CACHE_LENGTH);
        float[] expected = trainingLogits(sequenceA);
        int prompt = 6;
        float[] last = new float[vocab];
        model.decode(cache, Arrays.copyOf(sequenceA, prompt), new int[prompt], positions(0, prompt), prompt,
                new int[] {prompt - 1}, last);
        assertRowsMatch("last row of a prefill chunk", last, expected, prompt - 1, 1);
        for (int p = prompt; p < sequenceA.length; p++) {
            float[] logits = decode(cache, new int[] {sequenceA[p]}, new int[] {0}, new int[] {p});
            assertRowsMatch("decode of token " + p + " after the chunk", logits, expected, p, 1);
        }
    }

    @Test
    void twoSlotsOfDifferentLengths() {
        KvCache cache = new KvCache(backend, model.config(), 2, CACHE_LENGTH);
        float[] expectedA = trainingLogits(sequenceA), expectedB = trainingLogits(sequenceB);
        // Two prefill chunks in one call.
        float[] logits = decode(cache, new int[] {sequenceA[0], sequenceA[1], sequenceA[2], sequenceB[0], sequenceB[1]},
                new int[] {0, 0, 0, 1, 1}, new int[] {0, 1, 2, 0, 1});
        assertRowsMatch("slot 0 chunk", logits, expectedA, 0, 3);
        assertRowsMatch("slot 1 chunk", Arrays.copyOfRange(logits, 3 * vocab, 5 * vocab), expectedB, 0, 2);
        // Then one token per slot per call, the shorter one first, until slot 1 runs out.
        for (int p = 2; p < sequenceB.length; p++) {
            logits = decode(cache, new int[] {sequenceB[p], sequenceA[p + 1]}, new int[] {1, 0}, new int[] {p, p + 1});
            assertRowsMatch("slot 1 token " + p, logits, expectedB, p, 1);
            assertRowsMatch("slot 0 token " + (p + 1), Arrays.copyOfRange(logits, vocab, 2 * vocab), expectedA, p + 1, 1);
        }
        for (int p = sequenceB.length + 1; p < sequenceA.length; p++) {
            logits = decode(cache, new int[] {sequenceA[p]}, new int[] {0}, new int[] {p});
            assertRowsMatch("slot 0 alone, token " + p, logits, expectedA, p, 1);
        }
    }

    @Test
    void prefillChunkBesideDecodeTokenInOneCall() {
        KvCache cache = new KvCache(backend, model.config(), 2, CACHE_LENGTH);
        float[] expectedA = trainingLogits(sequenceA), expectedB = trainingLogits(sequenceB);
        decode(cache, Arrays.copyOf(sequenceB, 4), new int[4], positions(0, 4));
        // Slot 1 is new and prefills seven tokens; slot 0 decodes its fifth, in the middle of the chunk.
        int[] tokens = {sequenceA[0], sequenceA[1], sequenceB[4], sequenceA[2], sequenceA[3], sequenceA[4], sequenceA[5], sequenceA[6]};
        int[] slots = {1, 1, 0, 1, 1, 1, 1, 1};
        int[] positions = {0, 1, 4, 2, 3, 4, 5, 6};
        float[] logits = decode(cache, tokens, slots, positions);
        for (int row = 0; row < tokens.length; row++) {
            float[] rowLogits = Arrays.copyOfRange(logits, row * vocab, (row + 1) * vocab);
            if (slots[row] == 1) assertRowsMatch("chunk row " + row, rowLogits, expectedA, positions[row], 1);
            else assertRowsMatch("decode row " + row, rowLogits, expectedB, positions[row], 1);
        }
        logits = decode(cache, new int[] {sequenceA[7], sequenceB[5]}, new int[] {1, 0}, new int[] {7, 5});
        assertRowsMatch("slot 1 after its chunk", logits, expectedA, 7, 1);
        assertRowsMatch("slot 0 after the mixed call", Arrays.copyOfRange(logits, vocab, 2 * vocab), expectedB, 5, 1);
    }

    /** A slot restarted at position 0 holds stale keys further on: they must not be attended to. */
    @Test
    void reusedSlotIgnoresWhatItHeldBefore() {
        KvCache cache = new KvCache(backend, model.config(), 1, CACHE_LENGTH);
        decode(cache, sequenceA, new int[sequenceA.length], positions(0, sequenceA.length));
        float[] expected = trainingLogits(sequenceC);
        float[] logits = decode(cache, Arrays.copyOf(sequenceC, 3), new int[3], positions(0, 3));
        assertRowsMatch("restarted slot, chunk", logits, expected, 0, 3);
        for (int p = 3; p < sequenceC.length; p++) {
            logits = decode(cache, new int[] {sequenceC[p]}, new int[] {0}, new int[] {p});
            assertRowsMatch("restarted slot, token " + p, logits, expected, p, 1);
        }
    }

    /** Training a batch of two sequences gives each the logits it gets alone, so batch rows do not mix. */
    @Test
    void trainingBatchRowsAreIndependent() {
        int time = sequenceB.length;
        int[] both = new int[2 * time];
        System.arraycopy(sequenceA, 0, both, 0, time);
        System.arraycopy(sequenceB, 0, both, time, time);
        model.forward(both, new int[2 * time], 2, time);
        float[] batched = model.logits();
        assertRowsMatch("batch row 0", batched, trainingLogits(Arrays.copyOf(sequenceA, time)), 0, time);
        assertRowsMatch("batch row 1", Arrays.copyOfRange(batched, time * vocab, 2 * time * vocab),
                trainingLogits(sequenceB), 0, time);
    }

    private float[] trainingLogits(int[] sequence) {
        model.forward(sequence, new int[sequence.length], 1, sequence.length);
        return model.logits();
    }

    /** Logits of every row of one decode call, (n, V). */
    private float[] decode(KvCache cache, int[] tokens, int[] slots, int[] positions) {
        int n = tokens.length;
        float[] logits = new float[n * vocab];
        model.decode(cache, tokens, slots, positions, n, positions(0, n), logits);
        return logits;
    }

    /** actual's first rows (rows, V) against expected's rows from..from+rows. */
    private void assertRowsMatch(String what, float[] actual, float[] expected, int from, int rows) {
        assertClose(what, Arrays.copyOf(actual, rows * vocab),
                widen(Arrays.copyOfRange(expected, from * vocab, (from + rows) * vocab)), ABSOLUTE, RELATIVE);
    }

    private static int[] positions(int from, int count) {
        int[] out = new int[count];
        for (int i = 0; i < count; i++) out[i] = from + i;
        return out;
    }
}
