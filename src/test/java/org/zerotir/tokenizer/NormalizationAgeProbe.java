package org.zerotir.tokenizer;

import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Finds the code points whose normalization Hugging Face's (older) Unicode tables do not know but Java's
 * do: prints them as ranges for src/main/resources/tokenizer/normalization-unknown.txt. Run by hand with the
 * oracle on the classpath: bench/run org.zerotir.tokenizer.NormalizationAgeProbe
 */
public class NormalizationAgeProbe {
    public static void main(String[] args) throws Exception {
        Path file = args.length > 0 ? Path.of(args[0]) : org.zerotir.SharedData.DIR.resolve("qwen2.5-tokenizer/tokenizer.json");
        HfOracle oracle = HfOracle.load(file);
        Tokenizer plain = Tokenizer.load(file);
        TreeSet<Integer> unknown = new TreeSet<>();
        for (int cp = 0x80; cp <= Character.MAX_CODE_POINT; cp++) {
            if (cp >= 0xD800 && cp <= 0xDFFF) continue;
            String c = Character.toString(cp);
            String nfd = Normalizer.normalize(c, Normalizer.Form.NFD);
            String reorder = "a\u0345" + c;
            boolean interesting = !nfd.equals(c) || !Normalizer.normalize(reorder, Normalizer.Form.NFD).equals(reorder)
                    || !Normalizer.normalize(c + c, Normalizer.Form.NFC).equals(c + c);
            if (!interesting) continue;
            // Whether Java's normalization of these strings gives other ids than HF's.
            for (String probe : List.of(reorder, nfd, c + c, c)) {
                int[] expected = oracle.encode(probe);
                int[] javaNormalized = plain.encode(probe);
                if (!Arrays.equals(expected, javaNormalized)) {
                    unknown.add(cp);
                    break;
                }
            }
        }
        List<String> ranges = new ArrayList<>();
        Integer start = null, prev = null;
        for (int cp : unknown) {
            if (prev != null && cp == prev + 1) { prev = cp; continue; }
            if (start != null) ranges.add(range(start, prev));
            start = cp;
            prev = cp;
        }
        if (start != null) ranges.add(range(start, prev));
        System.out.println(unknown.size() + " code points in " + ranges.size() + " ranges");
        for (String r : ranges) System.out.println(r);
        oracle.close();
    }

    private static String range(int a, int b) {
        return a == b ? String.format("%04X", a) : String.format("%04X..%04X", a, b);
    }
}
