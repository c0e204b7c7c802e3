package org.zerotir.reward;

import org.junit.jupiter.api.Test;
import org.zerotir.reward.RewardResult.Outcome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RewardFunctionTest {
    private static final String TIR_RESPONSE = """
            <think> Let me compute it.
            ```python
            from fractions import Fraction
            print(Fraction(14, 6))
            ```
            ```output
            7/3
            ```
            So the value is 7/3. </think> <answer> The answer is $\\boxed{\\dfrac{7}{3}}$. </answer>""";

    private final RewardFunction paper = new RewardFunction(RewardSettings.defaults());

    @Test
    void aVerifiedCorrectFinalAnswerScoresOneAndAnythingElseZero() {
        RewardResult right = paper.score(TIR_RESPONSE, "\\frac{7}{3}", ResponseFacts.NONE);
        assertEquals(new RewardResult(1.0, true, "\\dfrac{7}{3}", Outcome.CORRECT, right.verdict()), right);
        assertTrue(right.verdict().isEqual());
        assertEquals(1.0, paper.score(TIR_RESPONSE, "2\\frac{1}{3}", ResponseFacts.NONE).reward());

        RewardResult wrong = paper.score(TIR_RESPONSE, "\\frac{7}{4}", ResponseFacts.NONE);
        assertEquals(0.0, wrong.reward());
        assertFalse(wrong.correct());
        assertEquals(Outcome.WRONG, wrong.outcome());
        assertEquals("\\dfrac{7}{3}", wrong.answer());

        RewardResult none = paper.score("I think it is seven thirds", "\\frac{7}{3}", ResponseFacts.NONE);
        assertEquals(new RewardResult(0.0, false, null, Outcome.NO_ANSWER, null), none);

        RewardResult unreadable = paper.score("\\boxed{\\int_0^1 x\\,dx}", "\\frac{1}{2}", ResponseFacts.NONE);
        assertEquals(Outcome.UNPARSEABLE, unreadable.outcome());
        assertEquals(0.0, unreadable.reward());
    }

    @Test
    void aTruncatedResponseIsWrongByDefaultAsInThePaper() {
        ResponseFacts truncated = new ResponseFacts(true, 0);
        RewardResult cut = paper.score(TIR_RESPONSE, "7/3", truncated);
        assertEquals(Outcome.TRUNCATED, cut.outcome());
        assertEquals(0.0, cut.reward());
        assertFalse(cut.correct());
        assertTrue(cut.verdict().isEqual(), "the verdict is still reported");
        RewardFunction lenient = new RewardFunction(RewardSettings.defaults().withTruncatedIsWrong(false));
        assertEquals(1.0, lenient.score(TIR_RESPONSE, "7/3", truncated).reward());
    }

    @Test
    void penaltiesAreOffByDefaultAndSubtractedWhenSet() {
        ResponseFacts errors = new ResponseFacts(false, 3);
        assertEquals(1.0, paper.score(TIR_RESPONSE, "7/3", errors).reward());
        assertEquals(0.0, paper.score("nothing", "7/3", new ResponseFacts(true, 2)).reward());

        RewardFunction shaped = new RewardFunction(RewardSettings.defaults().withTruncatedIsWrong(false).withPenalties(0.5, 0.2, 0.1));
        assertEquals(-0.5, shaped.score("nothing", "7/3", ResponseFacts.NONE).reward(), 1e-12);
        assertEquals(0.8, shaped.score(TIR_RESPONSE, "7/3", errors).reward(), 1e-12);
        assertEquals(-0.2, shaped.score(TIR_RESPONSE, "5", errors).reward(), 1e-12);
        assertEquals(0.9, shaped.score(TIR_RESPONSE, "7/3", new ResponseFacts(true, 0)).reward(), 1e-12);
        assertEquals(-0.8, shaped.score("nothing", "7/3", new ResponseFacts(true, 1)).reward(), 1e-12);
    }

    @Test
    void numberStyleScoresGsm8kResponsesByTheirLastNumber() {
        RewardFunction gsm = new RewardFunction(RewardSettings.numberAnswers());
        RewardResult r = gsm.score("She pays 3 * 12 = 36 dollars, plus 1,200 in fees, so 1,236 in total.", "1236", ResponseFacts.NONE);
        assertEquals(Outcome.CORRECT, r.outcome());
        assertEquals("1236", r.answer());
        assertEquals(Outcome.WRONG, gsm.score("The total is 1,235.", "1236", ResponseFacts.NONE).outcome());
        // MATH style does not guess from a bare number
        assertEquals(Outcome.NO_ANSWER, paper.score("so 1,236 in total.", "1236", ResponseFacts.NONE).outcome());
    }

    @Test
    void thePapersFormatRuleAppliesWhenRequired() {
        RewardFunction tagged = new RewardFunction(RewardSettings.defaults().withRequireAnswerTags(true));
        assertEquals(Outcome.CORRECT, tagged.score(TIR_RESPONSE, "7/3", ResponseFacts.NONE).outcome());
        assertEquals(Outcome.CORRECT, tagged.score(TIR_RESPONSE + "\n<|endoftext|>", "7/3", ResponseFacts.NONE).outcome());
        // the box must be inside the answer tags
        assertEquals(Outcome.NO_ANSWER, tagged.score("<think> \\boxed{7/3} </think> <answer> seven thirds </answer>", "7/3", ResponseFacts.NONE).outcome());
        for (String bad : new String[]{
                "<think> x </think> \\boxed{7/3}",
                "<answer> \\boxed{7/3} </answer> </think>",
                "<think> a </think> <answer> \\boxed{1} </answer> <answer> \\boxed{7/3} </answer>",
                "<think> a </think> </think> <answer> \\boxed{7/3} </answer>",
                TIR_RESPONSE + " and then a long epilogue after the answer"}) {
            RewardResult r = tagged.score(bad, "7/3", ResponseFacts.NONE);
            assertEquals(Outcome.BAD_FORMAT, r.outcome(), bad);
            assertEquals(0.0, r.reward());
        }
        // without the rule the same responses are graded on their last box
        assertEquals(Outcome.CORRECT, paper.score("<think> x </think> \\boxed{7/3}", "7/3", ResponseFacts.NONE).outcome());
    }

    /** GSM8K reference solutions as responses: all correct by their gold line, nearly all by their last number alone. */
    @Test
    void gsm8kReferenceSolutionsScoreAsCorrect() {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(RewardTestData.SHARED.resolve("gsm8k_test.jsonl")), "shared data not present");
        RewardFunction gsm = new RewardFunction(RewardSettings.numberAnswers());
        int rows = 0, withMarker = 0, lastNumberOnly = 0;
        for (var row : RewardTestData.shared("gsm8k_test.jsonl")) {
            rows++;
            String solution = row.get("solution").asText(), gold = row.get("answer").asText();
            if (gsm.score(solution, gold, ResponseFacts.NONE).correct()) withMarker++;
            if (gsm.score(solution.substring(0, solution.lastIndexOf("####")), gold, ResponseFacts.NONE).correct()) lastNumberOnly++;
        }
        assertEquals(1_319, rows);
        assertEquals(rows, withMarker);
        // misses are sentences that end on a unit count ("8 rows of 5 stars") or "$400 000" with a space separator
        assertTrue(lastNumberOnly >= 0.95 * rows, lastNumberOnly + " of " + rows);
    }

    @Test
    void invalidSettingsAndReferencesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> RewardSettings.defaults().withPenalties(-1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> RewardSettings.defaults().withPenalties(0, Double.NaN, 0));
        assertThrows(IllegalArgumentException.class, () -> new RewardSettings(null, true, 0, 0, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new ResponseFacts(false, -1));
        assertThrows(IllegalArgumentException.class, () -> paper.score(TIR_RESPONSE, " ", ResponseFacts.NONE));
        assertNull(paper.score(null, "1", null).answer());
    }
}
