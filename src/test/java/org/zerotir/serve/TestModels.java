package org.zerotir.serve;

import org.zerotir.engine.ModelConfig;
import org.zerotir.engine.ParameterLayout;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.checkpoint.HuggingFaceCheckpoint;
import org.zerotir.engine.cpu.CpuBackend;
import org.zerotir.tokenizer.Tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Models whose output the tests know in advance, built in Qwen2.5's vocabulary with its real tokenizer. The
 * bigram model's layers add nothing to the residual stream (zero output projections), so its next token depends
 * on the current token only, through weights set by hand: its embedding gives each chosen token its own
 * direction and its output head sends that direction to the chosen successor with a logit of 80, every other
 * token to end-of-text. Sampling at any temperature up to 2 then follows the chain: the server's text, stops,
 * batching and tool calls can be checked exactly on the real engine, tokenizer and sandbox.
 */
public final class TestModels {
    private TestModels() {}

    public static final Path TOKENIZER = org.zerotir.SharedData.DIR.resolve("qwen2.5-tokenizer/tokenizer.json");
    /** Counting: each word is followed by the next; " ten" by end-of-text. */
    public static final String[] WORDS = {" one", " two", " three", " four", " five", " six", " seven", " eight", " nine", " ten"};

    /**
     * The successors: the counting chain, " ping" <-> " pong" for ever (a long answer to cut short), the closing
     * fence after ")\n" (a prompt ending inside a code block gets it closed), and the chat template's last token
     * to " one".
     */
    public static Map<String, String> successors(Tokenizer tokenizer) {
        Map<String, String> next = new LinkedHashMap<>();
        for (int i = 0; i + 1 < WORDS.length; i++) next.put(WORDS[i], WORDS[i + 1]);
        next.put(" ping", " pong");
        next.put(" pong", " ping");
        next.put(")\n", "```");
        return next;
    }

    public static Path bigramModel(Path directory, String chatPromptEnd) throws Exception {
        Tokenizer tokenizer = withTokenizer(directory);
        Map<Integer, Integer> next = new LinkedHashMap<>();
        for (var e : successors(tokenizer).entrySet()) next.put(single(tokenizer, e.getKey()), single(tokenizer, e.getValue()));
        int[] chatEnd = tokenizer.encode(chatPromptEnd);
        next.put(chatEnd[chatEnd.length - 1], single(tokenizer, WORDS[0]));
        return writeSuccessorModel(directory, tokenizer, next);
    }

    /** Creates the directory with Qwen2.5's tokenizer (end-of-text as EOS and padding) and returns it loaded. */
    public static Tokenizer withTokenizer(Path directory) throws Exception {
        Files.createDirectories(directory);
        Files.copy(TOKENIZER, directory.resolve("tokenizer.json"));
        Files.writeString(directory.resolve("tokenizer_config.json"),
                "{\"eos_token\": \"<|endoftext|>\", \"pad_token\": \"<|endoftext|>\", \"bos_token\": null}");
        return Tokenizer.load(directory);
    }

    /** Writes the weights of a model that sends each key token to its value token and every other token to end-of-text. */
    public static Path writeSuccessorModel(Path directory, Tokenizer tokenizer, Map<Integer, Integer> next) throws Exception {
        int eos = tokenizer.specialIds().eos();
        int hidden = 64, vocab = 151936;
        if (next.size() + 1 > hidden) throw new IllegalStateException("too many chosen tokens for the hidden size");
        ModelConfig config = new ModelConfig(vocab, hidden, 64, 1, 2, 1, 2048, 1e6, 1e-6, false, false);
        ParameterLayout layout = ParameterLayout.of(config);
        float[] host = new float[Math.toIntExact(layout.totalSize())];
        for (ParameterLayout.Entry e : layout.entries()) {
            if (e.name().endsWith("norm.weight")) java.util.Arrays.fill(host, (int) e.offset(), (int) (e.offset() + e.size()), 1f);
        }
        long embedding = layout.get(ParameterLayout.EMBEDDING).offset(), head = layout.get(ParameterLayout.LM_HEAD).offset();
        for (int token = 0; token < vocab; token++) host[(int) (embedding + (long) token * hidden)] = 1f; // direction 0: "any other"
        host[(int) (head + (long) eos * hidden)] = 10f;                                                   // other -> end of text
        int direction = 1;
        for (var e : next.entrySet()) {
            long row = embedding + (long) e.getKey() * hidden;
            host[(int) row] = 0f;
            host[(int) (row + direction)] = 1f;
            host[(int) (head + (long) e.getValue() * hidden + direction)] = 10f;
            direction++;
        }
        try (CpuBackend backend = new CpuBackend(2); Transformer model = new Transformer(backend, config)) {
            backend.copyFromHost(host, model.parameters());
            HuggingFaceCheckpoint.save(model, directory);
        }
        return directory;
    }

    public static int single(Tokenizer tokenizer, String text) {
        int[] ids = tokenizer.encode(text);
        if (ids.length != 1) throw new IllegalStateException("\"" + text.replace("\n", "\\n") + "\" is " + ids.length + " tokens, not one");
        return ids[0];
    }

    /** What the counting chain writes after a prompt ending in WORDS[from]. */
    public static String countFrom(int from) {
        StringBuilder text = new StringBuilder();
        for (int i = from + 1; i < WORDS.length; i++) text.append(WORDS[i]);
        return text.toString();
    }
}
