package org.zerotir.tokenizer;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-written Qwen2 scanner against the regex it replaces (itself checked against Hugging Face). */
class Qwen2SplitterTest {

    @Test
    void knownSplits() {
        assertEquals(List.of("Hello", " world", "'s", " ", "1", "2", "3", " (", "x", ")\n\n", "  ", " y", "   "), split("Hello world's 123 (x)\n\n   y   "));
        assertEquals(List.of("'S", "x", " '", "ll", "'LL", "'re"), split("'Sx 'll'LL're"));
        assertEquals(List.of("a", " \n\n", "\tb", "  \n", " c"), split("a \n\n\tb  \n c"));
    }

    @Test
    void everyCodePointInContextsSplitsAsTheRegexDoes() {
        List<String> mismatches = new ArrayList<>();
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            if (cp >= 0xD800 && cp <= 0xDFFF) continue;
            String c = Character.toString(cp);
            String text = "'" + c + " a" + c + "b " + c + c + "1" + c + "\n" + c + " \n " + c + "  " + c + "'" + c + c + " ";
            if (!split(text).equals(regex(text))) mismatches.add(String.format("U+%04X", cp));
            if (mismatches.size() > 20) break;
        }
        assertEquals(List.of(), mismatches);
    }

    @Test
    void corporaSplitAsTheRegexDoes() throws IOException {
        List<String> texts = new ArrayList<>(TokenizerParityTest.math500Texts());
        texts.addAll(TokenizerParityTest.pythonSnippets());
        texts.addAll(TokenizerParityTest.whitespaceRuns(5000, 31));
        texts.addAll(TokenizerParityTest.scriptsAndEmoji());
        texts.addAll(TokenizerParityTest.randomByteStrings(5000, 32));
        texts.addAll(TokenizerParityTest.randomUnicode(5000, 33));
        for (String text : texts) assertEquals(regex(text), split(text), () -> TokenizerParityTest.escape(text));
        assertTrue(texts.size() > 16_000);
    }

    private static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        Qwen2Splitter.split(text, out);
        return out;
    }

    private static List<String> regex(String text) {
        List<String> out = new ArrayList<>();
        Qwen2Splitter.splitWithRegex(text, out);
        return out;
    }
}
