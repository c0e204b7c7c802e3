package org.zerotir.reward;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.zerotir.reward.AnswerExtractor.Style;
import org.zerotir.reward.Extraction.Kind;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnswerExtractorTest {

    private static Extraction math(String text) {
        return AnswerExtractor.extract(text, Style.MATH);
    }

    private static Extraction number(String text) {
        return AnswerExtractor.extract(text, Style.NUMBER);
    }

    @Test
    void takesTheLastCompleteBoxWithNestedAndEscapedBraces() {
        assertEquals(new Extraction(Kind.BOXED, "\\frac{1}{2}"), math("so $\\boxed{3}$ no wait, $\\boxed{\\frac{1}{2}}$."));
        assertEquals(new Extraction(Kind.BOXED, "\\{1,\\frac{2}{3}\\}"), math("The set is \\boxed{\\{1,\\frac{2}{3}\\}}"));
        assertEquals(new Extraction(Kind.BOXED, "\\}"), math("odd: \\boxed{\\}}"));
        assertEquals(new Extraction(Kind.BOXED, "7"), math("\\fbox{7}"));
        assertEquals(new Extraction(Kind.BOXED, "5"), math("the answer: $\\boxed 5$"));
        assertEquals(new Extraction(Kind.BOXED, "4"), math("\\boxed{\\boxed{4}}"));
        // an unclosed final box (a truncated response) leaves the earlier complete one
        assertEquals(new Extraction(Kind.BOXED, "12"), math("first \\boxed{12} then \\boxed{\\frac{1}{"));
        // an empty box is not an answer
        assertEquals(new Extraction(Kind.BOXED, "9"), math("\\boxed{9} and \\boxed{ }"));
        // a command that only starts with "boxed" is not a box
        assertEquals(Extraction.NONE, math("\\boxedstuff here"));
    }

    @Test
    void fallsBackToTheAnswerPhrase() {
        assertEquals(new Extraction(Kind.ANSWER_PHRASE, "42"), math("Thus the answer is $42$.\n"));
        assertEquals(new Extraction(Kind.ANSWER_PHRASE, "3.5"), math("So the final answer is: 3.5. Done."));
        assertEquals(new Extraction(Kind.ANSWER_PHRASE, "x = 2"), math("Answer: x = 2"));
        assertEquals(new Extraction(Kind.BOXED, "8"), math("The answer is 7. Actually \\boxed{8}"));
        assertEquals(Extraction.NONE, math("I do not know, maybe 12."));
        assertEquals(Extraction.NONE, math(""));
        assertEquals(Extraction.NONE, math(null));
        assertFalse(math("no answer here").found());
    }

    @Test
    void numberStyleReadsTheGoldMarkerAndTheLastNumber() {
        assertEquals(new Extraction(Kind.HASH_MARKER, "1234"), number("She has 3 + 4 = 7 apples.\n#### 1,234"));
        assertEquals(new Extraction(Kind.LAST_NUMBER, "-3.75"), number("it drops by 2, then by -3.75."));
        assertEquals(new Extraction(Kind.LAST_NUMBER, "2880000"), number("The total is $2,880,000 dollars"));
        assertEquals(new Extraction(Kind.LAST_NUMBER, ".5"), number("half is .5"));
        assertEquals(new Extraction(Kind.BOXED, "18"), number("we get 17 ... \\boxed{18} and 19 items"));
        assertEquals(Extraction.NONE, number("nothing numeric"));
        // MATH style never guesses a bare number
        assertEquals(Extraction.NONE, math("it is 17"));
    }

    @Test
    void pathologicalInputsAreBoundedAndDoNotThrow() {
        String nested = "\\boxed" + "{".repeat(10_000) + "1" + "}".repeat(10_000);
        String unclosed = "\\boxed{".repeat(200_000);
        String digits = "7".repeat(1_000_000);
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(2), () -> {
            Extraction e = math(nested);
            assertTrue(e.kind() == Kind.BOXED || e.kind() == Kind.NONE);
            assertEquals(Extraction.NONE, math(unclosed));
            assertEquals(Kind.LAST_NUMBER, number(digits).kind());
            assertTrue(number(digits).answer().length() <= AnswerExtractor.MAX_ANSWER_CHARS);
            assertEquals(Extraction.NONE, math("the answer is ".repeat(100_000).substring(0, 0) + "x".repeat(1_000_000)));
        });
        // shallow enough to be matched within the limit
        String deep = "\\boxed" + "{".repeat(500) + "1" + "}".repeat(500);
        assertEquals(new Extraction(Kind.BOXED, "{".repeat(499) + "1" + "}".repeat(499)), math(deep));
    }

    @Test
    void theLastBoxOfEveryMath500SolutionIsItsGoldAnswer() {
        Assumptions.assumeTrue(Files.exists(RewardTestData.SHARED.resolve("math500.jsonl")), "shared data not present");
        List<String> mismatches = new ArrayList<>();
        int rows = 0;
        for (JsonNode row : RewardTestData.shared("math500.jsonl")) {
            rows++;
            Extraction e = math(row.get("solution").asText());
            if (e.kind() != Kind.BOXED || !e.answer().equals(row.get("answer").asText().strip())) {
                mismatches.add(row.get("id").asText() + ": " + e + " vs " + row.get("answer").asText());
            }
        }
        assertEquals(500, rows);
        assertEquals(List.of(), mismatches);
    }

    @Test
    void theGoldLineOfEveryGsm8kSolutionIsItsAnswer() {
        Assumptions.assumeTrue(Files.exists(RewardTestData.SHARED.resolve("gsm8k_test.jsonl")), "shared data not present");
        List<String> mismatches = new ArrayList<>();
        for (JsonNode row : RewardTestData.shared("gsm8k_test.jsonl")) {
            Extraction e = number(row.get("solution").asText());
            if (e.kind() != Kind.HASH_MARKER || !e.answer().equals(row.get("answer").asText())) {
                mismatches.add(row.get("id").asText() + ": " + e);
            }
        }
        assertEquals(List.of(), mismatches);
    }
}
