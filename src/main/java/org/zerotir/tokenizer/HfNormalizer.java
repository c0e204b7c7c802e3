package org.zerotir.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.BitSet;

/**
 * Unicode normalization as Hugging Face {@code tokenizers} does it. Its tables are older than Java's: code
 * points added since (listed in {@code tokenizer/normalization-unknown.txt}) are unknown there, so they keep
 * combining class 0 and compose with nothing. Text is therefore normalized by Java between such code points,
 * which stay as they are. (Unicode's stability policy keeps everything else the same in both.)
 */
final class HfNormalizer {
    private static final BitSet UNKNOWN = load();
    private static final int LOWEST_UNKNOWN = UNKNOWN.nextSetBit(0);

    private HfNormalizer() {}

    static String normalize(String text, Normalizer.Form form) {
        if (!containsUnknown(text)) return Normalizer.isNormalized(text, form) ? text : Normalizer.normalize(text, form);
        StringBuilder out = new StringBuilder(text.length() + 8);
        int segmentStart = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int width = Character.charCount(cp);
            if (cp >= LOWEST_UNKNOWN && UNKNOWN.get(cp)) {
                out.append(Normalizer.normalize(text.subSequence(segmentStart, i), form));
                out.appendCodePoint(cp);
                segmentStart = i + width;
            }
            i += width;
        }
        out.append(Normalizer.normalize(text.subSequence(segmentStart, text.length()), form));
        return out.toString();
    }

    private static boolean containsUnknown(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < LOWEST_UNKNOWN) continue;
            int cp = text.codePointAt(i);
            if (UNKNOWN.get(cp)) return true;
        }
        return false;
    }

    private static BitSet load() {
        BitSet set = new BitSet();
        try (InputStream in = HfNormalizer.class.getResourceAsStream("/tokenizer/normalization-unknown.txt")) {
            if (in == null) throw new IllegalStateException("resource tokenizer/normalization-unknown.txt is missing from the classpath");
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) continue;
                int dots = line.indexOf("..");
                int first = Integer.parseInt(dots < 0 ? line : line.substring(0, dots), 16);
                int last = dots < 0 ? first : Integer.parseInt(line.substring(dots + 2), 16);
                set.set(first, last + 1);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return set;
    }
}
