package org.zerotir.web;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.zerotir.serve.TestModels;
import org.zerotir.tokenizer.Tokenizer;

/**
 * A model that answers every chat with a Python block, built the way {@link TestModels#bigramModel} builds its
 * counting model (each chosen token sends the next one with a large logit, everything else ends the text):
 * after the chat prompt it writes {@code ```python\nprint(6*7)\n```}, which the server runs, so the playground
 * test can watch an execution arrive in the stream.
 */
public final class CoderModel {
    private CoderModel() {}

    /** The answer, token by token; each string must be one token of Qwen2.5's vocabulary. */
    public static final List<String> CHAIN = List.of("```", "python", "\n", "print", "(", "6", "*", "7", ")\n", "```");

    public static Path build(Path directory, String chatPromptEnd) throws Exception {
        Tokenizer tokenizer = TestModels.withTokenizer(directory);
        int[] chatEnd = tokenizer.encode(chatPromptEnd);
        Map<Integer, Integer> next = new LinkedHashMap<>();
        int previous = chatEnd[chatEnd.length - 1];
        for (String text : CHAIN.subList(0, CHAIN.size() - 1)) {
            int token = TestModels.single(tokenizer, text);
            next.putIfAbsent(previous, token);
            previous = token;
        }
        // the closing fence: its successor is never reached (the server appends the output block after it)
        next.putIfAbsent(previous, TestModels.single(tokenizer, CHAIN.getLast()));
        return TestModels.writeSuccessorModel(directory, tokenizer, next);
    }
}
