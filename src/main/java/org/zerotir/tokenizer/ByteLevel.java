package org.zerotir.tokenizer;

/**
 * GPT-2's byte-to-character table: every byte gets a printable character, so a byte string is a normal
 * string that a vocabulary can hold. Bytes that are printable Latin-1 map to themselves; the other 68 map
 * to U+0100 and up, in byte order (so the space 0x20 becomes 'Ġ' U+0120).
 */
final class ByteLevel {
    static final char[] BYTE_TO_CHAR = new char[256];
    /** Indexed by char up to U+0143; -1 where the char is not a byte's. */
    private static final int[] CHAR_TO_BYTE = new int[0x144];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = (char) (printable ? b : next++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {}

    /** The byte a character stands for, or -1. */
    static int byteOf(int c) {
        return c >= 0 && c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    static String encode(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        return new String(chars);
    }

    /**
     * A token's bytes as Hugging Face's ByteLevel decoder takes them: mapped back char by char when every
     * char is a byte's, else the token's own UTF-8 (added tokens such as "<|im_end|>" are plain text).
     */
    static byte[] decodeToken(String token) {
        byte[] out = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            int b = byteOf(token.charAt(i));
            if (b < 0) return token.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out[i] = (byte) b;
        }
        return out;
    }
}
