package org.zerotir.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * Learns a small byte-level BPE vocabulary for models trained from scratch, with Qwen2's normalizer and
 * pre-tokenizer, and writes it as a Hugging Face {@code tokenizer.json} (plus {@code tokenizer_config.json}).
 * The 256 byte tokens come first (id = byte value), then one token per merge, then the special tokens.
 * Each step merges the most frequent adjacent pair over all words; ties go to the pair with the smaller
 * left id, then the smaller right id, so the same corpus always gives the same file.
 */
public final class BpeTrainer {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * @param vocabSize total ids wanted, special tokens included (at least 256 + specials)
     * @param minPairCount pairs seen fewer times than this are never merged
     * @param specialTokens added tokens, matched before anything else; the first is eos and pad in the config
     */
    public record Settings(int vocabSize, int minPairCount, List<String> specialTokens) {
        public Settings {
            specialTokens = List.copyOf(specialTokens);
            if (new HashSet<>(specialTokens).size() != specialTokens.size()) throw new IllegalArgumentException("special tokens repeat: " + specialTokens);
            for (String s : specialTokens) if (s.isEmpty()) throw new IllegalArgumentException("a special token is empty");
            if (vocabSize < 256 + specialTokens.size())
                throw new IllegalArgumentException("vocabSize " + vocabSize + " is below the 256 byte tokens plus " + specialTokens.size() + " special tokens");
            if (minPairCount < 1) throw new IllegalArgumentException("minPairCount must be at least 1, not " + minPairCount);
        }
    }

    /** The learned model: tokens in id order (byte-level strings), merges in rank order as [left, right]. */
    public record Trained(List<String> tokens, List<String[]> merges, List<String> specialTokens) {
        public int vocabSize() {
            return tokens.size() + specialTokens.size();
        }
    }

    private BpeTrainer() {}

    public static Trained train(List<String> corpus, Settings settings) {
        // Words and their counts, split exactly as the tokenizer will split text.
        List<AddedToken> specials = new ArrayList<>();
        for (int i = 0; i < settings.specialTokens().size(); i++) specials.add(AddedToken.special(1_000_000 + i, settings.specialTokens().get(i)));
        Map<Integer, AddedToken> byId = new HashMap<>();
        for (AddedToken t : specials) byId.put(t.id(), t);
        AddedTokenMatcher matcher = new AddedTokenMatcher(specials, s -> s, byId::get);
        Map<String, Long> wordCounts = new TreeMap<>();
        List<String> words = new ArrayList<>();
        for (String doc : corpus) {
            for (AddedTokenMatcher.Piece piece : matcher.split(doc)) {
                if (piece.tokenId() >= 0) continue;
                String text = HfNormalizer.normalize(doc.substring(piece.start(), piece.end()), Normalizer.Form.NFC);
                words.clear();
                Qwen2Splitter.split(text, words);
                for (String w : words) wordCounts.merge(w, 1L, Long::sum);
            }
        }
        int wordTotal = wordCounts.size();
        int[][] symbols = new int[wordTotal][];
        long[] counts = new long[wordTotal];
        int w = 0;
        for (Map.Entry<String, Long> e : wordCounts.entrySet()) {
            byte[] bytes = e.getKey().getBytes(StandardCharsets.UTF_8);
            symbols[w] = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) symbols[w][i] = bytes[i] & 0xFF;
            counts[w++] = e.getValue();
        }

        List<byte[]> tokenBytes = new ArrayList<>();
        Map<String, Integer> idOfBytes = new HashMap<>();
        for (int b = 0; b < 256; b++) {
            tokenBytes.add(new byte[] {(byte) b});
            idOfBytes.put(ByteLevel.encode(new byte[] {(byte) b}), b);
        }
        List<int[]> merges = new ArrayList<>();

        Map<Long, Long> pairCounts = new HashMap<>();
        Map<Long, Set<Integer>> pairWords = new HashMap<>();
        for (int i = 0; i < wordTotal; i++) addPairs(symbols[i], counts[i], i, pairCounts, pairWords);
        // Max count first, then smaller left id, then smaller right id; stale entries are skipped on pop.
        PriorityQueue<long[]> queue = new PriorityQueue<>((x, y) -> x[0] != y[0] ? Long.compare(y[0], x[0]) : Long.compare(x[1], y[1]));
        for (Map.Entry<Long, Long> e : pairCounts.entrySet()) queue.add(new long[] {e.getValue(), e.getKey()});

