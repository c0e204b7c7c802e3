package org.zerotir.tokenizer;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Qwen2's pre-tokenizer split (Split with {@link Tokenizer#QWEN2_PATTERN}, Isolated) as a hand-written
 * scanner: one pass, no backtracking, no regex engine. The pattern matches every character, so the text is
 * cut into consecutive words; at each position the first alternative that matches wins:
 * <pre>
 * 1 (?i:'s|'t|'re|'ve|'m|'ll|'d)   contraction
 * 2 [^\r\n\p{L}\p{N}]?\p{L}+       letters, optionally after one other character
 * 3 \p{N}                          one number character
 * 4  ?[^\s\p{L}\p{N}]+[\r\n]*      symbols, optionally after one space, then line breaks
 * 5 \s*[\r\n]+                     whitespace up to its last line break
 * 6 \s+(?!\S)                      whitespace but the last one before a non-space
 * 7 \s+                            whitespace
 * </pre>
 * {@link #splitWithRegex} is the same split through java.util.regex, kept beside it to check it.
 */
final class Qwen2Splitter {
    private static final Pattern PATTERN = HfRegex.compile(Tokenizer.QWEN2_PATTERN, "pre_tokenizer");

    private Qwen2Splitter() {}

    /** The words of text in order; they concatenate to text. */
    static void split(String text, List<String> out) {
        int n = text.length();
        int i = 0;
        while (i < n) {
            int end = wordEnd(text, i, n);
            out.add(text.substring(i, end));
            i = end;
        }
    }

    private static int wordEnd(String s, int i, int n) {
        char first = s.charAt(i);
        if (first == '\'' && i + 1 < n) {
            char a = asciiLower(s.charAt(i + 1));
            // Case folding is Unicode's: 'ſ' (long s, U+017F) folds to 's'; no other character folds to these letters.
            if (a == 's' || a == 't' || a == 'm' || a == 'd' || a == '\u017F') return i + 2;
            if (i + 2 < n) {
                char b = asciiLower(s.charAt(i + 2));
                if ((a == 'r' || a == 'v') && b == 'e' || a == 'l' && b == 'l') return i + 3;
            }
        }
        int c = s.codePointAt(i);
        int width = Character.charCount(c);
        if (isLetter(c)) return skipLetters(s, i + width, n);
        boolean number = isNumber(c);
        if (c != '\r' && c != '\n' && !number && i + width < n) {
            int next = s.codePointAt(i + width);
            if (isLetter(next)) return skipLetters(s, i + width + Character.charCount(next), n);
        }
        if (number) return i + width;
        int symbols = c == ' ' ? i + 1 : i;
        if (symbols < n && isSymbol(s.codePointAt(symbols))) {
            int j = symbols;
            while (j < n) {
                int d = s.codePointAt(j);
                if (!isSymbol(d)) break;
                j += Character.charCount(d);
            }
            while (j < n && (s.charAt(j) == '\r' || s.charAt(j) == '\n')) j++;
            return j;
        }
        // Whitespace (every white-space character is one char): alternatives 5, 6, 7.
        int runEnd = i;
        int lastLineBreak = -1;
        while (runEnd < n && isWhiteSpace(s.charAt(runEnd))) {
            char w = s.charAt(runEnd);
            if (w == '\r' || w == '\n') lastLineBreak = runEnd;
            runEnd++;
        }
        if (lastLineBreak >= 0) return lastLineBreak + 1;
        if (runEnd == n || runEnd - i == 1) return runEnd;
        return runEnd - 1;
    }

    private static int skipLetters(String s, int j, int n) {
        while (j < n) {
            int d = s.codePointAt(j);
            if (!isLetter(d)) break;
            j += Character.charCount(d);
        }
        return j;
    }

    private static char asciiLower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }

    /** \p{L}: the five letter categories. */
    static boolean isLetter(int cp) {
        if (cp < 0x80) return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
        return Character.isLetter(cp);
    }

    /** \p{N}: decimal digits, letter numbers, other numbers. */
    static boolean isNumber(int cp) {
        if (cp < 0x80) return cp >= '0' && cp <= '9';
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
    }

    static boolean isWhiteSpace(int cp) {
        return AddedTokenMatcher.isWhiteSpace(cp);
    }

    /** [^\s\p{L}\p{N}] */
    private static boolean isSymbol(int cp) {
        return !isWhiteSpace(cp) && !isLetter(cp) && !isNumber(cp);
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
