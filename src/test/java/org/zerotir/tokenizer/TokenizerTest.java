package org.zerotir.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Qwen2.5 tokenizer on fixed vectors (no oracle needed), decoding details, and files that must be rejected. */
class TokenizerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path qwenFile;
    private static Tokenizer qwen;

    @BeforeAll
    static void load() throws IOException {
        qwenFile = org.zerotir.SharedData.require("qwen2.5-tokenizer/tokenizer.json");
        qwen = Tokenizer.load(qwenFile);
    }

    /** The 46 llama.cpp vectors, made by HF {@code encode(text, add_special_tokens=False)}. */
    @Test
    void encodesTheLlamaCppVectors() throws IOException {
        List<String> lines = Files.readAllLines(qwenFile.resolveSibling("encode_tests.jsonl"), StandardCharsets.UTF_8);
        assertEquals(46, lines.size());
        for (String line : lines) {
            JsonNode row = JSON.readTree(line);
            int[] expected = JSON.convertValue(row.get("ids"), int[].class);
            String text = row.get("text").asText();
            assertArrayEquals(expected, qwen.encode(text), row.get("id").asText());
            assertEquals(text, qwen.decode(expected), row.get("id").asText());
        }
    }

    @Test
    void knownIdsAndAddedTokens() {
        assertArrayEquals(new int[] {9707, 1879}, qwen.encode("Hello world"));
        assertEquals(9707, qwen.tokenToId("Hello"));
        assertEquals(151643, qwen.tokenToId("<|endoftext|>"));
        assertEquals(151665, qwen.vocabSize());
        assertArrayEquals(new int[] {151644, 872, 198, 6023, 151645}, qwen.encode("<|im_start|>user\nhi<|im_end|>"));
        assertTrue(qwen.isSpecial(151645));
        assertTrue(!qwen.isSpecial(151657), "<tool_call> is an added token but not special");
        int[] ids = qwen.encode("<|im_start|>user\nhi<|im_end|>");
        assertEquals("<|im_start|>user\nhi<|im_end|>", qwen.decode(ids));
        assertEquals("user\nhi", qwen.decode(ids, 0, ids.length, true));
        assertEquals("user", qwen.decode(ids, 1, 2));
        assertEquals(new Tokenizer.SpecialIds(-1, -1, -1, -1), qwen.specialIds(), "no tokenizer_config.json beside the Qwen file");
    }

    @Test
    void decodingReplacesBrokenUtf8AsRustDoesAndStreamsWholeCharacters() {
        int[] ids = qwen.encode("π≈3.14 😀 中");
        StringBuilder streamed = new StringBuilder();
        Tokenizer.StreamDecoder stream = qwen.streamDecoder();
        for (int id : ids) {
            String piece = stream.push(id);
            assertTrue(piece.indexOf('\uFFFD') < 0, "a piece cut a character: " + piece);
            streamed.append(piece);
        }
        assertEquals("", stream.finish());
        assertEquals("π≈3.14 😀 中", streamed.toString());
        // Maximal subparts: E0 80 is two errors (E0 needs A0..BF next), F0 9F 98 is one (a cut-off emoji).
        byte[] bytes = {(byte) 0xE0, (byte) 0x80, 'a', (byte) 0xF0, (byte) 0x9F, (byte) 0x98, 'b', (byte) 0xC0, (byte) 0xED, (byte) 0xA0, (byte) 0x80};
        assertEquals("\uFFFD\uFFFDa\uFFFDb\uFFFD\uFFFD\uFFFD\uFFFD", Utf8.decodeLossy(bytes, 0, bytes.length));
        assertEquals(3, Utf8.completePrefix(new byte[] {'a', 'b', 'c', (byte) 0xF0, (byte) 0x9F}, 5));
        assertEquals(3, Utf8.completePrefix(new byte[] {'a', (byte) 0xE0, (byte) 0x80}, 3), "E0 80 can never complete: nothing to hold back");
        assertEquals(1, Utf8.completePrefix(new byte[] {'a', (byte) 0xE0, (byte) 0xA0}, 3));
        assertEquals(5, Utf8.completePrefix("a😀".getBytes(StandardCharsets.UTF_8), 5));
        assertEquals(1, Utf8.completePrefix("a😀".getBytes(StandardCharsets.UTF_8), 3));
        // The emoji's four bytes as four byte tokens: the first three alone decode to one U+FFFD, streamed to nothing.
        byte[] emojiBytes = "😀".getBytes(StandardCharsets.UTF_8);
        int[] byteTokens = new int[4];
        for (int i = 0; i < 4; i++) byteTokens[i] = qwen.tokenToId(String.valueOf(ByteLevel.BYTE_TO_CHAR[emojiBytes[i] & 0xFF]));
        assertEquals("\uFFFD", qwen.decode(byteTokens, 0, 3));
        assertEquals("😀", qwen.decode(byteTokens));
        Tokenizer.StreamDecoder bytewise = qwen.streamDecoder();
        for (int i = 0; i < 3; i++) assertEquals("", bytewise.push(byteTokens[i]));
        assertEquals("😀", bytewise.push(byteTokens[3]));
        byte[] raw = qwen.decodeBytes(byteTokens, 0, 2, false);
        assertEquals(0, Utf8.completePrefix(raw, raw.length));
    }

    @Test
    void readsSpecialIdsFromTokenizerConfig(@TempDir Path dir) throws IOException {
        Files.copy(qwenFile, dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"bos_token\": null, \"eos_token\": \"<|im_end|>\", \"pad_token\": {\"content\": \"<|endoftext|>\"}}");
        Tokenizer withConfig = Tokenizer.load(dir);
        assertEquals(new Tokenizer.SpecialIds(-1, 151645, 151643, -1), withConfig.specialIds());
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": 5}");
        TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizer.load(dir));
        assertEquals("tokenizer_config.json.eos_token", e.field());
    }

    @Test
    void badFilesNameTheField(@TempDir Path dir) throws IOException {
        assertField("model.type", root -> ((ObjectNode) root.get("model")).put("type", "WordPiece"));
        assertField("model", root -> ((ObjectNode) root).remove("model"));
        assertField("model.vocab", root -> ((ObjectNode) root.get("model")).put("vocab", "nope"));
        assertField("model.merges", root -> ((ArrayNode) root.get("model").get("merges")).add("Ġ"));
        assertField("model.merges", root -> ((ArrayNode) root.get("model").get("merges")).add("nosuch token"));
        assertField("model.dropout", root -> ((ObjectNode) root.get("model")).put("dropout", 0.1));
        assertField("normalizer.type", root -> ((ObjectNode) root.get("normalizer")).put("type", "Lowercase"));
        assertField("pre_tokenizer.pretokenizers[0].pattern.Regex",
                root -> ((ObjectNode) root.get("pre_tokenizer").get("pretokenizers").get(0).get("pattern")).put("Regex", "(unclosed"));
        assertField("pre_tokenizer.pretokenizers[0].behavior",
                root -> ((ObjectNode) root.get("pre_tokenizer").get("pretokenizers").get(0)).put("behavior", "Sideways"));
        assertField("pre_tokenizer.pretokenizers[1].type",
                root -> ((ObjectNode) root.get("pre_tokenizer").get("pretokenizers").get(1)).put("type", "Metaspace"));
        assertField("decoder.type", root -> ((ObjectNode) root.get("decoder")).put("type", "WordPiece"));
        assertField("added_tokens.content", root -> ((ObjectNode) root.get("added_tokens").get(0)).remove("content"));
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"model\": ");
        assertEquals("tokenizer.json", assertThrows(TokenizerException.class, () -> Tokenizer.load(broken)).field());
        assertEquals("path", assertThrows(TokenizerException.class, () -> Tokenizer.load(dir.resolve("missing.json"))).field());
    }

    /** A small edited copy of the Qwen file (vocabulary cut to bytes and their merges) so each case loads fast. */
    private static void assertField(String field, Consumer<JsonNode> edit) throws IOException {
        JsonNode root = smallQwenLike();
        edit.accept(root);
        TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizer.fromJson(JSON.writeValueAsString(root)));
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(field.replaceAll("\\[\\d+]", "").split("\\.")[0]), e.getMessage());
    }

    private static JsonNode smallQwenLike() throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(qwenFile.toFile());
        ObjectNode model = (ObjectNode) root.get("model");
        ObjectNode vocab = JSON.createObjectNode();
        for (int b = 0; b < 256; b++) vocab.put(String.valueOf(ByteLevel.BYTE_TO_CHAR[b]), b);
        vocab.put("ĠĠ", 256);
        model.set("vocab", vocab);
        model.set("merges", JSON.createArrayNode().add("Ġ Ġ"));
        ArrayNode added = JSON.createArrayNode();
        added.add(JSON.valueToTree(java.util.Map.of("id", 257, "content", "<|endoftext|>", "special", true, "normalized", false)));
        root.set("added_tokens", added);
        Tokenizer ok = Tokenizer.fromJson(JSON.writeValueAsString(root));
        assertArrayEquals(new int[] {256, 257, 32, 33}, ok.encode("  <|endoftext|> !"), "the small copy itself must load and encode");
        return root;
    }

    /** The rollout's TextCodec is two of Tokenizer's methods (an adapter, since tokenizer must not import rollout). */
    @Test
    void servesAsTheRolloutTextCodec() {
        org.zerotir.rollout.TextCodec codec = new org.zerotir.rollout.TextCodec() {
            @Override
            public int[] encode(String text) {
                return qwen.encode(text);
            }

            @Override
            public String decode(int[] ids, int from, int to) {
                return qwen.decode(ids, from, to);
            }
        };
        int[] ids = codec.encode("Let me compute.\n```python\nprint(2**10)\n```\n```output\n1024\n```\n");
        // The closing fence after ")\n" is two tokens, "``" and "`\n": fences are found in decoded text, not by id.
        assertEquals("```python\nprint(2**10)\n```\n", codec.decode(ids, 4, 16));
        assertEquals(codec.decode(ids, 0, ids.length), "Let me compute.\n```python\nprint(2**10)\n```\n```output\n1024\n```\n");
    }

    /** One tokenizer shared by rollout threads: the word cache must not mix results up. */
    @Test
    void concurrentEncodingGivesTheSequentialIds() throws Exception {
        List<String> texts = TokenizerParityTest.math500Texts().subList(0, 400);
        Tokenizer fresh = Tokenizer.load(qwenFile);
        List<int[]> expected = texts.stream().map(qwen::encode).toList();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t * 97;
                results.add(pool.submit(() -> {
                    for (int k = 0; k < texts.size(); k++) {
                        int i = (k + offset) % texts.size();
                        if (!Arrays.equals(expected.get(i), fresh.encode(texts.get(i)))) return false;
                    }
                    return true;
                }));
            }
            for (var r : results) assertTrue(r.get());
        }
    }
}
