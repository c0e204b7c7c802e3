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
 * and solutions and on a code-heavy text. Usage: bench/tokenizer [seconds of warm-up and of measurement each, default 3]
 * [path to tokenizer.json] [path to math500.jsonl]
 */
public final class TokenizerBench {
    public static void main(String[] args) throws IOException {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        Path tokenizerFile = args.length > 1 ? Path.of(args[1]) : org.zerotir.SharedData.DIR.resolve("qwen2.5-tokenizer/tokenizer.json");
        Path math500 = args.length > 2 ? Path.of(args[2]) : org.zerotir.SharedData.DIR.resolve("math500.jsonl");

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

        BenchTable decode = new BenchTable("Tokenizer decode throughput (single thread, MATH500 ids, skip_special_tokens=false)",
                "tokenizer", "MB of text/s", "vs HF");
        List<int[]> mathIds = mathDocs.stream().map(ours::encode).toList();
        List<String> idKeys = new ArrayList<>();
        for (int i = 0; i < mathIds.size(); i++) idKeys.add(String.valueOf(i));
        try (HfOracle hf = HfOracle.load(tokenizerFile)) {
            long textBytes = bytes(mathDocs);
            double hfDecode = measure(idKeys, key -> hf.decode(mathIds.get(Integer.parseInt(key)), false).length(), seconds, null) * textBytes / bytes(idKeys);
            double oursDecode = measure(idKeys, key -> ours.decode(mathIds.get(Integer.parseInt(key))).length(), seconds, null) * textBytes / bytes(idKeys);
            double streamDecode = measure(idKeys, key -> {
                Tokenizer.StreamDecoder stream = ours.streamDecoder();
                int n = 0;
                for (int id : mathIds.get(Integer.parseInt(key))) n += stream.push(id).length();
                return n + stream.finish().length();
            }, seconds, null) * textBytes / bytes(idKeys);
            decode.row("HF tokenizers 0.21 via JNI", hfDecode, "1.00x");
            decode.row("Zerotir Tokenizer.decode", oursDecode, String.format("%.2fx", oursDecode / hfDecode));
            decode.row("Zerotir StreamDecoder, one id at a time", streamDecode, String.format("%.2fx", streamDecode / hfDecode));
        }
        decode.print("bench/tokenizer " + String.join(" ", args));

        BenchTable training = new BenchTable("BpeTrainer (single thread, MATH500 problems + solutions, 446 KB)", "vocabulary size", "merges", "seconds");
        for (int size : new int[] {1000, 4000}) {
            long start = System.nanoTime();
            var trained = org.zerotir.tokenizer.BpeTrainer.train(mathDocs, new org.zerotir.tokenizer.BpeTrainer.Settings(size, 2, List.of("<|endoftext|>")));
            training.row(size, trained.merges().size(), (System.nanoTime() - start) / 1e9);
        }
        training.print("bench/tokenizer " + String.join(" ", args));
        System.out.println("Single-threaded on a shared machine (other jobs running): numbers vary by 20% or more from run to run.");
    }

    private record Corpus(String name, List<String> docs) {}

    private static double measure(List<String> docs, ToIntFunction<String> encode, double seconds, double[] unused) {
        return measure(docs, encode, seconds, unused, null);
    }

    /**
     * MB/s of whole passes over docs: the median pass, after warming up as long as it measures (the JIT, the
     * word cache); clears the word cache before each pass when given. The median shrugs off passes slowed
     * by other jobs on a shared machine.
     */
    private static double measure(List<String> docs, ToIntFunction<String> encode, double seconds, double[] unused, Tokenizer clearBeforeEachPass) {
        long bytes = bytes(docs);
        long sink = 0;
        long warmEnd = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < warmEnd) for (String d : docs) sink += encode.applyAsInt(d);
        List<Double> passes = new ArrayList<>();
        long elapsed = 0;
        while (elapsed < seconds * 1e9 || passes.size() < 3) {
            if (clearBeforeEachPass != null) clearBeforeEachPass.clearWordCache();
            long start = System.nanoTime();
            for (String d : docs) sink += encode.applyAsInt(d);
            long pass = System.nanoTime() - start;
            elapsed += pass;
            passes.add(bytes / (pass / 1e9) / 1e6);
        }
        if (sink == 42) System.out.print("");
        passes.sort(null);
        return passes.get(passes.size() / 2);
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
