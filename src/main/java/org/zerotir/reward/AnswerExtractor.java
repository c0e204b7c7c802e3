package org.zerotir.reward;

import java.util.Locale;

/**
 * Finds the final answer in a model's response (or in a data set's worked solution). All scans are linear
 * in the text and iterative, so a response of ten thousand nested braces or a megabyte of digits costs
 * milliseconds, never a stack overflow.
 */
public final class AnswerExtractor {

    /** Which fallbacks apply after the last {@code \boxed{}}. */
    public enum Style {
        /** MATH, AIME, AMC: the last boxed answer, else the text after "the answer is" */
        MATH,
        /** GSM8K: as MATH, and the {@code #### n} gold line and finally the last number in the text */
        NUMBER
    }

    /** Longer "answers" are the model rambling inside a box, not an answer; they are cut here. */
    static final int MAX_ANSWER_CHARS = 2_000;
    /** Unclosed boxes looked at before giving up, so a response of a million "\boxed{" stays linear. */
    private static final int MAX_BOX_ATTEMPTS = 16;

    private AnswerExtractor() {}

    public static Extraction extract(String text, Style style) {
        if (text == null || text.isEmpty()) return Extraction.NONE;
        String boxed = lastBoxed(text);
        if (boxed != null) return new Extraction(Extraction.Kind.BOXED, boxed);
        if (style == Style.NUMBER) {
            String marked = hashMarker(text);
            if (marked != null) return new Extraction(Extraction.Kind.HASH_MARKER, marked);
        }
        String phrase = answerPhrase(text);
        if (phrase != null) return new Extraction(Extraction.Kind.ANSWER_PHRASE, phrase);
        if (style == Style.NUMBER) {
            String number = lastNumber(text);
            if (number != null) return new Extraction(Extraction.Kind.LAST_NUMBER, number);
        }
        return Extraction.NONE;
    }

    /** Content of the last complete, non-empty {@code \boxed{...}} / {@code \fbox{...}} / {@code \boxed x}; null if none. */
    public static String lastBoxed(String text) {
        int end = text.length();
        for (int attempt = 0; attempt < MAX_BOX_ATTEMPTS; attempt++) {
            int boxed = text.lastIndexOf("\\boxed", end - 1);
            int fbox = text.lastIndexOf("\\fbox", end - 1);
            int start = Math.max(boxed, fbox);
            if (start < 0) return null;
            int contentFrom = start + (start == boxed ? 6 : 5);
            String content = boxContent(text, contentFrom);
            if (content != null && !content.isBlank()) return content.strip();
            end = start;
            if (end == 0) return null;
        }
        return null;
    }

    /** The braced group at from (after spaces), or the bare token of {@code \boxed 5}; null when unclosed. */
    private static String boxContent(String text, int from) {
        int i = from;
        while (i < text.length() && text.charAt(i) == ' ') i++;
        if (i < text.length() && text.charAt(i) == '{') {
            int close = matchingBrace(text, i, MAX_ANSWER_CHARS * 8);
            return close < 0 ? null : cut(text.substring(i + 1, close));
        }
        if (i == from) return null; // "\boxedx": another command, not a box
        int j = i;
        while (j < text.length() && j - i < MAX_ANSWER_CHARS) {
            char c = text.charAt(j);
            if (c == '$' || c == '\n' || (c == '\\' && text.startsWith("\\]", j))) break;
            j++;
        }
        return text.substring(i, j);
    }

