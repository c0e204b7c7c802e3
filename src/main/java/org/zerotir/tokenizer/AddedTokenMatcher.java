package org.zerotir.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits text around added tokens as {@code AddedVocabulary::find_matches} does: non-overlapping
 * leftmost-longest matches (Aho-Corasick LeftmostLongest); a match rejected by {@code single_word} still
 * consumes its span; {@code lstrip}/{@code rstrip} widen the split over Unicode whitespace.
 */
final class AddedTokenMatcher {
    /** A piece of text: token id >= 0 for an added token, -1 for text to tokenize further. */
    record Piece(int tokenId, int start, int end) {}

    /** Candidates by first char, longest first. */
    private final Map<Character, List<Candidate>> byFirstChar = new HashMap<>();
    private final boolean[] firstCharBits = new boolean[65536];
    private final boolean empty;

    private record Candidate(String pattern, int id) {}

    /** Flags of a matched id: the last token declared with that content, as HF keeps them. */
    private final java.util.function.IntFunction<AddedToken> flagsOf;

    AddedTokenMatcher(List<AddedToken> tokens, java.util.function.UnaryOperator<String> normalize, java.util.function.IntFunction<AddedToken> flagsOf) {
        this.flagsOf = flagsOf;
        for (AddedToken t : tokens) {
            String pattern = normalize.apply(t.content());
            if (pattern.isEmpty()) continue;
            char first = pattern.charAt(0);
            // The first pattern wins among equal contents, as in the automaton built from the list.
            List<Candidate> list = byFirstChar.computeIfAbsent(first, c -> new ArrayList<>());
            if (list.stream().noneMatch(c -> c.pattern.equals(pattern))) list.add(new Candidate(pattern, t.id()));
            firstCharBits[first] = true;
        }
        for (List<Candidate> list : byFirstChar.values()) list.sort(Comparator.comparingInt((Candidate c) -> -c.pattern.length()));
        empty = byFirstChar.isEmpty();
    }

    boolean isEmpty() {
        return empty;
    }

    List<Piece> split(String text) {
        List<Piece> pieces = new ArrayList<>();
        int startOffset = 0;
        int searchFrom = 0;
        int n = text.length();
        while (searchFrom < n) {
            int matchStart = -1;
            Candidate found = null;
            for (int i = searchFrom; i < n && found == null; i++) {
                if (!firstCharBits[text.charAt(i)]) continue;
                for (Candidate c : byFirstChar.get(text.charAt(i))) {
                    if (text.startsWith(c.pattern, i)) {
                        found = c;
                        matchStart = i;
                        break;
                    }
                }
            }
            if (found == null) break;
            int start = matchStart;
            int stop = matchStart + found.pattern.length();
            searchFrom = stop;
            AddedToken token = flagsOf.apply(found.id);
            if (token.singleWord()) {
                boolean startSpace = start == 0 || !isWordChar(text.codePointBefore(start));
                boolean stopSpace = stop == n || !isWordChar(text.codePointAt(stop));
                if (!startSpace || !stopSpace) continue;
            }
            if (token.lstrip()) {
                int newStart = start;
                while (newStart > 0 && isWhiteSpace(text.codePointBefore(newStart))) newStart -= Character.charCount(text.codePointBefore(newStart));
                start = Math.max(newStart, startOffset);
            }
            if (token.rstrip()) {
                while (stop < n && isWhiteSpace(text.codePointAt(stop))) stop += Character.charCount(text.codePointAt(stop));
            }
            if (startOffset < start) pieces.add(new Piece(-1, startOffset, start));
            pieces.add(new Piece(token.id(), start, stop));
            startOffset = stop;
        }
        if (startOffset < n) pieces.add(new Piece(-1, startOffset, n));
        return pieces;
    }

    /** Rust regex's Unicode \w: alphabetic, marks, decimal digits, connector punctuation, joiners. */
    static boolean isWordChar(int cp) {
        if (Character.isAlphabetic(cp)) return true;
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || type == Character.COMBINING_SPACING_MARK
                || type == Character.DECIMAL_DIGIT_NUMBER || type == Character.CONNECTOR_PUNCTUATION || cp == 0x200C || cp == 0x200D;
    }

    /** Unicode White_Space (Rust's \s and char::is_whitespace). */
    static boolean isWhiteSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A)
                || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }
}
