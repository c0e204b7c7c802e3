package org.zerotir.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Hugging Face {@code tokenizers} (Rust, through DJL's JNI binding with its bundled linux-x86_64 library) as
 * the reference. No special tokens added, no truncation, no padding, so ids compare like for like.
 * {@code ai.djl.offline} keeps DJL from looking anything up on the network: the native library comes from
 * the jar (tokenizers 0.21.0 for linux-x86_64, DJL 0.38.0), never from a download.
 */
public final class HfOracle implements AutoCloseable {
    private final HuggingFaceTokenizer hf;

    private HfOracle(HuggingFaceTokenizer hf) {
        this.hf = hf;
    }

    public static HfOracle load(Path tokenizerJson) {
        System.setProperty("ai.djl.offline", "true");
        // The bundled libtokenizers.so is copied out of the jar into this folder (not ~/.djl.ai).
        if (System.getProperty("ENGINE_CACHE_DIR") == null && System.getenv("ENGINE_CACHE_DIR") == null)
            System.setProperty("ENGINE_CACHE_DIR", Path.of("target", "djl-cache").toAbsolutePath().toString());
        try {
            return new HfOracle(HuggingFaceTokenizer.newInstance(tokenizerJson,
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Through DJL's Encoding object, which also fetches tokens, offsets, masks (slow: many JNI calls). */
    public int[] encode(String text) {
        return toInts(hf.encode(text, false, false).getIds());
    }

    /** The same encoding, fetching only the ids over JNI: the fairer speed of the Rust library itself. */
    public int[] encodeIdsOnly(String text) {
        long encoding = TokenizersLibrary.LIB.encode(hf.getHandle(), text, false);
        try {
            return toInts(TokenizersLibrary.LIB.getTokenIds(encoding));
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = Math.toIntExact(ids[i]);
        return out;
    }

    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) longs[i] = ids[i];
        return hf.decode(longs, skipSpecialTokens);
    }

    public String version() {
        return hf.getVersion();
    }

    @Override
    public void close() {
        hf.close();
    }
}
