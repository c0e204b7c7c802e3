package org.zerotir.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte-level BPE read from a Hugging Face {@code tokenizer.json}, encoding and decoding exactly as the
 * {@code tokenizers} library does with {@code add_special_tokens=False} (checked id for id against it in
 * {@code TokenizerParityTest}). The pipeline: added tokens are cut out of the raw text first, the rest is
 * normalized (NFC for Qwen2), cut again at normalized added tokens, split into words by the pre-tokenizer
 * (Qwen2's regex, run by a hand-written scanner, then bytes as characters), and each word is merged by BPE
 * ranks, remembered per word.
 *
 * <p>Text in Java may hold lone surrogates, which Rust strings cannot; each becomes U+FFFD before anything
 * else, as a lossy UTF-8 conversion does. {@link #encode(String)} and {@link #decode(int[], int, int)} are
 * the two methods of the rollout's {@code TextCodec}. Thread-safe.
 */
public final class Tokenizer {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Words remembered with their ids; beyond this many, new words are merged each time (as HF's cache). */
    private static final int WORD_CACHE_LIMIT = 100_000;
    /** Longer words (a run of 10,000 spaces) are merged each time, so the cache stays small. */
    private static final int CACHED_WORD_MAX_CHARS = 256;
    /** Qwen2's pre-tokenizer regex; a hand-written scanner replaces it when a file uses exactly this one. */
    static final String QWEN2_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** The regex of the ByteLevel pre-tokenizer when use_regex is true (GPT-2's). */
    static final String GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /** Model vocabulary in the file's form (byte-level strings such as "Ġworld"). */
    private final Map<String, Integer> vocab;
    private final String[] idToToken;
    private final byte[][] idToBytes;
    private final boolean[] specialIds;
    private final List<AddedToken> addedTokens;
    private final Map<String, Integer> addedTokenIds;
    private final Bpe bpe;
    private final boolean ignoreMerges;
    private final boolean byteFallback;
    private final int unkId;
    private final boolean fuseUnk;
    private final int[] byteIds = new int[256];
    private final List<Normalizer.Form> normalizers;
    private final List<PreTokenStep> preTokenizer;
    private final boolean byteLevel;
    private final AddedTokenMatcher rawAdded;
    private final AddedTokenMatcher normalizedAdded;
    private final ConcurrentHashMap<String, int[]> wordCache = new ConcurrentHashMap<>();
    private final SpecialIds configured;

    /** bos/eos/pad/unk from tokenizer_config.json; -1 where absent. */
    public record SpecialIds(int bos, int eos, int pad, int unk) {}

    enum Behavior { REMOVED, ISOLATED, MERGED_WITH_PREVIOUS, MERGED_WITH_NEXT, CONTIGUOUS }

    /** One pre-tokenizer step; the byte mapping itself is not a step but {@link #byteLevel}. */
    sealed interface PreTokenStep permits SplitStep, PrefixSpaceStep {}

    record SplitStep(Pattern regex, String literal, Behavior behavior, boolean invert, boolean qwen2) implements PreTokenStep {}

    record PrefixSpaceStep() implements PreTokenStep {}

    private Tokenizer(JsonNode root, SpecialIdNames names) {
        JsonNode model = root.path("model");
        if (!model.isObject()) throw new TokenizerException("model", "tokenizer.json has no \"model\" object");
        String type = model.path("type").asText("BPE");
        if (!type.equals("BPE")) throw new TokenizerException("model.type", "model.type \"" + type + "\" is not supported; only BPE");
        if (!model.path("dropout").isNull() && !model.path("dropout").isMissingNode())
            throw new TokenizerException("model.dropout", "model.dropout must be null: BPE dropout is random and has no place in exact tokenization");
        for (String key : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            JsonNode v = model.path(key);
            if (!v.isMissingNode() && !v.isNull() && !v.asText().isEmpty())
                throw new TokenizerException("model." + key, "model." + key + " \"" + v.asText() + "\" is not supported");
        }
        ignoreMerges = model.path("ignore_merges").asBoolean(false);
        byteFallback = model.path("byte_fallback").asBoolean(false);
        fuseUnk = model.path("fuse_unk").asBoolean(false);

        JsonNode vocabNode = model.path("vocab");
        if (!vocabNode.isObject()) throw new TokenizerException("model.vocab", "model.vocab must be an object of token -> id");
        vocab = new HashMap<>(vocabNode.size() * 2);
        int maxId = -1;
        for (Iterator<Map.Entry<String, JsonNode>> it = vocabNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0)
                throw new TokenizerException("model.vocab", "model.vocab[\"" + e.getKey() + "\"] must be a non-negative integer id, not " + e.getValue());
            vocab.put(e.getKey(), e.getValue().asInt());
            maxId = Math.max(maxId, e.getValue().asInt());
        }

        // AddedVocabulary::add_tokens, in file order: a content already known (model or added) keeps its id;
        // a new one gets the next id after the added ones, or the model's size; the file's ids are not read.
        // The last token of a content decides its flags; special tokens go before the others when matching.
        JsonNode added = root.path("added_tokens");
        if (!added.isMissingNode() && !added.isNull() && !added.isArray()) throw new TokenizerException("added_tokens", "added_tokens must be an array");
        int modelSize = vocab.size();
        Map<String, Integer> addedIds = new HashMap<>();
        Map<Integer, AddedToken> addedById = new java.util.LinkedHashMap<>();
        java.util.LinkedHashSet<String> specialContents = new java.util.LinkedHashSet<>();
        List<AddedToken> specialOrder = new ArrayList<>(), otherOrder = new ArrayList<>();
        List<AddedToken> declared = new ArrayList<>();
        for (JsonNode t : added) {
            if (!t.path("content").isTextual()) throw new TokenizerException("added_tokens.content", "added_tokens entry " + t.path("id") + " has no content string");
            if (!t.path("id").canConvertToInt()) throw new TokenizerException("added_tokens.id", "added_tokens entry has no integer id: " + t);
            boolean special = t.path("special").asBoolean(false);
            declared.add(new AddedToken(t.path("id").asInt(), t.path("content").asText(), t.path("single_word").asBoolean(false),
                    t.path("lstrip").asBoolean(false), t.path("rstrip").asBoolean(false), t.path("normalized").asBoolean(!special), special));
        }
        for (AddedToken t : declared) {
            if (t.special() && specialContents.add(t.content())) specialOrder.add(t);
        }
        for (AddedToken t : declared) {
            Integer known = addedIds.containsKey(t.content()) ? addedIds.get(t.content()) : vocab.get(t.content());
            int id;
            if (known != null) {
                id = known;
                AddedToken previous = addedById.get(id);
                if (previous != null && previous.equals(withId(t, id))) continue;
            } else {
                int maxAdded = addedIds.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
                id = maxAdded < 0 ? modelSize : (maxAdded >= modelSize || modelSize == 0 ? maxAdded + 1 : modelSize);
            }
            AddedToken assigned = withId(t, id);
            addedIds.put(t.content(), id);
            addedById.put(id, assigned);
            if (!specialContents.contains(t.content())) otherOrder.add(assigned);
            maxId = Math.max(maxId, id);
        }
        addedTokens = List.copyOf(addedById.values());
        addedTokenIds = Map.copyOf(addedIds);

        idToToken = new String[maxId + 1];
        idToBytes = new byte[maxId + 1][];
        specialIds = new boolean[maxId + 1];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) idToToken[e.getValue()] = e.getKey();
        for (AddedToken t : addedTokens) idToToken[t.id()] = t.content();
        for (int id = 0; id <= maxId; id++) {
            if (idToToken[id] == null) continue;
            idToBytes[id] = ByteLevel.decodeToken(idToToken[id]);
            specialIds[id] = specialContents.contains(idToToken[id]);
        }

        unkId = resolveUnk(model.path("unk_token"));
        bpe = readMerges(model.path("merges"));

        normalizers = readNormalizer(root.path("normalizer"), "normalizer");
        List<PreTokenStep> steps = new ArrayList<>();
        boolean[] sawByteLevel = new boolean[1];
        readPreTokenizer(root.path("pre_tokenizer"), "pre_tokenizer", steps, sawByteLevel);
        preTokenizer = List.copyOf(steps);
        byteLevel = sawByteLevel[0];
        JsonNode decoder = root.path("decoder");
        String decoderType = decoder.path("type").asText("");
        if (!decoderType.equals("ByteLevel")) throw new TokenizerException("decoder.type", "decoder.type \"" + decoderType + "\" is not supported; only ByteLevel");
        if (!byteLevel) throw new TokenizerException("pre_tokenizer", "pre_tokenizer has no ByteLevel step; only byte-level BPE is supported");
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.valueOf(ByteLevel.BYTE_TO_CHAR[b]));
            byteIds[b] = id == null ? -1 : id;
        }

        List<AddedToken> raw = new ArrayList<>(), normalizedTokens = new ArrayList<>();
        for (AddedToken t : specialOrder) (t.normalized() ? normalizedTokens : raw).add(withId(t, addedIds.get(t.content())));
        for (AddedToken t : otherOrder) (t.normalized() ? normalizedTokens : raw).add(t);
        rawAdded = new AddedTokenMatcher(raw, s -> s, addedById::get);
        normalizedAdded = new AddedTokenMatcher(normalizedTokens, this::normalize, addedById::get);

        configured = new SpecialIds(idOrMinus(names.bos), idOrMinus(names.eos), idOrMinus(names.pad), idOrMinus(names.unk));
    }

    private static AddedToken withId(AddedToken t, int id) {
        return new AddedToken(id, t.content(), t.singleWord(), t.lstrip(), t.rstrip(), t.normalized(), t.special());
    }

    private int idOrMinus(String token) {
        if (token == null) return -1;
        Integer id = tokenToId(token);
        return id == null ? -1 : id;
    }

    private int resolveUnk(JsonNode unk) {
        if (unk.isMissingNode() || unk.isNull()) return -1;
        Integer id = vocab.get(unk.asText());
        if (id == null) throw new TokenizerException("model.unk_token", "model.unk_token \"" + unk.asText() + "\" is not in model.vocab");
        return id;
    }

    private Bpe readMerges(JsonNode merges) {
        if (!merges.isArray()) throw new TokenizerException("model.merges", "model.merges must be an array");
        int n = merges.size();
        int[] lefts = new int[n], rights = new int[n], merged = new int[n];
        for (int rank = 0; rank < n; rank++) {
            JsonNode m = merges.get(rank);
            String left, right;
            if (m.isTextual()) {
                String s = m.asText();
                int space = s.indexOf(' ');
                if (space < 0 || s.indexOf(' ', space + 1) >= 0)
                    throw new TokenizerException("model.merges", "model.merges[" + rank + "] \"" + s + "\" is not two tokens separated by one space");
                left = s.substring(0, space);
                right = s.substring(space + 1);
            } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                left = m.get(0).asText();
                right = m.get(1).asText();
            } else {
                throw new TokenizerException("model.merges", "model.merges[" + rank + "] must be \"a b\" or [\"a\", \"b\"], not " + m);
            }
            lefts[rank] = vocabId(left, rank);
            rights[rank] = vocabId(right, rank);
            merged[rank] = vocabId(left + right, rank);
        }
        return new Bpe(lefts, rights, merged);
    }

    private int vocabId(String token, int rank) {
        Integer id = vocab.get(token);
        if (id == null) throw new TokenizerException("model.merges", "model.merges[" + rank + "] uses \"" + token + "\", which is not in model.vocab");
        return id;
    }

    private static List<Normalizer.Form> readNormalizer(JsonNode node, String field) {
        if (node.isMissingNode() || node.isNull()) return List.of();
        String type = node.path("type").asText("");
        return switch (type) {
            case "NFC" -> List.of(Normalizer.Form.NFC);
            case "NFD" -> List.of(Normalizer.Form.NFD);
            case "NFKC" -> List.of(Normalizer.Form.NFKC);
            case "NFKD" -> List.of(Normalizer.Form.NFKD);
            case "Sequence" -> {
                List<Normalizer.Form> forms = new ArrayList<>();
                int i = 0;
                for (JsonNode n : node.path("normalizers")) forms.addAll(readNormalizer(n, field + ".normalizers[" + i++ + "]"));
                yield forms;
            }
            default -> throw new TokenizerException(field + ".type", field + ".type \"" + type + "\" is not supported; only NFC, NFD, NFKC, NFKD and Sequence of them");
        };
    }

    private static void readPreTokenizer(JsonNode node, String field, List<PreTokenStep> steps, boolean[] sawByteLevel) {
        if (node.isMissingNode() || node.isNull()) return;
        String type = node.path("type").asText("");
        if (sawByteLevel[0]) throw new TokenizerException(field, field + " comes after the ByteLevel step; the byte mapping must be last");
        switch (type) {
            case "Sequence" -> {
                int i = 0;
                for (JsonNode n : node.path("pretokenizers")) readPreTokenizer(n, field + ".pretokenizers[" + i++ + "]", steps, sawByteLevel);
            }
            case "Split" -> {
                JsonNode pattern = node.path("pattern");
                Behavior behavior = switch (node.path("behavior").asText("")) {
                    case "Removed" -> Behavior.REMOVED;
                    case "Isolated" -> Behavior.ISOLATED;
                    case "MergedWithPrevious" -> Behavior.MERGED_WITH_PREVIOUS;
                    case "MergedWithNext" -> Behavior.MERGED_WITH_NEXT;
                    case "Contiguous" -> Behavior.CONTIGUOUS;
                    default -> throw new TokenizerException(field + ".behavior", field + ".behavior \"" + node.path("behavior").asText() + "\" is not one of Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous");
                };
                boolean invert = node.path("invert").asBoolean(false);
                if (pattern.has("Regex")) {
                    String regex = pattern.get("Regex").asText();
                    steps.add(new SplitStep(HfRegex.compile(regex, field + ".pattern.Regex"), null, behavior, invert,
                            regex.equals(QWEN2_PATTERN) && behavior == Behavior.ISOLATED && !invert));
                } else if (pattern.has("String")) {
                    String literal = pattern.get("String").asText();
                    if (literal.isEmpty()) throw new TokenizerException(field + ".pattern.String", field + ".pattern.String must not be empty");
                    steps.add(new SplitStep(null, literal, behavior, invert, false));
                } else {
                    throw new TokenizerException(field + ".pattern", field + ".pattern must be {\"Regex\": ...} or {\"String\": ...}");
                }
            }
            case "ByteLevel" -> {
                if (node.path("add_prefix_space").asBoolean(false)) steps.add(new PrefixSpaceStep());
                if (node.path("use_regex").asBoolean(true))
                    steps.add(new SplitStep(HfRegex.compile(GPT2_PATTERN, field), null, Behavior.ISOLATED, false, false));
                sawByteLevel[0] = true;
            }
            default -> throw new TokenizerException(field + ".type", field + ".type \"" + type + "\" is not supported; only Sequence, Split and ByteLevel");
        }
    }

    private record SpecialIdNames(String bos, String eos, String pad, String unk) {}

    /** Loads a tokenizer.json file, or a directory holding tokenizer.json and optionally tokenizer_config.json. */
    public static Tokenizer load(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        if (!Files.isRegularFile(file)) throw new TokenizerException("path", "tokenizer file " + file + " does not exist");
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new TokenizerException("tokenizer.json", file + " is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new TokenizerException("tokenizer.json", file + " does not hold a JSON object");
        Path configFile = file.resolveSibling("tokenizer_config.json");
        SpecialIdNames names = new SpecialIdNames(null, null, null, null);
        if (Files.isRegularFile(configFile)) {
            JsonNode config;
            try {
                config = JSON.readTree(configFile.toFile());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new TokenizerException("tokenizer_config.json", configFile + " is not valid JSON: " + e.getOriginalMessage());
            }
            names = new SpecialIdNames(tokenName(config, "bos_token"), tokenName(config, "eos_token"), tokenName(config, "pad_token"), tokenName(config, "unk_token"));
        }
        return new Tokenizer(root, names);
    }

    /** Reads a tokenizer from JSON text (no tokenizer_config.json). */
    public static Tokenizer fromJson(String json) {
        try {
            JsonNode root = JSON.readTree(json);
            if (root == null || !root.isObject()) throw new TokenizerException("tokenizer.json", "tokenizer JSON is not an object");
            return new Tokenizer(root, new SpecialIdNames(null, null, null, null));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new TokenizerException("tokenizer.json", "tokenizer JSON is not valid: " + e.getOriginalMessage());
        }
    }

    /** A special token entry in tokenizer_config.json: a string, an {"content": ...} object, or null. */
    private static String tokenName(JsonNode config, String key) {
        JsonNode v = config.path(key);
        if (v.isTextual()) return v.asText();
        if (v.isObject() && v.path("content").isTextual()) return v.path("content").asText();
        if (v.isMissingNode() || v.isNull()) return null;
        throw new TokenizerException("tokenizer_config.json." + key, key + " must be a string or {\"content\": ...}, not " + v);
    }

    // ---------------------------------------------------------------- encoding

    /** Ids of the text, no special tokens added (HF {@code encode(text, add_special_tokens=False)}). */
    public int[] encode(String text) {
        IntBuffer out = new IntBuffer(Math.max(16, text.length() / 3));
        String clean = replaceLoneSurrogates(text);
        if (rawAdded.isEmpty()) {
            encodeNormalizing(clean, out);
        } else {
            for (AddedTokenMatcher.Piece p : rawAdded.split(clean)) {
                if (p.tokenId() >= 0) out.add(p.tokenId());
                else encodeNormalizing(clean.substring(p.start(), p.end()), out);
            }
        }
        return out.toArray();
    }

    private void encodeNormalizing(String text, IntBuffer out) {
        String normalized = normalize(text);
        if (normalizedAdded.isEmpty()) {
            encodeWords(normalized, out);
            return;
        }
        for (AddedTokenMatcher.Piece p : normalizedAdded.split(normalized)) {
            if (p.tokenId() >= 0) out.add(p.tokenId());
            else encodeWords(normalized.substring(p.start(), p.end()), out);
        }
    }

    String normalize(String text) {
        String s = text;
        for (Normalizer.Form form : normalizers) {
            if (isAscii(s)) return s;
            s = HfNormalizer.normalize(s, form);
        }
        return s;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 0x80) return false;
        return true;
    }

    /** Splits by the pre-tokenizer steps, then BPE-encodes each word. */
    private void encodeWords(String text, IntBuffer out) {
        if (text.isEmpty()) return;
        List<String> pieces = List.of(text);
        for (PreTokenStep step : preTokenizer) {
            List<String> next = new ArrayList<>();
            for (String piece : pieces) {
                switch (step) {
                    case PrefixSpaceStep ignored -> next.add(piece.startsWith(" ") ? piece : " " + piece);
                    case SplitStep split -> split(piece, split, next);
                }
            }
            pieces = next;
        }
        for (String word : pieces) encodeWord(word, out);
    }

    /** Hugging Face's NormalizedString::split with a pattern and a behaviour; empty pieces are dropped. */
    private static void split(String text, SplitStep step, List<String> out) {
        if (step.qwen2()) {
            Qwen2Splitter.split(text, out);
            return;
        }
        // Offsets of (start, end, isMatch) covering the whole text.
        List<int[]> parts = new ArrayList<>();
        int prev = 0;
        if (step.regex() != null) {
            Matcher m = step.regex().matcher(text);
            while (m.find()) {
                if (prev != m.start()) parts.add(new int[] {prev, m.start(), 0});
                parts.add(new int[] {m.start(), m.end(), 1});
                prev = m.end();
            }
        } else {
            int at;
            while ((at = text.indexOf(step.literal(), prev)) >= 0) {
                if (prev != at) parts.add(new int[] {prev, at, 0});
                parts.add(new int[] {at, at + step.literal().length(), 1});
                prev = at + step.literal().length();
            }
        }
        if (prev != text.length()) parts.add(new int[] {prev, text.length(), 0});
        if (step.invert()) for (int[] p : parts) p[2] ^= 1;
        List<int[]> merged = new ArrayList<>();
        switch (step.behavior()) {
            case ISOLATED -> merged.addAll(parts);
            case REMOVED -> { for (int[] p : parts) if (p[2] == 0) merged.add(p); }
            case MERGED_WITH_PREVIOUS -> {
                boolean previousMatch = false;
                for (int[] p : parts) {
                    if (p[2] == 1 && !previousMatch && !merged.isEmpty()) merged.getLast()[1] = p[1];
                    else merged.add(p.clone());
                    previousMatch = p[2] == 1;
                }
            }
            case MERGED_WITH_NEXT -> {
                boolean previousMatch = false;
                for (int i = parts.size() - 1; i >= 0; i--) {
                    int[] p = parts.get(i);
                    if (p[2] == 1 && !previousMatch && !merged.isEmpty()) merged.getLast()[0] = p[0];
                    else merged.add(p.clone());
                    previousMatch = p[2] == 1;
                }
                java.util.Collections.reverse(merged);
            }
            case CONTIGUOUS -> {
                int previous = -1;
                for (int[] p : parts) {
                    if (p[2] == previous) merged.getLast()[1] = p[1];
                    else merged.add(p.clone());
                    previous = p[2];
                }
            }
        }
        for (int[] p : merged) if (p[1] > p[0]) out.add(text.substring(p[0], p[1]));
    }

    /** Forgets the remembered words (for benchmarks that measure merging, not the cache). */
    public void clearWordCache() {
        wordCache.clear();
    }

    void encodeWord(String word, IntBuffer out) {
        int[] cached = wordCache.get(word);
        if (cached == null) {
            cached = bpeWord(word);
            if (word.length() <= CACHED_WORD_MAX_CHARS && wordCache.size() < WORD_CACHE_LIMIT) wordCache.put(word, cached);
        }
        out.addAll(cached);
    }

    private int[] bpeWord(String word) {
        byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
        if (ignoreMerges) {
            Integer whole = vocab.get(ByteLevel.encode(bytes));
            if (whole != null) return new int[] {whole};
        }
        int[] symbols = new int[bytes.length * 2];
        int n = 0;
        // Bytes missing from a byte-level vocabulary go as in HF's BPE::merge_word: byte fallback tokens
        // for the character's UTF-8, else the unknown token (fused if asked), else nothing.
        boolean unknownPending = false;
        for (byte b : bytes) {
            int id = byteIds[b & 0xFF];
            if (id >= 0) {
                if (unknownPending) symbols = push(symbols, n++, unkId);
                unknownPending = false;
                symbols = push(symbols, n++, id);
                continue;
            }
            if (byteFallback) {
                byte[] charBytes = String.valueOf(ByteLevel.BYTE_TO_CHAR[b & 0xFF]).getBytes(StandardCharsets.UTF_8);
                int[] fallback = new int[charBytes.length];
                boolean all = true;
                for (int k = 0; k < charBytes.length && all; k++) {
                    Integer f = vocab.get(String.format("<0x%02X>", charBytes[k] & 0xFF));
                    if (f == null) all = false;
                    else fallback[k] = f;
                }
                if (all) {
                    for (int f : fallback) symbols = push(symbols, n++, f);
                    continue;
                }
            }
            if (unkId >= 0) {
                if (unknownPending && !fuseUnk) symbols = push(symbols, n++, unkId);
                unknownPending = true;
            }
        }
        if (unknownPending) symbols = push(symbols, n++, unkId);
        return bpe.merge(symbols, n);
    }

    private static int[] push(int[] symbols, int at, int id) {
        if (at == symbols.length) symbols = Arrays.copyOf(symbols, symbols.length * 2 + 4);
        symbols[at] = id;
        return symbols;
    }

    private static String replaceLoneSurrogates(String text) {
        int n = text.length();
        StringBuilder fixed = null;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (!Character.isSurrogate(c)) {
                if (fixed != null) fixed.append(c);
                continue;
            }
            boolean paired = Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                if (fixed != null) fixed.append(c).append(text.charAt(i + 1));
                i++;
            } else {
                if (fixed == null) fixed = new StringBuilder(n).append(text, 0, i);
                fixed.append('\uFFFD');
            }
        }
        return fixed == null ? text : fixed.toString();
    }

    // ---------------------------------------------------------------- decoding

    public String decode(int[] ids) {
        return decode(ids, 0, ids.length, false);
    }

    /** Text of ids[from, to) as HF {@code decode(ids, skip_special_tokens=False)}; unknown ids are skipped, as HF does. */
    public String decode(int[] ids, int from, int to) {
        return decode(ids, from, to, false);
    }

    public String decode(int[] ids, int from, int to, boolean skipSpecialTokens) {
        byte[] bytes = decodeBytes(ids, from, to, skipSpecialTokens);
        return Utf8.decodeLossy(bytes, 0, bytes.length);
    }

    /** The raw bytes of ids[from, to); they may end inside a UTF-8 character (see {@link #streamDecoder()}). */
    public byte[] decodeBytes(int[] ids, int from, int to, boolean skipSpecialTokens) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream((to - from) * 4);
        for (int i = from; i < to; i++) {
            byte[] b = tokenBytes(ids[i], skipSpecialTokens);
            if (b != null) out.writeBytes(b);
        }
        return out.toByteArray();
    }

    private byte[] tokenBytes(int id, boolean skipSpecialTokens) {
        if (id < 0 || id >= idToBytes.length) return null;
        if (skipSpecialTokens && specialIds[id]) return null;
        return idToBytes[id];
    }

    /** A decoder for ids arriving one at a time that emits only whole characters. */
    public StreamDecoder streamDecoder() {
        return new StreamDecoder(false);
    }

    public StreamDecoder streamDecoder(boolean skipSpecialTokens) {
        return new StreamDecoder(skipSpecialTokens);
    }

    /**
     * Incremental decoding: the texts returned by {@link #push} and then {@link #finish} concatenate to
     * exactly {@code decode} of all ids pushed, and a character split across tokens comes out whole, once.
     */
    public final class StreamDecoder {
        private final boolean skipSpecialTokens;
        private byte[] pending = new byte[8];
        private int pendingLength;

        private StreamDecoder(boolean skipSpecialTokens) {
            this.skipSpecialTokens = skipSpecialTokens;
        }

        public String push(int id) {
            byte[] b = tokenBytes(id, skipSpecialTokens);
            if (b == null || b.length == 0) return "";
            if (pendingLength + b.length > pending.length) pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + b.length));
            System.arraycopy(b, 0, pending, pendingLength, b.length);
            pendingLength += b.length;
            int complete = Utf8.completePrefix(pending, pendingLength);
            if (complete == 0) return "";
            String text = Utf8.decodeLossy(pending, 0, complete);
            System.arraycopy(pending, complete, pending, 0, pendingLength - complete);
            pendingLength -= complete;
            return text;
        }

        /** Whatever is held back (an unfinished character becomes U+FFFD, as decode would make it). */
        public String finish() {
            String text = Utf8.decodeLossy(pending, 0, pendingLength);
            pendingLength = 0;
            return text;
        }
    }

    // ---------------------------------------------------------------- vocabulary

    /** One more than the largest id (model and added tokens). */
    public int vocabSize() {
        return idToToken.length;
    }

    public Integer tokenToId(String token) {
        Integer added = addedTokenIds.get(token);
        return added != null ? added : vocab.get(token);
    }

    /** The token's string as the file writes it (byte-level form for model tokens), or null. */
    public String idToToken(int id) {
        return id >= 0 && id < idToToken.length ? idToToken[id] : null;
    }

    public boolean isSpecial(int id) {
        return id >= 0 && id < specialIds.length && specialIds[id];
    }

    public List<AddedToken> addedTokens() {
        return List.copyOf(addedTokens);
    }

    /** bos/eos/pad/unk ids named by tokenizer_config.json, -1 where it names none or is absent. */
    public SpecialIds specialIds() {
        return configured;
    }

    /** A growable int array, so that encoding does not box. */
    static final class IntBuffer {
        int[] data;
        int size;

        IntBuffer(int capacity) {
            data = new int[capacity];
        }

        void add(int v) {
            if (size == data.length) data = Arrays.copyOf(data, size * 2 + 1);
            data[size++] = v;
        }

        void addAll(int[] vs) {
            if (size + vs.length > data.length) data = Arrays.copyOf(data, Math.max(data.length * 2, size + vs.length));
            System.arraycopy(vs, 0, data, size, vs.length);
            size += vs.length;
        }

        int[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
