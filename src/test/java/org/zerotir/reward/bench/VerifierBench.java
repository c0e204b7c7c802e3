package org.zerotir.reward.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.zerotir.bench.BenchTable;
import org.zerotir.reward.AnswerExtractor;
import org.zerotir.reward.MathEquivalence;
import org.zerotir.reward.ResponseFacts;
import org.zerotir.reward.RewardFunction;
import org.zerotir.reward.RewardSettings;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Verifications per second on one thread, by kind of answer, plus extraction and whole-reward throughput.
 * Usage: bench/reward [seconds per case, default 2]
 */
public final class VerifierBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile Object sink;

    record Pair(String a, String b) {}

    public static void main(String[] args) throws IOException {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2.0;
        List<String> golds = new ArrayList<>();
        try (var in = VerifierBench.class.getResourceAsStream("/reward/math500-answers.jsonl");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) golds.add(JSON.readTree(line).get("answer").asText());
        }
        Random rng = new Random(1);
        List<Pair> integersSame = new ArrayList<>(), integersOther = new ArrayList<>(), numericSpellings = new ArrayList<>(),
                numericWrong = new ArrayList<>(), symbolic = new ArrayList<>(), structured = new ArrayList<>(), polynomials = new ArrayList<>(),
                allGoldsWrong = new ArrayList<>();
        for (String gold : golds) allGoldsWrong.add(new Pair("\\boxed{" + gold + "}", "\\frac{7}{13}"));
        for (int i = 0; i < 1_000; i++) {
            int n = rng.nextInt(1_000);
            integersSame.add(new Pair(Integer.toString(n), Integer.toString(n)));
            integersOther.add(new Pair(Integer.toString(n), Integer.toString(n + 1 + rng.nextInt(9))));
            int p = 1 + rng.nextInt(999), q = 2 + rng.nextInt(99);
            switch (i % 4) {
                case 0 -> numericSpellings.add(new Pair("\\dfrac{" + p + "}{" + q + "}", p + "/" + q));
                case 1 -> numericSpellings.add(new Pair(p + "." + q, "$" + p + "." + q + "0$"));
                case 2 -> numericSpellings.add(new Pair(String.format("%,d", p * 1_000 + q), Integer.toString(p * 1_000 + q)));
                default -> numericSpellings.add(new Pair("\\frac{" + (2 * p) + "}{" + (2 * q) + "}", "\\frac{" + p + "}{" + q + "}"));
            }
            numericWrong.add(new Pair("\\frac{" + p + "}{" + q + "}", p + "/" + (q + 1)));
        }
        for (String gold : golds) {
            if (gold.matches("-?\\d+")) continue;
            boolean tuple = gold.contains(",") || gold.contains("\\begin") || gold.startsWith("(") || gold.startsWith("[");
            (tuple ? structured : symbolic).add(new Pair(gold, "\\boxed{" + gold.replace("\\frac", "\\dfrac").replace("+", " + ") + "}"));
        }
        String[][] identities = {{"x^2+2x+1", "(x+1)^2"}, {"\\frac{\\sqrt{2}}{2}", "\\frac{1}{\\sqrt{2}}"}, {"x^2-1", "(x-1)(x+1)"},
                {"2\\sin x\\cos x", "\\sin 2x"}, {"\\frac{x^9-1}{x-1}", "x^8+x^7+x^6+x^5+x^4+x^3+x^2+x+1"}, {"(a+5)(b+2)", "ab+2a+5b+10"},
                {"3\\sqrt{13}", "\\sqrt{117}"}, {"y=2x+3", "2x-y+3=0"}};
        for (String[] id : identities) polynomials.add(new Pair(id[0], id[1]));

        MathEquivalence eq = MathEquivalence.standard();
        BenchTable table = new BenchTable("Answer verification, one thread (MathEquivalence.standard(), no fallback)",
                "case", "pairs", "verifications/s", "µs each", "deciding stages");
        verify(table, "integers, same spelling", integersSame, eq, seconds);
        verify(table, "integers, different", integersOther, eq, seconds);
        verify(table, "numbers, other spelling (frac, decimal, 1,234)", numericSpellings, eq, seconds);
        verify(table, "numbers, wrong fraction", numericWrong, eq, seconds);
        verify(table, "MATH500 non-integer golds vs respelled (atoms)", symbolic, eq, seconds);
        verify(table, "MATH500 tuples/intervals/sets/matrices vs respelled", structured, eq, seconds);
        verify(table, "symbolic identities (numeric evaluation)", polynomials, eq, seconds);
        verify(table, "all 500 MATH500 golds vs a wrong answer (full pipeline)", allGoldsWrong, eq, seconds);
        table.print("bench/reward " + seconds);

        // extraction and the whole reward on a realistic TIR response (about 2 KB, boxed answer at the end)
        StringBuilder body = new StringBuilder("<think> We set up the equation and check it with code.\n");
        for (int i = 0; i < 12; i++) body.append("Step ").append(i).append(": substituting $x = ").append(i).append("$ gives $\\frac{").append(i * i).append("}{3}$.\n");
        body.append("```python\nprint(sum(i*i for i in range(12)))\n```\n```output\n506\n```\n</think> <answer> The answer is $\\boxed{\\dfrac{506}{3}}$ </answer>");
        String response = body.toString();
        List<String> responses = new ArrayList<>();
        Path math500 = org.zerotir.SharedData.DIR.resolve("math500.jsonl");
        if (Files.exists(math500)) {
            for (String line : Files.readAllLines(math500)) {
                JsonNode row = JSON.readTree(line);
                responses.add(row.get("solution").asText());
            }
        }
        BenchTable extraction = new BenchTable("Answer extraction and whole reward, one thread", "case", "responses/s", "MB/s", "µs each");
        extract(extraction, "extract: synthetic TIR response (" + response.length() + " chars)", List.of(response), seconds);
        if (!responses.isEmpty()) extract(extraction, "extract: the 500 MATH500 solutions", responses, seconds);
        RewardFunction reward = new RewardFunction(RewardSettings.defaults());
        long count = 0, start = System.nanoTime(), end = start + (long) (seconds * 1e9);
        long now;
        do {
            for (int i = 0; i < 100; i++) sink = reward.score(response, "\\frac{506}{3}", ResponseFacts.NONE);
            count += 100;
        } while ((now = System.nanoTime()) < end);
        double perSecond = count / ((now - start) / 1e9);
        extraction.row("RewardFunction.score: synthetic TIR response", String.format("%,.0f", perSecond),
                String.format("%.1f", perSecond * response.length() / 1e6), String.format("%.2f", 1e6 / perSecond));
        extraction.print("bench/reward " + seconds);
    }

    private static void verify(BenchTable table, String name, List<Pair> pairs, MathEquivalence eq, double seconds) {
        Map<MathEquivalence.Stage, Integer> stages = new EnumMap<>(MathEquivalence.Stage.class);
        for (Pair p : pairs) stages.merge(eq.check(p.a(), p.b()).stage(), 1, Integer::sum);
        runFor(seconds / 4, pairs, eq); // warm-up
        long[] counted = runFor(seconds, pairs, eq);
        double perSecond = counted[0] / (counted[1] / 1e9);
        StringBuilder mix = new StringBuilder();
        stages.forEach((stage, n) -> mix.append(mix.isEmpty() ? "" : ", ").append(stage).append(' ').append(n));
        table.row(name, pairs.size(), String.format("%,.0f", perSecond), String.format("%.2f", 1e6 / perSecond), mix.toString());
    }

    private static long[] runFor(double seconds, List<Pair> pairs, MathEquivalence eq) {
        long count = 0, start = System.nanoTime(), end = start + (long) (seconds * 1e9), now;
        do {
            for (Pair p : pairs) sink = eq.check(p.a(), p.b());
            count += pairs.size();
        } while ((now = System.nanoTime()) < end);
        return new long[]{count, now - start};
    }

    private static void extract(BenchTable table, String name, List<String> texts, double seconds) {
        long chars = 0;
        for (String t : texts) chars += t.length();
        for (int warm = 0; warm < 3; warm++) for (String t : texts) sink = AnswerExtractor.extract(t, AnswerExtractor.Style.MATH);
        long count = 0, start = System.nanoTime(), end = start + (long) (seconds * 1e9), now;
        long rounds = 0;
        do {
            for (String t : texts) sink = AnswerExtractor.extract(t, AnswerExtractor.Style.MATH);
            count += texts.size();
            rounds++;
        } while ((now = System.nanoTime()) < end);
        double secondsTaken = (now - start) / 1e9;
        table.row(name, String.format("%,.0f", count / secondsTaken), String.format("%.0f", rounds * chars / secondsTaken / 1e6),
                String.format("%.2f", 1e6 * secondsTaken / count));
    }
}
