package org.zerotir.reward;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.zerotir.reward.MathEquivalence.Result;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every MATH500 gold answer against itself, generated reformulations of itself, and perturbed versions. */
class Math500AnswersTest {
    private final MathEquivalence eq = MathEquivalence.standard();
    private final List<String> answers = RewardTestData.math500Answers().stream().map(n -> n.get("answer").asText()).toList();

    @Test
    void thereAreFiveHundredGoldAnswers() {
        assertEquals(500, answers.size());
    }

    @Test
    void everyGoldAnswerEqualsItselfAndItsReformulations() {
        List<String> failures = new ArrayList<>();
        int checks = 0;
        for (String gold : answers) {
            for (String variant : reformulations(gold)) {
                checks++;
                MathEquivalence.Verdict forward = eq.check(gold, variant), backward = eq.check(variant, gold);
                if (!forward.isEqual() || !backward.isEqual()) failures.add(gold + "  vs  " + variant + " -> " + forward + " / " + backward);
            }
        }
        assertTrue(checks > 3_000, "only " + checks + " reformulations");
        assertEquals(List.of(), failures);
    }

    /** Spellings of the same answer a model might write. */
    static List<String> reformulations(String gold) {
        List<String> out = new ArrayList<>();
        out.add(gold);
        out.add("\\boxed{" + gold + "}");
        out.add("$" + gold + "$");
        out.add("\\(" + gold + "\\)");
        out.add("  " + gold + " ");
        out.add(gold + ".");
        out.add("$\\displaystyle " + gold + "$");
        if (gold.contains("\\frac")) out.add(gold.replace("\\frac", "\\dfrac"));
        if (gold.contains("\\dfrac")) out.add(gold.replace("\\dfrac", "\\frac"));
        if (gold.contains("\\frac")) out.add(gold.replace("\\frac", "\\tfrac"));
        if (gold.startsWith("(") && gold.endsWith(")") && !gold.contains("\\left")) out.add("\\left(" + gold.substring(1, gold.length() - 1) + "\\right)");
        if (gold.startsWith("\\left(")) out.add(gold.replace("\\left", "").replace("\\right", ""));
        if (gold.contains("+") && !gold.contains("\\pm")) out.add(gold.replace("+", " + "));
        if (gold.contains(",") && !gold.contains("\\!")) out.add(gold.replace(",", ", "));
        if (gold.matches("-?\\d+")) {
            out.add(gold + ".0");
            out.add("\\frac{" + gold + "0}{10}");
            out.add(gold + " \\text{ units}");
            out.add("x = " + gold);
            long value = Long.parseLong(gold);
            if (Math.abs(value) >= 1000) out.add(String.format("%,d", value));
        }
        if (gold.matches("\\\\frac\\{\\d+\\}\\{\\d+\\}")) {
            String[] parts = gold.substring(6, gold.length() - 1).split("\\}\\{");
            out.add(parts[0] + "/" + parts[1]);
            out.add("\\frac{" + parts[0] + "0}{" + parts[1] + "0}");
        }
        if (gold.endsWith("^\\circ")) out.add(gold.replace("^\\circ", "^{\\circ}"));
        if (gold.startsWith("\\text{") && gold.endsWith("}")) out.add(gold.substring(6, gold.length() - 1));
        return out;
    }

    @Test
    void everyGoldAnswerWithADigitDiffersFromItsPerturbations() {
        Random rng = new Random(500);
        List<String> failures = new ArrayList<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String gold : answers) {
            for (Map.Entry<String, String> p : perturbations(gold, rng).entrySet()) {
                counts.merge(p.getKey(), 1, Integer::sum);
                Result forward = eq.check(gold, p.getValue()).result(), backward = eq.check(p.getValue(), gold).result();
                if (forward != Result.NOT_EQUAL || backward != Result.NOT_EQUAL) {
                    failures.add(p.getKey() + ": " + gold + "  vs  " + p.getValue() + " -> " + forward + " / " + backward);
                }
            }
        }
        assertTrue(counts.getOrDefault("digit", 0) >= 450, counts.toString());
        assertTrue(counts.getOrDefault("sign", 0) >= 450, counts.toString());
        assertTrue(counts.getOrDefault("interval end", 0) >= 10, counts.toString());
        assertEquals(List.of(), failures);
    }

    /** Changed answers: one digit, the sign of the first number, the closing bracket of an interval. */
    static Map<String, String> perturbations(String gold, Random rng) {
        Map<String, String> out = new LinkedHashMap<>();
        List<Integer> digits = new ArrayList<>();
        for (int i = 0; i < gold.length(); i++) if (Character.isDigit(gold.charAt(i))) digits.add(i);
        if (!digits.isEmpty()) {
            int at = digits.get(rng.nextInt(digits.size()));
            char d = gold.charAt(at);
            char changed = (char) ('0' + (d - '0' + 1 + rng.nextInt(8)) % 10);
            // a leading digit must not become 0 ("12" -> "02" is still a different number, but "0" prefixes read as octal elsewhere)
            if (changed == '0' && (at == 0 || !Character.isDigit(gold.charAt(at - 1)))) changed = d == '9' ? '8' : (char) (d + 1);
            out.put("digit", gold.substring(0, at) + changed + gold.substring(at + 1));
            // the sign of the whole answer, or of a tuple's or interval's first element
            int at0 = gold.startsWith("\\left(") || gold.startsWith("\\left[") ? 6 : gold.startsWith("(") || gold.startsWith("[") ? 1 : 0;
            while (at0 < gold.length() && gold.charAt(at0) == ' ') at0++;
            String rest = gold.substring(at0);
            boolean zero = rest.matches("0([^0-9.].*)?");
            String flipped = rest.startsWith("-") ? gold.substring(0, at0) + rest.substring(1) : gold.substring(0, at0) + "-" + rest;
            if (!zero) out.put("sign", flipped);
        }
        String s = gold.strip();
        if ((s.startsWith("(") || s.startsWith("[") || s.startsWith("\\left(") || s.startsWith("\\left[")) && (s.endsWith(")") || s.endsWith("]")) && s.contains(",")
                && !s.contains("\\cup")) {
            char end = s.charAt(s.length() - 1);
            out.put("interval end", s.substring(0, s.length() - 1) + (end == ')' ? ']' : ')'));
        }
        return out;
    }

    @Test
    void everyGoldAnswerIsUnderstoodWellEnoughToBeDecided() {
        // a gold answer against a different, plausible answer of its kind: decided, not UNPARSEABLE
        List<String> undecided = new ArrayList<>();
        for (String gold : answers) {
            Result r = eq.check(gold, "\\frac{7}{13}").result();
            if (r == Result.UNPARSEABLE) undecided.add(gold);
        }
        assertEquals(List.of(), undecided);
    }
}
