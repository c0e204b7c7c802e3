package org.zerotir.tokenizer;

/**
 * UTF-8 decoding as Rust's {@code String::from_utf8_lossy} does it (what Hugging Face's ByteLevel decoder
 * returns): each maximal ill-formed subpart becomes one U+FFFD (Unicode §3.9, "substitution of maximal
 * subparts"). Also where a byte stream can be cut without splitting a character.
 */
public final class Utf8 {
    private Utf8() {}

    public static String decodeLossy(byte[] bytes, int from, int to) {
        StringBuilder out = new StringBuilder(to - from);
        int i = from;
        while (i < to) {
            int lead = bytes[i] & 0xFF;
            if (lead < 0x80) {
                out.append((char) lead);
                i++;
                continue;
            }
            int need = continuationCount(lead);
            if (need == 0) {
                out.append('\uFFFD');
                i++;
                continue;
            }
            int codePoint = lead & (0x3F >> need);
            int j = i + 1;
            boolean complete = true;
            for (int k = 0; k < need; k++) {
                if (j >= to || !continuationFits(lead, k, bytes[j] & 0xFF)) {
                    complete = false;
                    break;
                }
                codePoint = (codePoint << 6) | (bytes[j] & 0x3F);
                j++;
            }
            if (complete) out.appendCodePoint(codePoint);
            else out.append('\uFFFD');
            i = j;
        }
        return out.toString();
    }

    /**
     * The length of the longest prefix of {@code bytes[0, length)} that does not end inside a character that
     * later bytes could still complete. Decoding the prefix now and the rest later gives the same text as
     * decoding everything at once.
     */
    public static int completePrefix(byte[] bytes, int length) {
        for (int back = 1; back <= 3 && back <= length; back++) {
            int lead = bytes[length - back] & 0xFF;
            if (lead < 0x80) return length;
            if (lead < 0xC0) continue;
            int need = continuationCount(lead);
            if (need < back) return length;
            for (int k = 0; k < back - 1; k++) {
                if (!continuationFits(lead, k, bytes[length - back + 1 + k] & 0xFF)) return length;
            }
            return length - back;
        }
        return length;
    }

    /** Continuation bytes a valid lead byte announces; 0 for bytes that cannot start a sequence. */
    private static int continuationCount(int lead) {
        if (lead >= 0xC2 && lead <= 0xDF) return 1;
        if (lead >= 0xE0 && lead <= 0xEF) return 2;
        if (lead >= 0xF0 && lead <= 0xF4) return 3;
        return 0;
    }

    /** Whether the k-th continuation byte (0-based) is allowed after this lead (no overlongs, no surrogates). */
    private static boolean continuationFits(int lead, int k, int b) {
        int low = 0x80, high = 0xBF;
        if (k == 0) {
            if (lead == 0xE0) low = 0xA0;
            else if (lead == 0xED) high = 0x9F;
            else if (lead == 0xF0) low = 0x90;
            else if (lead == 0xF4) high = 0x8F;
        }
        return b >= low && b <= high;
    }
}