        int modelSize = settings.vocabSize() - settings.specialTokens().size();
        while (tokenBytes.size() < modelSize && !queue.isEmpty()) {
            long[] top = queue.poll();
            long pair = top[1];
            long current = pairCounts.getOrDefault(pair, 0L);
            if (current != top[0]) {
                if (current > 0) queue.add(new long[] {current, pair});
                continue;
            }
            if (current < settings.minPairCount()) break;
            int left = (int) (pair >>> 32), right = (int) pair;
            byte[] joined = concat(tokenBytes.get(left), tokenBytes.get(right));
            String joinedKey = ByteLevel.encode(joined);
            Integer mergedId = idOfBytes.get(joinedKey);
            if (mergedId == null) {
                mergedId = tokenBytes.size();
                tokenBytes.add(joined);
                idOfBytes.put(joinedKey, mergedId);
            }
            merges.add(new int[] {left, right, mergedId});
            Set<Integer> affected = pairWords.remove(pair);
            Set<Long> touched = new HashSet<>();
            for (int word : affected.stream().sorted().toList()) {
                int[] before = symbols[word];
                int[] after = mergeIn(before, left, right, mergedId);
                if (after.length == before.length) continue;
                removePairs(before, counts[word], pairCounts, touched);
                symbols[word] = after;
                addPairs(after, counts[word], word, pairCounts, pairWords);
                for (int i = 0; i + 1 < after.length; i++) touched.add(key(after[i], after[i + 1]));
            }
            pairCounts.remove(pair);
            for (long t : touched.stream().sorted().toList()) {
                Long c = pairCounts.get(t);
                if (c != null && c > 0) queue.add(new long[] {c, t});
            }
        }

        List<String> tokens = new ArrayList<>();
        for (byte[] b : tokenBytes) tokens.add(ByteLevel.encode(b));
        List<String[]> mergeStrings = new ArrayList<>();
        for (int[] m : merges) mergeStrings.add(new String[] {tokens.get(m[0]), tokens.get(m[1])});
        return new Trained(List.copyOf(tokens), List.copyOf(mergeStrings), settings.specialTokens());
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | right;
    }

    private static void addPairs(int[] word, long count, int index, Map<Long, Long> pairCounts, Map<Long, Set<Integer>> pairWords) {
        for (int i = 0; i + 1 < word.length; i++) {
            long k = key(word[i], word[i + 1]);
            pairCounts.merge(k, count, Long::sum);
            pairWords.computeIfAbsent(k, x -> new HashSet<>()).add(index);
        }
    }

    private static void removePairs(int[] word, long count, Map<Long, Long> pairCounts, Set<Long> touched) {
        for (int i = 0; i + 1 < word.length; i++) {
            long k = key(word[i], word[i + 1]);
            long left = pairCounts.merge(k, -count, Long::sum);
            if (left <= 0) pairCounts.remove(k);
            touched.add(k);
        }
    }

    /** Replaces each (left, right), scanning left to right without overlap. */
    private static int[] mergeIn(int[] word, int left, int right, int merged) {
        int[] out = new int[word.length];
        int n = 0;
        for (int i = 0; i < word.length; i++) {
            if (i + 1 < word.length && word[i] == left && word[i + 1] == right) {
                out[n++] = merged;
                i++;
            } else {
                out[n++] = word[i];
            }
        }
        return n == word.length ? word : java.util.Arrays.copyOf(out, n);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Writes tokenizer.json and tokenizer_config.json into dir, in the layout Hugging Face writes (Qwen2's). */
    public static void write(Trained trained, Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        int firstSpecialId = trained.tokens().size();
        for (int i = 0; i < trained.specialTokens().size(); i++) {
            added.addObject().put("id", firstSpecialId + i).put("content", trained.specialTokens().get(i)).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        }
        root.putObject("normalizer").put("type", "NFC");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode steps = pre.putArray("pretokenizers");
        ObjectNode split = steps.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", Tokenizer.QWEN2_PATTERN);
        split.put("behavior", "Isolated").put("invert", false);
        steps.add(byteLevel());
        root.set("post_processor", byteLevel());
        root.set("decoder", byteLevel());
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < trained.tokens().size(); id++) vocab.put(trained.tokens().get(id), id);
        ArrayNode merges = model.putArray("merges");
        for (String[] m : trained.merges()) merges.add(m[0] + " " + m[1]);
        Files.writeString(dir.resolve("tokenizer.json"), JSON.writeValueAsString(root), StandardCharsets.UTF_8);

        Map<String, Object> config = new LinkedHashMap<>();
        String eos = trained.specialTokens().isEmpty() ? null : trained.specialTokens().getFirst();
        config.put("bos_token", null);
        config.put("eos_token", eos);
        config.put("pad_token", eos);
        config.put("unk_token", null);
        config.put("clean_up_tokenization_spaces", false);
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        Map<String, Object> decoderEntries = new LinkedHashMap<>();
        for (int i = 0; i < trained.specialTokens().size(); i++) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("content", trained.specialTokens().get(i));
            entry.put("lstrip", false);
            entry.put("normalized", false);
            entry.put("rstrip", false);
            entry.put("single_word", false);
            entry.put("special", true);
            decoderEntries.put(String.valueOf(firstSpecialId + i), entry);
        }
        config.put("added_tokens_decoder", decoderEntries);
        Files.writeString(dir.resolve("tokenizer_config.json"), JSON.writeValueAsString(config), StandardCharsets.UTF_8);
    }

    private static ObjectNode byteLevel() {
        return JSON.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", false).put("use_regex", false);
    }
}
