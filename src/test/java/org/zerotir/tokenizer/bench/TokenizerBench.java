package org.zerotir.tokenizer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.zerotir.bench.BenchTable;
import org.zerotir.tokenizer.HfOracle;
import org.zerotir.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Encode throughput, single-threaded, of our Tokenizer and of Hugging Face tokenizers (the Rust library
 * through DJL's JNI binding, so its numbers include the JNI crossing) in the same JVM, on MATH500 problems
 * and solutions and on a code-heavy text. Usage: bench/tokenizer [seconds per measurement, default 3]
 * [path to tokenizer.json] [path to math500.jsonl]
 */
public final class TokenizerBench {
    public static void main(String[] args) throws IOException {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        Path tokenizerFile = Path.of(args.length > 1 ? args[1] : "../shared/data/qwen2.5-tokenizer/tokenizer.json");
        Path math500 = Path.of(args.length > 2 ? args[2] : "../shared/data/math500.jsonl");
        if (!Files.exists(tokenizerFile)) tokenizerFile = Path.of("/work/shared/data/qwen2.5-tokenizer/tokenizer.json");
        if (!Files.exists(math500)) math500 = Path.of("/work/shared/data/math500.jsonl");

        List<String> mathDocs = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(math500, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            JsonNode row = json.readTree(line);
            mathDocs.add(row.get("problem").asText());
            mathDocs.add(row.get("solution").asText());
        }
        List<String> codeDocs = codeHeavy();

        Tokenizer ours = Tokenizer.load(tokenizerFile);
        BenchTable table = new BenchTable("Tokenizer encode throughput (single thread, Qwen2.5 tokenizer.json)",
                "text", "tokenizer", "MB/s", "tokens/s (M)", "vs HF");
        try (HfOracle hf = HfOracle.load(tokenizerFile)) {
            for (var corpus : List.of(new Corpus("MATH500 problems + solutions", mathDocs), new Corpus("Python code + tool output", codeDocs))) {
                double hfFull = measure(corpus.docs, text -> hf.encode(text).length, seconds, null);
                double hfMbs = measure(corpus.docs, text -> hf.encodeIdsOnly(text).length, seconds, null);
                double[] oursWarm = new double[1];
                double oursMbs = measure(corpus.docs, text -> ours.encode(text).length, seconds, oursWarm);
                double oursCold = measure(corpus.docs, text -> ours.encode(text).length, seconds, null, ours);
                long tokens = 0;
                for (String d : corpus.docs) tokens += ours.encode(d).length;
                long bytes = bytes(corpus.docs);
                table.row(corpus.name, "HF tokenizers 0.21 via DJL Encoding (ids, tokens, offsets, masks)", hfFull, hfFull * 1e6 / bytes * tokens / 1e6, String.format("%.2fx", hfFull / hfMbs));
                table.row(corpus.name, "HF tokenizers 0.21 via JNI, ids only", hfMbs, hfMbs * 1e6 / bytes * tokens / 1e6, "1.00x");
                table.row(corpus.name, "Zerotir Tokenizer (word cache warm)", oursMbs, oursMbs * 1e6 / bytes * tokens / 1e6, String.format("%.2fx", oursMbs / hfMbs));
                table.row(corpus.name, "Zerotir Tokenizer (word cache cleared each pass)", oursCold, oursCold * 1e6 / bytes * tokens / 1e6, String.format("%.2fx", oursCold / hfMbs));
            }
        }
        table.print("bench/tokenizer " + String.join(" ", args));
        System.out.println("One core of a shared machine; numbers vary by 10-20% from run to run.");
    }

    private record Corpus(String name, List<String> docs) {}

    private static double measure(List<String> docs, ToIntFunction<String> encode, double seconds, double[] unused) {
        return measure(docs, encode, seconds, unused, null);
    }

    /** MB/s of whole passes over docs, after one warm-up pass per second measured; clears the word cache before each pass when given. */
    private static double measure(List<String> docs, ToIntFunction<String> encode, double seconds, double[] unused, Tokenizer clearBeforeEachPass) {
        long bytes = bytes(docs);
        long sink = 0;
        long warmEnd = System.nanoTime() + (long) (seconds * 0.5e9);
        while (System.nanoTime() < warmEnd) for (String d : docs) sink += encode.applyAsInt(d);
        int passes = 0;
        long elapsed = 0;
        while (elapsed < seconds * 1e9) {
            if (clearBeforeEachPass != null) clearBeforeEachPass.clearWordCache();
            long start = System.nanoTime();
            for (String d : docs) sink += encode.applyAsInt(d);
            elapsed += System.nanoTime() - start;
            passes++;
        }
        if (sink == 42) System.out.print("");
        return bytes * (double) passes / (elapsed / 1e9) / 1e6;
    }

    private static long bytes(List<String> docs) {
        long n = 0;
        for (String d : docs) n += d.getBytes(StandardCharsets.UTF_8).length;
        return n;
    }

    /** The Python snippets of the tests, each also as a fenced block with an output block, as rollouts hold them. */
    private static List<String> codeHeavy() throws IOException {
        try (InputStream in = TokenizerBench.class.getResourceAsStream("/tokenizer/python_snippets.txt")) {
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<String> docs = new ArrayList<>();
            for (int copy = 0; copy < 20; copy++) {
                for (String snippet : all.split("-----\n")) {
                    String renamed = snippet.replace("total", "total" + copy).replace("count", "count_" + copy);
                    docs.add(renamed);
                    docs.add("Let me compute this.\n```python\n" + renamed + "```\n```output\n" + (copy * 7919 % 1000) + "\n```\n");
                }
            }
            return docs;
        }
    }
}
