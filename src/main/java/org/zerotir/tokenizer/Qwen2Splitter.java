package org.zerotir.tokenizer;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Qwen2's pre-tokenizer split (Split with {@link Tokenizer#QWEN2_PATTERN}, Isolated). */
final class Qwen2Splitter {
    private static final Pattern PATTERN = HfRegex.compile(Tokenizer.QWEN2_PATTERN, "pre_tokenizer");

    private Qwen2Splitter() {}

    /** The words of text in order; they concatenate to text (the pattern matches every character). */
    static void split(String text, List<String> out) {
        splitWithRegex(text, out);
    }

    static void splitWithRegex(String text, List<String> out) {
        Matcher m = PATTERN.matcher(text);
        int prev = 0;
        while (m.find()) {
            if (prev != m.start()) out.add(text.substring(prev, m.start()));
            out.add(text.substring(m.start(), m.end()));
            prev = m.end();
        }
        if (prev != text.length()) out.add(text.substring(prev));
    }
}
