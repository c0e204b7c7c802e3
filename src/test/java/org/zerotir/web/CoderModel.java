package org.zerotir.web;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.zerotir.engine.ModelConfig;
import org.zerotir.engine.ParameterLayout;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.checkpoint.HuggingFaceCheckpoint;
import org.zerotir.engine.cpu.CpuBackend;
import org.zerotir.serve.TestModels;
import org.zerotir.tokenizer.Tokenizer;

/**
 * A model that answers every chat with a Python block, built the way {@link TestModels#bigramModel} builds its
 * counting model (each chosen token sends the next one with a large logit, everything else ends the text):
 * after the chat prompt it writes {@code ```python\nprint(6*7)\n```}, which the server runs, so the playground
 * test can watch an execution arrive in the stream.
 */
final class CoderModel {
    private CoderModel() {}

    /** The answer, token by token; each string must be one token of Qwen2.5's vocabulary. */
    static final List<String> CHAIN = List.of("```", "python", "\n", "print", "(", "6", "*", "7", ")\n", "```");

    static Path build(Path directory, String chatPromptEnd) throws Exception {
        Files.createDirectories(directory);
        Files.copy(TestModels.TOKENIZER, directory.resolve("tokenizer.json"));
        Files.writeString(directory.resolve("tokenizer_config.json"),
                "{\"eos_token\": \"<|endoftext|>\", \"pad_token\": \"<|endoftext|>\", \"bos_token\": null}");
        Tokenizer tokenizer = Tokenizer.load(directory);
        int eos = tokenizer.specialIds().eos();
        int[] chatEnd = tokenizer.encode(chatPromptEnd);
        Map<Integer, Integer> next = new LinkedHashMap<>();
        int previous = chatEnd[chatEnd.length - 1];
        for (String text : CHAIN.subList(0, CHAIN.size() - 1)) {
            int token = single(tokenizer, text);
            next.putIfAbsent(previous, token);
            previous = token;
        }
        // the closing fence: its successor is never reached (the server appends the output block after it)
        next.putIfAbsent(previous, single(tokenizer, CHAIN.getLast()));
        int hidden = 64, vocab = 151936;
        ModelConfig config = new ModelConfig(vocab, hidden, 64, 1, 2, 1, 2048, 1e6, 1e-6, false, false);
        ParameterLayout layout = ParameterLayout.of(config);
        float[] host = new float[Math.toIntExact(layout.totalSize())];
        for (ParameterLayout.Entry e : layout.entries()) {
            if (e.name().endsWith("norm.weight")) java.util.Arrays.fill(host, (int) e.offset(), (int) (e.offset() + e.size()), 1f);
        }
        long embedding = layout.get(ParameterLayout.EMBEDDING).offset(), head = layout.get(ParameterLayout.LM_HEAD).offset();
        for (int token = 0; token < vocab; token++) host[(int) (embedding + (long) token * hidden)] = 1f;
        host[(int) (head + (long) eos * hidden)] = 10f;
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

    private static int single(Tokenizer tokenizer, String text) {
        int[] ids = tokenizer.encode(text);
        if (ids.length != 1) throw new IllegalStateException("\"" + text.replace("\n", "\\n") + "\" is " + ids.length + " tokens, not one");
        return ids[0];
    }
}
