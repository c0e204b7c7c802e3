package org.zerotir.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataTest {

    @Test
    void tasksAreExactDistinctReproducibleAndSplitByExpression() {
        ArithmeticTasks.Settings mixed = new ArithmeticTasks.Settings(1, 3, 3, "+-*", 0.5);
        List<ArithmeticTasks.Task> train = ArithmeticTasks.generate(mixed, ArithmeticTasks.Split.TRAIN, 300, 1);
        List<ArithmeticTasks.Task> test = ArithmeticTasks.generate(mixed, ArithmeticTasks.Split.TEST, 100, 1);
        Set<String> trainExpressions = new HashSet<>();
        for (ArithmeticTasks.Task t : train) {
            assertTrue(trainExpressions.add(t.expression()));
            assertEquals(naiveEvaluate(t.expression()), t.value(), t.expression());
            assertEquals(t.value().toString(), t.problem().answer());
        }
        for (ArithmeticTasks.Task t : test) assertFalse(trainExpressions.contains(t.expression()), t.expression());
        assertEquals(train.stream().map(ArithmeticTasks.Task::expression).toList(),
                ArithmeticTasks.generate(mixed, ArithmeticTasks.Split.TRAIN, 300, 1).stream().map(ArithmeticTasks.Task::expression).toList());
        assertThrows(IllegalArgumentException.class, () -> new ArithmeticTasks.Settings(0, 3, 1, "*", 0));
        assertThrows(IllegalArgumentException.class, () -> new ArithmeticTasks.Settings(1, 3, 1, "/", 0));
    }

    /** Left-to-right with * first, independent of the generator's evaluator. */
    private static BigInteger naiveEvaluate(String expression) {
        String[] parts = expression.split(" ");
        java.util.ArrayList<String> reduced = new java.util.ArrayList<>();
        reduced.add(parts[0]);
        for (int i = 1; i < parts.length; i += 2) {
            if (parts[i].equals("*")) {
                reduced.set(reduced.size() - 1, new BigInteger(reduced.getLast()).multiply(new BigInteger(parts[i + 1])).toString());
            } else {
                reduced.add(parts[i]);
                reduced.add(parts[i + 1]);
            }
        }
        BigInteger total = new BigInteger(reduced.getFirst());
        for (int i = 1; i < reduced.size(); i += 2) {
            BigInteger term = new BigInteger(reduced.get(i + 1));
            total = reduced.get(i).equals("+") ? total.add(term) : total.subtract(term);
        }
        return total;
    }

    @Test
    void baseCorpusNeverSolvesAMathProblemWithCode() {
        List<String> documents = BaseCorpus.documents(BaseCorpus.Settings.defaults(), 3000, 9);
        // A problem answered with code must ask about a program, never pose the arithmetic ("What is 347 * 58?")
        // nor a story's question ("How many bottles are in 58 crates?").
        Pattern bridgeRequest = Pattern.compile("^Problem: [^\\n]*(Python|print\\()[^\\n]*\\nSolution: ```python\\n");
        Pattern posedAsMath = Pattern.compile("^Problem: (What is [0-9 *+-]+\\?(" + Pattern.quote(BaseCorpus.TOOL_OFFER) + ")?\\n|[^\\n]*How many[^\\n]*\\?)");
        // a request about a story's situation: the situation as the word problems tell it, then a program asked for
        Pattern storyRequest = Pattern.compile("^Problem: (A crate holds|Each of|A printer prints) \\d+ [^\\n]*\\. (Print|Use Python|Write a Python) ");
        Pattern output = Pattern.compile("```output\\n(-?\\d+)\\n```");
        Pattern boxed = Pattern.compile("\\\\boxed\\{(-?\\d+)}");
        // The RL prompt's offer of Python, answered in words, follows only problems posed as expressions: easy ones and,
        // with a hard-offer fraction, the hard ones (the RL prompt itself answered without code).
        Pattern offeredInWords = Pattern.compile("^Problem: What is (\\d+) [-+*] \\d+\\?" + Pattern.quote(BaseCorpus.TOOL_OFFER) + "\\nSolution: [^`]*$");
        int words = 0, snippets = 0, bridges = 0, offered = 0, offeredRequests = 0, storyRequests = 0, indirect = 0, hardOffered = 0;
        Set<String> heldOut = new HashSet<>();
        for (ArithmeticTasks.Task t : ArithmeticTasks.generate(ArithmeticTasks.Settings.products(), ArithmeticTasks.Split.TEST, 200, 3)) {
            heldOut.add(t.expression());
        }
        for (String doc : documents) {
            boolean hasCode = doc.contains("```python");
            if (doc.startsWith("Problem: ")) {
                if (hasCode) {
                    assertTrue(bridgeRequest.matcher(doc).find() && !posedAsMath.matcher(doc).find(),
                            "a problem answered with code must be a programming request: " + doc);
                    bridges++;
                    if (storyRequest.matcher(doc).find()) {
                        storyRequests++;
                        if (doc.contains(" print how many ") || doc.contains(" prints how many ") || doc.contains(" Print how many ")) indirect++;
                    }
                    // half of the requests carry the RL prompt's offer, so that the offer leads to code in every seed's model
                    if (doc.contains(BaseCorpus.TOOL_OFFER + "\nSolution: ```python")) offeredRequests++;
                } else {
                    words++;
                    if (doc.contains(BaseCorpus.TOOL_OFFER)) {
                        Matcher offer = offeredInWords.matcher(doc);
                        assertTrue(offer.find(), "the offer answered in words follows only problems posed as expressions: " + doc);
                        offered++;
                        if (offer.group(1).length() > 1) hardOffered++;
                    }
                }
            } else {
                assertTrue(doc.startsWith("```python\n"), doc);
                Matcher shown = output.matcher(doc);
                assertTrue(shown.find() && doc.endsWith("The output is " + shown.group(1) + "."), "a snippet reads its output back: " + doc);
                snippets++;
            }
            Matcher out = output.matcher(doc), box = boxed.matcher(doc);
            if (out.find() && box.find()) assertEquals(out.group(1), box.group(1), "the box copies the output: " + doc);
            for (String expression : heldOut) {
                assertFalse(Pattern.compile("(?<![0-9])" + Pattern.quote(expression) + "(?![0-9])").matcher(doc).find(), doc);
            }
        }
        assertTrue(words > 1000 && snippets > 800 && bridges > 400 && offered > 20, words + " / " + snippets + " / " + bridges + " / " + offered);
        assertTrue(hardOffered > 5 && hardOffered < offered, hardOffered + " of " + offered + " offers answered in words have the hard numbers");
        // as many requests about stories as about bare expressions, as the RL problems are split between them
        assertTrue(storyRequests > 0.35 * bridges && storyRequests < 0.65 * bridges, storyRequests + " of " + bridges + " requests tell a story");
        assertTrue(indirect > 0.3 * storyRequests && indirect < 0.7 * storyRequests, indirect + " of " + storyRequests + " ask with an indirect question");
        assertTrue(offeredRequests > 0.4 * bridges && offeredRequests < 0.6 * bridges, offeredRequests + " of " + bridges + " requests offer Python");
    }

    @Test
    void datasetsAreValidatedWholeBeforeUse(@TempDir Path dir) throws IOException {
        Path good = dir.resolve("good.jsonl");
        List<Problem> problems = ArithmeticTasks.generate(ArithmeticTasks.Settings.products(), ArithmeticTasks.Split.TRAIN, 5, 2)
                .stream().map(ArithmeticTasks.Task::problem).toList();
        JsonlDataset.write(good, problems);
        assertEquals(problems, JsonlDataset.read(good));

        Path missing = dir.resolve("missing.jsonl");
        Files.writeString(missing, "{\"id\":\"a\",\"problem\":\"1+1\",\"answer\":\"2\"}\n{\"id\":\"b\",\"problem\":\"2+2\"}\n");
        DatasetException e = assertThrows(DatasetException.class, () -> JsonlDataset.read(missing));
        assertEquals(2, e.line());
        assertEquals("answer", e.field());

        Path broken = dir.resolve("broken.jsonl");
        Files.writeString(broken, "{\"id\":\"a\",\"problem\":\"1+1\",\"answer\":\"2\"}\n{not json\n");
        assertEquals(2, assertThrows(DatasetException.class, () -> JsonlDataset.read(broken)).line());

        Path unparseable = dir.resolve("unparseable.jsonl");
        Files.writeString(unparseable, "{\"id\":\"a\",\"problem\":\"1+1\",\"answer\":\"two\"}\n");
        DatasetException answer = assertThrows(DatasetException.class, () -> JsonlDataset.read(unparseable, a -> a.matches("-?\\d+")));
        assertEquals("answer", answer.field());

        Path shared = org.zerotir.SharedData.DIR.resolve("math500.jsonl");
        if (Files.exists(shared)) assertEquals(500, JsonlDataset.read(shared).size());
    }
}
