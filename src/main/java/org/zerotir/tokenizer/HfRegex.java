package org.zerotir.tokenizer;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Hugging Face pre-tokenizer patterns (Oniguruma syntax) as java.util.regex patterns. The constructs these
 * patterns use mean the same in both engines except these, which are rewritten: {@code \s \d \w} and
 * their negations are Unicode classes in Oniguruma but ASCII in Java, and {@code (?i)} folds case by Unicode.
 */
final class HfRegex {
    /** Unicode White_Space, the set Oniguruma's \s matches on UTF-8 text. */
    static final String WHITE_SPACE = "\\t\\n\\x0B\\f\\r \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";

    /** Oniguruma's Unicode \w: letters, marks, decimal digits, connector punctuation. */
    static final String WORD = "\\p{L}\\p{M}\\p{Nd}\\p{Pc}";

    private HfRegex() {}

    static Pattern compile(String onigPattern, String field) {
        StringBuilder java = new StringBuilder(onigPattern.length() + 64);
        int classDepth = 0;
        for (int i = 0; i < onigPattern.length(); i++) {
            char c = onigPattern.charAt(i);
            if (c == '\\' && i + 1 < onigPattern.length()) {
                char next = onigPattern.charAt(++i);
                if (next == 's') {
                    java.append(classDepth > 0 ? WHITE_SPACE : "[" + WHITE_SPACE + "]");
                } else if (next == 'S') {
                    if (classDepth > 0) throw new TokenizerException(field, "pattern " + field + ": \\S inside a character class is not supported: " + onigPattern);
                    java.append("[^").append(WHITE_SPACE).append(']');
                } else if (next == 'd') {
                    java.append("\\p{Nd}");
                } else if (next == 'D') {
                    java.append("\\P{Nd}");
                } else if (next == 'w') {
                    java.append(classDepth > 0 ? WORD : "[" + WORD + "]");
                } else if (next == 'W') {
                    if (classDepth > 0) throw new TokenizerException(field, "pattern " + field + ": \\W inside a character class is not supported: " + onigPattern);
                    java.append("[^").append(WORD).append(']');
                } else {
                    java.append(c).append(next);
                }
                continue;
            }
            if (c == '[') classDepth++;
            else if (c == ']' && classDepth > 0) classDepth--;
            else if (c == '(' && classDepth == 0 && onigPattern.startsWith("(?i", i)) {
                java.append("(?iu");
                i += 2;
                continue;
            }
            java.append(c);
        }
        try {
            return Pattern.compile(java.toString());
        } catch (PatternSyntaxException e) {
            throw new TokenizerException(field, "pattern " + field + " is not a valid regular expression: " + e.getDescription() + " in " + onigPattern);
        }
    }
}
