package org.zerotir.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Our Tokenizer against Hugging Face {@code tokenizers} on the Qwen2.5 tokenizer: ids identical on every
 * string of a large, varied corpus, and decoding identical on the ids. Zero mismatches; the first one is
 * printed with the string, both id lists and where they part.
 */
class TokenizerParityTest {
    static final Path QWEN = org.zerotir.SharedData.DIR.resolve("qwen2.5-tokenizer/tokenizer.json");
    static final Path MATH500 = org.zerotir.SharedData.DIR.resolve("math500.jsonl");
    private static Tokenizer ours;
    private static HfOracle oracle;

    @BeforeAll
    static void load() throws IOException {
        Path file = org.zerotir.SharedData.require("qwen2.5-tokenizer/tokenizer.json");
        ours = Tokenizer.load(file);
        oracle = HfOracle.load(file);
    }

    @AfterAll
    static void close() {
        oracle.close();
    }

    static Path math500() {
        return org.zerotir.SharedData.require("math500.jsonl");
    }

    /** Every MATH500 problem and solution. */
    static List<String> math500Texts() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> texts = new ArrayList<>();
        for (String line : Files.readAllLines(math500(), StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            JsonNode row = json.readTree(line);
            texts.add(row.get("problem").asText());
            texts.add(row.get("solution").asText());
        }
        return texts;
    }

    static List<String> pythonSnippets() throws IOException {
        try (InputStream in = TokenizerParityTest.class.getResourceAsStream("/tokenizer/python_snippets.txt")) {
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<String> snippets = new ArrayList<>(Arrays.asList(all.split("-----\n")));
            snippets.add(all);
            return snippets;
        }
    }

