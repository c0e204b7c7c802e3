package org.zerotir.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A vocabulary learned from MATH500 problems, written as tokenizer.json, loaded by Hugging Face and by us. */
class BpeTrainerTest {
    private static final List<String> SPECIALS = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>");

    @Test
    void tiesGoToTheSmallerLeftThenRightIdAndCountsDecide() {
        // Words "ab", " ab", " cd" x2: pairs (a,b) 2, (Ġ,a) 1, (Ġ,c) 2, (c,d) 2. Ġ is byte 0x20, the smallest id.
        // Then (Ġc,d) 2 ties with (a,b) 2: a = 0x61 beats Ġc = 256.
        BpeTrainer.Trained trained = BpeTrainer.train(List.of("ab ab cd cd"), new BpeTrainer.Settings(259, 1, List.of()));
        assertEquals(List.of("Ġ c", "a b", "Ġc d"), trained.merges().stream().map(m -> m[0] + " " + m[1]).toList());
        assertEquals("Ġc", trained.tokens().get(256));
        // Only (Ġ,ab) is left, seen once: merged with minPairCount 1, not with 2; then no pairs remain.
        BpeTrainer.Trained all = BpeTrainer.train(List.of("ab ab cd cd"), new BpeTrainer.Settings(300, 1, List.of()));
        assertEquals(List.of("Ġ c", "a b", "Ġc d", "Ġ ab"), all.merges().stream().map(m -> m[0] + " " + m[1]).toList());
        assertEquals(260, all.vocabSize());
        assertEquals(3, BpeTrainer.train(List.of("ab ab cd cd"), new BpeTrainer.Settings(300, 2, List.of())).merges().size());
        assertThrows(IllegalArgumentException.class, () -> new BpeTrainer.Settings(257, 1, List.of("<a>", "<b>")));
        assertThrows(IllegalArgumentException.class, () -> new BpeTrainer.Settings(400, 1, List.of("<a>", "<a>")));
    }

    @Test
    void learnedVocabularyLoadsInHuggingFaceAndEncodesTheSame(@TempDir Path dir) throws IOException {
        List<String> texts = TokenizerParityTest.math500Texts();
        List<String> train = new ArrayList<>(texts.subList(0, 700));
        List<String> heldOut = new ArrayList<>(texts.subList(700, 1000));
        train.add("Some text<|endoftext|>More text<|im_start|>user");
        BpeTrainer.Settings settings = new BpeTrainer.Settings(2000, 2, SPECIALS);
        long start = System.nanoTime();
        BpeTrainer.Trained trained = BpeTrainer.train(train, settings);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(2000, trained.vocabSize());
        assertTrue(seconds < 30, "training took " + seconds + " s");
        assertTrue(trained.tokens().stream().noneMatch(t -> t.contains("<|endoftext|>")), "special tokens must not be learned as merges");
        BpeTrainer.write(trained, dir);

        Tokenizer ours = Tokenizer.load(dir);
        assertEquals(2000, ours.vocabSize());
        assertEquals(1997, ours.specialIds().eos());
        assertEquals(1997, ours.specialIds().pad());
        assertEquals(1997, ours.tokenToId("<|endoftext|>"));

        List<String> corpus = new ArrayList<>(heldOut);
        corpus.addAll(TokenizerParityTest.whitespaceRuns(300, 11));
        corpus.addAll(TokenizerParityTest.scriptsAndEmoji());
        corpus.addAll(TokenizerParityTest.randomUnicode(300, 12));
        corpus.add("<|im_start|>user\nWhat is $\\frac{1}{2}$?<|im_end|>\n<|endoftext|>");
        long bytes = 0, tokens = 0;
        try (HfOracle hf = HfOracle.load(dir.resolve("tokenizer.json"))) {
            int index = 0;
            for (String text : corpus) {
                int[] expected = hf.encode(text);
                int[] actual = ours.encode(text);
                if (!Arrays.equals(expected, actual))
                    fail("trained vocabulary, text #" + index + " " + TokenizerParityTest.escape(text) + "\n  HF   " + Arrays.toString(expected) + "\n  ours " + Arrays.toString(actual));
                assertEquals(hf.decode(expected, false), ours.decode(actual), "decode of #" + index);
                index++;
            }
            for (String text : heldOut) {
                bytes += text.getBytes(StandardCharsets.UTF_8).length;
                tokens += ours.encode(text).length;
            }
            assertArrayEquals(new int[] {1998}, hf.encode("<|im_start|>"));
        }
        // It learned something: held-out MATH text takes well under one token per byte.
        assertTrue(tokens < bytes * 0.45, tokens + " tokens for " + bytes + " bytes");
    }

    @Test
    void sameCorpusSameFiles(@TempDir Path dir) throws IOException {
        List<String> corpus = TokenizerParityTest.math500Texts().subList(0, 200);
        BpeTrainer.Settings settings = new BpeTrainer.Settings(600, 2, SPECIALS);
        BpeTrainer.write(BpeTrainer.train(corpus, settings), dir.resolve("a"));
        List<String> shuffled = new ArrayList<>(corpus);
        java.util.Collections.reverse(shuffled);
        BpeTrainer.write(BpeTrainer.train(shuffled, settings), dir.resolve("b"));
        assertEquals(Files.readString(dir.resolve("a/tokenizer.json")), Files.readString(dir.resolve("b/tokenizer.json")));
        assertEquals(Files.readString(dir.resolve("a/tokenizer_config.json")), Files.readString(dir.resolve("b/tokenizer_config.json")));
    }
}