    /**
     * Index of the '}' closing the '{' at open, looking at most limit characters ahead; -1 if none. A backslash
     * escapes the next character, so {@code \{} and {@code \}} (LaTeX set braces) do not count.
     */
    static int matchingBrace(String text, int open, int limit) {
        int depth = 0;
        int end = (int) Math.min(text.length(), (long) open + limit);
        for (int i = open; i < end; i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                if (--depth == 0) return i;
            }
        }
        return -1;
    }

    /** Characters allowed after {@code </answer>} ("almost nothing", in the paper's format rule). */
    static final int MAX_AFTER_ANSWER_TAG = 16;

    /**
     * The text between {@code <answer>} and {@code </answer>} when the response keeps the paper's format: exactly
     * one {@code </think>}, {@code <answer>} and {@code </answer>}, in that order, and at most
     * {@value #MAX_AFTER_ANSWER_TAG} non-space characters after the last; null otherwise.
     */
    public static String taggedAnswer(String text) {
        if (text == null) return null;
        int think = onlyOccurrence(text, "</think>"), open = onlyOccurrence(text, "<answer>"), close = onlyOccurrence(text, "</answer>");
        if (think < 0 || open < 0 || close < 0 || !(think < open && open < close)) return null;
        int after = 0;
        for (int i = close + "</answer>".length(); i < text.length(); i++) if (!Character.isWhitespace(text.charAt(i))) after++;
        if (after > MAX_AFTER_ANSWER_TAG) return null;
        return text.substring(open + "<answer>".length(), close);
    }

    /** Index of the one occurrence of tag, -1 when it is missing or repeated. */
    private static int onlyOccurrence(String text, String tag) {
        int first = text.indexOf(tag);
        return first >= 0 && text.indexOf(tag, first + 1) < 0 ? first : -1;
    }

    /** The rest of the line after the last {@code ####}, commas removed (GSM8K's gold format). */
    static String hashMarker(String text) {
        int at = text.lastIndexOf("####");
        if (at < 0) return null;
        int lineEnd = text.indexOf('\n', at);
        String rest = text.substring(at + 4, lineEnd < 0 ? text.length() : lineEnd).replace(",", "").replace("$", "").strip();
        return rest.isEmpty() ? null : cut(rest);
    }

    /** The sentence after the last "answer is" / "answer:", without dollar signs or the closing period. */
    static String answerPhrase(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        int is = lower.lastIndexOf("answer is");
        int colon = lower.lastIndexOf("answer:");
        int from;
        if (is < 0 && colon < 0) return null;
        from = is > colon ? is + "answer is".length() : colon + "answer:".length();
        int i = from;
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == ':' || text.charAt(i) == '\t')) i++;
        int j = i;
        while (j < text.length() && j - i < MAX_ANSWER_CHARS) {
            char c = text.charAt(j);
            if (c == '\n') break;
            if (c == '.' && (j + 1 == text.length() || Character.isWhitespace(text.charAt(j + 1)))
                    && !(j > i && Character.isDigit(text.charAt(j - 1)) && j + 1 < text.length() && Character.isDigit(text.charAt(j + 1)))) break;
            j++;
        }
        String answer = text.substring(i, j).replace("$", "").strip();
        if (answer.startsWith("\\(") && answer.endsWith("\\)")) answer = answer.substring(2, answer.length() - 2).strip();
        return answer.isEmpty() ? null : answer;
    }

    /** The last number (sign, thousands commas, decimals) in the text, commas removed; null if it has no digit. */
    static String lastNumber(String text) {
        int end = text.length() - 1;
        while (end >= 0 && !Character.isDigit(text.charAt(end))) end--;
        if (end < 0) return null;
        int start = end;
        while (start > 0) {
            char c = text.charAt(start - 1);
            if (Character.isDigit(c)) {
                start--;
            } else if ((c == ',' || c == '.') && start >= 2 && Character.isDigit(text.charAt(start - 2))) {
                start--;
            } else {
                break;
            }
        }
        if (start > 0 && text.charAt(start - 1) == '.') start--;
        if (start > 0 && text.charAt(start - 1) == '-') start--;
        String number = text.substring(start, end + 1).replace(",", "");
        return cut(number);
    }

    private static String cut(String answer) {
        return answer.length() > MAX_ANSWER_CHARS ? answer.substring(0, MAX_ANSWER_CHARS) : answer;
    }
}