    /** Runs of mixed whitespace with letters, digits and punctuation between, trailing and leading. */
    static List<String> whitespaceRuns(int count, long seed) {
        String[] spaces = {" ", "  ", "\t", "\n", "\r\n", "\r", "\u000B", "\u000C", "\u00A0", "\u0085", "\u2003", "\u3000", "\u202F", "\u2028", "\u200B", "\u180E", "\u001C"};
        String[] words = {"a", "word", "Ab", "1", "12", "x=1", "(", ")", "'s", "'LL", "¿", ".", "...", "```", "中文", "😀", "\\frac", "$"};
        Random random = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder s = new StringBuilder();
            int parts = 1 + random.nextInt(12);
            for (int p = 0; p < parts; p++) {
                int run = random.nextInt(5);
                for (int k = 0; k < run; k++) s.append(spaces[random.nextInt(spaces.length)]);
                if (random.nextInt(4) > 0) s.append(words[random.nextInt(words.length)]);
            }
            out.add(s.toString());
        }
        for (String sp : spaces) for (int n : new int[] {1, 2, 3, 7, 64}) out.add(sp.repeat(n));
        out.add("   leading and trailing   ");
        out.add("line\n\n\n  indented\n\t\ttabbed\n \n \nend \n");
        return out;
    }

    static List<String> scriptsAndEmoji() {
        return List.of("中华人民共和国成立于1949年。数学是科学的语言！", "東京特許許可局、ひらがなカタカナ漢字", "한국어 텍스트와 숫자 123", "Привет, мир! Ёжик в тумане.",
                "Ελληνικά: αβγ ΔΘΛ", "עברית ומספרים 42", "العربية ١٢٣ والأرقام", "हिन्दी पाठ और अंक १२३", "ภาษาไทยไม่มีช่องว่าง", "ខ្មែរ ភាសា",
                "👨‍👩‍👧‍👦 family, 👩🏽‍💻 coder, 🏳️‍🌈 flag, 🇫🇷🇯🇵 flags, 1️⃣ keycap, ❤️‍🔥", "emoji😀😃😄😁 mixed🤖text", "🧑🏿‍🤝‍🧑🏻",
                "Ｆｕｌｌｗｉｄｔｈ　ｔｅｘｔ", "𝔸𝕓𝕔 𝐱 𝑦 math alphanumerics", "Zalgo: Z̷̢̛a̶̡l̸g̵o̷", "e\u0301 vs é, Å vs \u212B, ﬁ ligature, ½ ¼ ², ℃",
                "tab\tseparated\tvalues", "Führer ied 4 ½ months", "I'm you're we've they'll she'd it's DON'T I'M", "'s's'S 'sS", "’s curly");
    }

    /** Added tokens inside text, touching, partial, doubled, with whitespace around. */
    static List<String> specialTokenTexts(int count, long seed) {
        List<String> tokens = new ArrayList<>();
        for (AddedToken t : ours.addedTokens()) tokens.add(t.content());
        String[] fillers = {"", " ", "\n", "hello", " world ", "<|", "|>", "<|im_start", "im_end|>", "<", "x<", ">y", "\t", "中", "😀", "<|endoftext|", "<tool_call"};
        Random random = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder s = new StringBuilder();
            int parts = 1 + random.nextInt(8);
            for (int p = 0; p < parts; p++) {
                s.append(fillers[random.nextInt(fillers.length)]);
                if (random.nextBoolean()) s.append(tokens.get(random.nextInt(tokens.size())));
            }
            out.add(s.toString());
        }
        out.add("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n");
        out.add("text<|endoftext|>more<|endoftext|><|endoftext|>");
        return out;
    }

    /** Random bytes read as UTF-8 with replacement. */
    static List<String> randomByteStrings(int count, long seed) {
        Random random = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
            // Bias towards bytes that make near-valid UTF-8 and ASCII.
            for (int k = 0; k < bytes.length; k++) if (random.nextInt(3) == 0) bytes[k] = (byte) (0x20 + random.nextInt(0x5F));
            out.add(new String(bytes, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Blocks assigned by Unicode 10 or earlier, so that both sides' Unicode tables agree on them. */
    static final int[][] BLOCKS = {
            {0x0020, 0x007E}, {0x00A0, 0x024F}, {0x0250, 0x02FF}, {0x0300, 0x036F}, {0x0370, 0x03FF}, {0x0400, 0x052F}, {0x0530, 0x058F},
            {0x0590, 0x05FF}, {0x0600, 0x06FF}, {0x0900, 0x097F}, {0x0980, 0x09FF}, {0x0E00, 0x0E7F}, {0x0E80, 0x0EFF}, {0x0F00, 0x0FFF},
            {0x10A0, 0x10FF}, {0x1100, 0x11FF}, {0x1200, 0x137F}, {0x13A0, 0x13FF}, {0x1780, 0x17FF}, {0x1800, 0x18AF}, {0x1E00, 0x1FFF},
            {0x2000, 0x206F}, {0x2070, 0x209F}, {0x20A0, 0x20CF}, {0x2100, 0x214F}, {0x2150, 0x218F}, {0x2190, 0x21FF}, {0x2200, 0x22FF},
            {0x2500, 0x257F}, {0x3000, 0x303F}, {0x3040, 0x309F}, {0x30A0, 0x30FF}, {0x4E00, 0x9FA5}, {0xAC00, 0xD7A3}, {0xFF00, 0xFFEF},
            {0x1D400, 0x1D7FF}, {0x1F300, 0x1F5FF}, {0x1F600, 0x1F64F}, {0x1F680, 0x1F6FF}, {0x20000, 0x2A6D6}};

    static List<String> randomUnicode(int count, long seed) {
        Random random = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder s = new StringBuilder();
            int length = 1 + random.nextInt(40);
            int[] block = BLOCKS[random.nextInt(BLOCKS.length)];
            for (int k = 0; k < length; k++) {
                if (random.nextInt(6) == 0) block = BLOCKS[random.nextInt(BLOCKS.length)];
                int cp = block[0] + random.nextInt(block[1] - block[0] + 1);
                if (!Character.isDefined(cp) || Character.getType(cp) == Character.SURROGATE) continue;
                s.appendCodePoint(cp);
                if (random.nextInt(8) == 0) s.append(random.nextBoolean() ? ' ' : '\n');
            }
            out.add(s.toString());
        }
        return out;
    }

    @Test
    void idsMatchOnMath500() throws IOException {
        List<String> texts = math500Texts();
        assertEquals(1000, texts.size());
        assertSameIds("MATH500", texts);
        // The ids-only JNI path used elsewhere here is the same encoding as DJL's public Encoding API.
        for (String text : texts.subList(0, 100)) org.junit.jupiter.api.Assertions.assertArrayEquals(oracle.encode(text), oracle.encodeIdsOnly(text));
    }

    @Test
    void idsMatchOnCodeWhitespaceScriptsEmojiAndAddedTokens() throws IOException {
        assertSameIds("python", pythonSnippets());
        assertSameIds("whitespace", whitespaceRuns(3000, 1));
        assertSameIds("scripts and emoji", scriptsAndEmoji());
        assertSameIds("added tokens in text", specialTokenTexts(3000, 2));
    }

    @Test
    void idsMatchOnRandomBytesAndRandomUnicode() {
        assertSameIds("random bytes as UTF-8", randomByteStrings(3000, 3));
        assertSameIds("random unicode", randomUnicode(5000, 4));
    }

    /**
     * Every code point alone and in contexts the regex cares about (after a quote, between letters, before
     * a newline). Characters newer than the oracle's Unicode tables are listed, not hidden.
     */
    @Test
    void everyCodePointInContext() {
        List<String> mismatches = new ArrayList<>();
        int checked = 0;
        for (int start = 0; start <= Character.MAX_CODE_POINT; start += 64) {
            StringBuilder batch = new StringBuilder();
            for (int cp = start; cp < start + 64; cp++) {
                if (cp >= 0xD800 && cp <= 0xDFFF) continue;
                batch.append(contexts(cp));
            }
            checked++;
            if (Arrays.equals(ours.encode(batch.toString()), oracle.encodeIdsOnly(batch.toString()))) continue;
            for (int cp = start; cp < start + 64; cp++) {
                if (cp >= 0xD800 && cp <= 0xDFFF) continue;
                String s = contexts(cp);
                if (!Arrays.equals(ours.encode(s), oracle.encodeIdsOnly(s))) mismatches.add(String.format("U+%04X (%s, type %d)", cp, Character.getName(cp), Character.getType(cp)));
            }
        }
        assertTrue(checked > 17_000);
        assertEquals(List.of(), mismatches, mismatches.size() + " code points tokenize differently");
    }

    private static String contexts(int cp) {
        String c = Character.toString(cp);
        return "'" + c + " a" + c + "b " + c + c + "1" + c + "\n" + c + " \n";
    }

    /** Long runs: one word of 100,000 letters, whitespace and digit runs, emoji, symbols; nothing overflows a stack. */
    @Test
    void longRunsMatch() {
        StringBuilder mixed = new StringBuilder();
        for (String s : randomUnicode(3000, 9)) mixed.append(s);
        List<String> texts = List.of("a".repeat(100_000), "ab".repeat(50_000), " ".repeat(100_000), " ".repeat(100_000) + "x", "\n".repeat(50_000),
                " \t\n".repeat(30_000) + "end", "1".repeat(100_000), "😀".repeat(20_000), "!".repeat(100_000), "中".repeat(50_000),
                "<|endoftext|>".repeat(5_000), mixed.toString());
        assertSameIds("long runs", texts);
    }

    @Test
    void loneSurrogatesBecomeReplacementCharacters() {
        // The oracle's JNI binding turns a string with a lone surrogate into lossy modified UTF-8 (three
        // U+FFFD per surrogate, six per paired one elsewhere in the string): not Hugging Face's behaviour but
        // the binding's. HF (Rust) only ever sees well-formed text; ours defines a lone surrogate as one
        // U+FFFD, and matches the oracle on that well-formed text.
        String[] texts = {"a\uD800b", "\uDC00", "x\uDC00\uD83D\uDE00y", "\uD83D", "end\uD83D", "\uDE00\uD83D", "ok 😀 \uD800\uD800 ok"};
        for (String text : texts) {
            String wellFormed = text.replaceAll("[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]", "\uFFFD");
            assertTrue(!wellFormed.equals(text));
            assertArrayEquals(text, oracle.encodeIdsOnly(wellFormed), ours.encode(text));
            assertArrayEquals(text, ours.encode(wellFormed), ours.encode(text));
        }
    }

    @Test
    void decodeMatchesOracleAndRoundTrips() throws IOException {
        List<String> texts = new ArrayList<>(math500Texts().subList(0, 200));
        texts.addAll(pythonSnippets());
        texts.addAll(whitespaceRuns(500, 5));
        texts.addAll(scriptsAndEmoji());
        texts.addAll(specialTokenTexts(500, 6));
        texts.addAll(randomUnicode(1000, 7));
        for (String text : texts) {
            int[] ids = ours.encode(text);
            String decoded = ours.decode(ids);
            assertEquals(oracle.decode(ids, false), decoded, () -> "decode differs for " + escape(text));
            assertEquals(oracle.decode(ids, true), ours.decode(ids, 0, ids.length, true), () -> "decode (skip special) differs for " + escape(text));
            assertEquals(Normalizer.normalize(text, Normalizer.Form.NFC), decoded, () -> "no round trip for " + escape(text));
        }
    }

    /** Random ids cut characters apart: the lossy UTF-8 decoding (one U+FFFD per maximal bad subpart) must agree. */
    @Test
    void decodeOfRandomIdsMatchesOracle() {
        Random random = new Random(8);
        int vocabSize = ours.vocabSize();
        for (int i = 0; i < 3000; i++) {
            int[] ids = new int[random.nextInt(12)];
            for (int k = 0; k < ids.length; k++) {
                int kind = random.nextInt(10);
                // Also ids past the vocabulary, as a model with a padded embedding (151,936 rows) can sample: dropped, as HF does.
                ids[k] = kind == 0 ? vocabSize - 1 - random.nextInt(22) : kind == 1 ? vocabSize + random.nextInt(300)
                        : kind < 5 ? random.nextInt(256) : random.nextInt(vocabSize - 22);
            }
            boolean skip = random.nextBoolean();
            String expected = oracle.decode(ids, skip);
            assertEquals(expected, ours.decode(ids, 0, ids.length, skip), () -> "decode differs for ids " + Arrays.toString(ids));
            StringBuilder streamed = new StringBuilder();
            Tokenizer.StreamDecoder stream = ours.streamDecoder(skip);
            for (int id : ids) streamed.append(stream.push(id));
            streamed.append(stream.finish());
            assertEquals(expected, streamed.toString(), () -> "streamed decode differs for ids " + Arrays.toString(ids));
        }
    }

    static void assertSameIds(String corpus, List<String> texts) {
        int index = 0;
        for (String text : texts) {
            int[] expected = oracle.encodeIdsOnly(text);
            int[] actual = ours.encode(text);
            if (!Arrays.equals(expected, actual)) fail(describeMismatch(corpus, index, text, expected, actual));
            index++;
        }
    }

    private static void assertArrayEquals(String text, int[] expected, int[] actual) {
        if (!Arrays.equals(expected, actual)) fail(describeMismatch("single", 0, text, expected, actual));
    }

    static String describeMismatch(String corpus, int index, String text, int[] expected, int[] actual) {
        int at = 0;
        while (at < expected.length && at < actual.length && expected[at] == actual[at]) at++;
        int from = Math.max(0, at - 3);
        return corpus + " #" + index + ": ids differ at position " + at + "\n  text: " + escape(text)
                + "\n  oracle: ..." + tokens(expected, from, Math.min(expected.length, at + 5))
                + "\n  ours:   ..." + tokens(actual, from, Math.min(actual.length, at + 5))
                + "\n  oracle ids " + Arrays.toString(expected) + "\n  our ids    " + Arrays.toString(actual);
    }

    private static String tokens(int[] ids, int from, int to) {
        StringBuilder s = new StringBuilder();
        for (int i = from; i < to; i++) s.append(ids[i]).append('=').append(escape(ours.idToToken(ids[i]))).append(' ');
        return s.toString();
    }

    static String escape(String s) {
        if (s == null) return "null";
        StringBuilder out = new StringBuilder("\"");
        s.codePoints().limit(400).forEach(cp -> {
            if (cp >= 0x20 && cp < 0x7F) out.append((char) cp);
            else out.append(String.format("\\u{%X}", cp));
        });
        return out.append(s.length() > 400 ? "...\"" : "\"").toString();
    }
}
