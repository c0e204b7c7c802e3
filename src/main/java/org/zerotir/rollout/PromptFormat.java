package org.zerotir.rollout;

import org.zerotir.tokenizer.PromptTemplate;
import org.zerotir.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How problems are put to a model and where its responses end: its tokenizer, a prompt template, the stop
 * tokens (end of sequence, and the chat end-of-turn) and stop strings. The ZeroTIR templates stop where the
 * paper's code does: at {@code </answer>} or when the model starts writing the next speaker's turn.
 */
public record PromptFormat(Tokenizer tokenizer, PromptTemplate template, Set<Integer> stopTokens, List<String> stopStrings) {

    private static final Map<String, List<String>> STOP_STRINGS = Map.of(
            "zerotir", List.of("</answer>", "User:", "Human:", "Assistant:"),
            "zerorl", List.of("</answer>", "User:", "Human:", "Assistant:"),
            "chatml", List.of(),
            "mini", List.of());
    private static final Map<String, List<String>> STOP_TOKENS = Map.of("chatml", List.of("<|im_end|>"));

    /** Reads the tokenizer of a Hugging Face model directory and checks that it can speak the template. */
    public static PromptFormat open(Path modelDirectory, String templateName) throws IOException {
        Tokenizer tokenizer = Tokenizer.load(modelDirectory);
        PromptTemplate template = PromptTemplate.load(templateName);
        Set<Integer> stops = new HashSet<>();
        if (tokenizer.specialIds().eos() < 0) {
            throw new IllegalArgumentException("the tokenizer in " + modelDirectory + " names no end-of-sequence token (tokenizer_config.json eos_token)");
        }
        stops.add(tokenizer.specialIds().eos());
        for (String token : STOP_TOKENS.getOrDefault(templateName, List.of())) {
            Integer id = tokenizer.tokenToId(token);
            if (id == null) {
                throw new IllegalArgumentException("template " + templateName + " needs the token " + token
                        + ", which the vocabulary in " + modelDirectory + " lacks");
            }
            stops.add(id);
        }
        return new PromptFormat(tokenizer, template, Set.copyOf(stops), STOP_STRINGS.getOrDefault(templateName, List.of()));
    }

    public TextCodec codec() {
        return new TokenizerCodec(tokenizer);
    }

    public String prompt(String problem) {
        return template.render(problem);
    }
}
