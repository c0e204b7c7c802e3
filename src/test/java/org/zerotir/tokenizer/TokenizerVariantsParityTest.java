package org.zerotir.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The options Qwen2.5's file does not exercise, each against the oracle on a small learned vocabulary:
 * added-token flags (lstrip, rstrip, single_word, normalized), ignore_merges, GPT-2's ByteLevel regex with
 * add_prefix_space, every Split behaviour and invert, other normalization forms.
 */
class TokenizerVariantsParityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ObjectNode base;
    private static List<String> corpus;

    @BeforeAll
    static void train() throws IOException {
        List<String> math = TokenizerParityTest.math500Texts();
        BpeTrainer.Trained trained = BpeTrainer.train(math.subList(0, 300), new BpeTrainer.Settings(1200, 2, List.of("<|endoftext|>")));
        Path dir = Files.createTempDirectory("zerotir-variants");
        BpeTrainer.write(trained, dir);
        base = (ObjectNode) JSON.readTree(dir.resolve("tokenizer.json").toFile());
        corpus = new ArrayList<>(math.subList(300, 400));
        corpus.addAll(TokenizerParityTest.whitespaceRuns(300, 21));
        corpus.addAll(TokenizerParityTest.scriptsAndEmoji());
        corpus.addAll(TokenizerParityTest.randomUnicode(300, 22));
        corpus.addAll(addedTokenTexts(1500, 23));
    }

    /** Text around the added tokens of {@link #withFlaggedTokens}: spaces of several kinds, word characters, other tokens. */
    private static List<String> addedTokenTexts(int count, long seed) {
        String[] tokens = {"<mask>", "[SEP]", "yesterday", "Yesterday", "Ångström", "A\u030Angstro\u0308m", "<tool>", "ab", "<|endoftext|>", "ﬁne"};
        String[] fillers = {"", " ", "  ", "\t", "\n", "\u2000", "\u00A0", "x", "_", "1", "é", "e\u0301", ".", "-", "a", "b", "中", "\u0301"};
        Random random = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder s = new StringBuilder();
            int parts = 1 + random.nextInt(6);
            for (int p = 0; p < parts; p++) {
                s.append(fillers[random.nextInt(fillers.length)]).append(fillers[random.nextInt(fillers.length)]);
                if (random.nextInt(3) > 0) s.append(tokens[random.nextInt(tokens.length)]);
            }
            out.add(s.toString());
        }
        return out;
    }

    private static ObjectNode added(int id, String content, boolean singleWord, boolean lstrip, boolean rstrip, boolean normalized, boolean special) {
        return JSON.createObjectNode().put("id", id).put("content", content).put("single_word", singleWord).put("lstrip", lstrip)
                .put("rstrip", rstrip).put("normalized", normalized).put("special", special);
    }

    @Test
    void addedTokenFlags(@TempDir Path dir) throws IOException {
        assertVariantMatches(dir, "added-token flags", root -> {
            ArrayNode tokens = (ArrayNode) root.get("added_tokens");
            int next = 1200;
            tokens.add(added(next++, "<mask>", false, true, true, false, true));
            tokens.add(added(next++, "[SEP]", true, false, false, false, true));
            tokens.add(added(next++, "yesterday", false, false, false, true, false));
            tokens.add(added(next++, "Ångström", false, false, false, true, false));
            tokens.add(added(next++, "<tool>", false, false, true, false, false));
            tokens.add(added(next++, "ab", true, true, false, false, false));
            tokens.add(added(next, "ﬁne", false, true, false, true, false));
        });
    }

    @Test
    void ignoreMerges(@TempDir Path dir) throws IOException {
        assertVariantMatches(dir, "ignore_merges", root -> ((ObjectNode) root.get("model")).put("ignore_merges", true));
    }

    @Test
    void gpt2ByteLevelRegexWithPrefixSpace(@TempDir Path dir) throws IOException {
        assertVariantMatches(dir, "ByteLevel use_regex + add_prefix_space", root -> root.set("pre_tokenizer",
                JSON.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true).put("use_regex", true)));
        assertVariantMatches(dir, "ByteLevel use_regex, no normalizer", root -> {
            root.set("pre_tokenizer", JSON.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", true));
            root.putNull("normalizer");
        });
    }

    @Test
    void everySplitBehaviourAndInvert(@TempDir Path dir) throws IOException {
        for (String behavior : List.of("Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous")) {
            for (boolean invert : new boolean[] {false, true}) {
                for (ObjectNode pattern : List.of(JSON.createObjectNode().put("String", " "), JSON.createObjectNode().put("Regex", "\\d|\\s+"))) {
                    assertVariantMatches(dir, "Split " + behavior + " invert=" + invert + " " + pattern, root -> {
                        ObjectNode split = JSON.createObjectNode().put("type", "Split");
                        split.set("pattern", pattern);
                        split.put("behavior", behavior).put("invert", invert);
                        ArrayNode steps = (ArrayNode) root.get("pre_tokenizer").get("pretokenizers");
                        steps.insert(0, split);
                    });
                }
            }
        }
    }

    /**
     * A vocabulary without the byte 0xE4 (the first byte of most CJK characters; its character is 'ä'):
     * byte fallback to "<0xC3>" "<0xA4>" (the character's own UTF-8, as HF looks it up), the unknown token,
     * fused or not, or nothing.
     */
    @Test
    void missingByteWithByteFallbackAndUnknownToken(@TempDir Path dir) throws IOException {
        org.junit.jupiter.api.Assertions.assertTrue(corpus.stream().filter(t -> t.contains("中")).count() > 1, "the corpus must hold the byte E4");
        for (boolean fallback : new boolean[] {false, true}) {
            for (boolean unknown : new boolean[] {false, true}) {
                for (boolean fuse : new boolean[] {false, true}) {
                    if (fuse && !unknown) continue;
                    assertVariantMatches(dir, "no byte E4, byte_fallback=" + fallback + " unk=" + unknown + " fuse_unk=" + fuse, root -> {
                        ObjectNode model = (ObjectNode) root.get("model");
                        ObjectNode vocab = JSON.createObjectNode();
                        List<String> kept = new ArrayList<>();
                        model.get("vocab").fields().forEachRemaining(e -> { if (e.getKey().indexOf('ä') < 0) kept.add(e.getKey()); });
                        kept.sort(java.util.Comparator.comparingInt(k -> model.get("vocab").get(k).asInt()));
                        if (unknown) kept.add("<unk>");
                        if (fallback) { kept.add("<0xC3>"); kept.add("<0xA4>"); }
                        for (int id = 0; id < kept.size(); id++) vocab.put(kept.get(id), id);
                        model.set("vocab", vocab);
                        ArrayNode merges = JSON.createArrayNode();
                        model.get("merges").forEach(m -> { if (m.asText().indexOf('ä') < 0) merges.add(m); });
                        model.set("merges", merges);
                        if (unknown) model.put("unk_token", "<unk>");
                        model.put("fuse_unk", fuse).put("byte_fallback", fallback);
                    });
                }
            }
        }
    }

    @Test
    void otherNormalizationForms(@TempDir Path dir) throws IOException {
        for (String form : List.of("NFD", "NFKC", "NFKD")) {
            assertVariantMatches(dir, "normalizer " + form, root -> root.set("normalizer", JSON.createObjectNode().put("type", form)));
        }
        assertVariantMatches(dir, "normalizer Sequence[NFD, NFC]", root -> {
            ObjectNode seq = JSON.createObjectNode().put("type", "Sequence");
            seq.putArray("normalizers").add(JSON.createObjectNode().put("type", "NFD")).add(JSON.createObjectNode().put("type", "NFC"));
            root.set("normalizer", seq);
        });
    }

    private static void assertVariantMatches(Path dir, String variant, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode root = base.deepCopy();
        edit.accept(root);
        Path file = Files.createTempDirectory(dir, "variant").resolve("tokenizer.json");
        Files.writeString(file, JSON.writeValueAsString(root));
        Tokenizer ours = Tokenizer.load(file);
        try (HfOracle hf = HfOracle.load(file)) {
            int index = 0;
            for (String text : corpus) {
                int[] expected = hf.encodeIdsOnly(text);
                int[] actual = ours.encode(text);
                if (!Arrays.equals(expected, actual)) {
                    fail(variant + ": text #" + index + " " + TokenizerParityTest.escape(text) + "\n  HF   " + Arrays.toString(expected) + "\n  ours " + Arrays.toString(actual));
                }
                String decoded = hf.decode(expected, true);
                if (!decoded.equals(ours.decode(actual, 0, actual.length, true))) fail(variant + ": decode differs for #" + index + " " + TokenizerParityTest.escape(text));
                index++;
            }
        }
    }
}
