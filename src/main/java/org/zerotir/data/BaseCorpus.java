package org.zerotir.data;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Pre-training text for the mini ZeroTIR base model. It teaches three things separately and never a math
 * problem solved with code, so that the tool use RL finds is discovered, not imitated:
 * <ul>
 *   <li>math problems with easy numbers solved in words, ending in a boxed answer;</li>
 *   <li>Python snippets followed by their real output block, read back in words ("The output is N.");</li>
 *   <li>the bridge: programming requests ("Print 347 * 58 in Python and box the output.") answered by
 *       code, its output and a boxed copy of it. Without it the chance of code, then output, then a box
 *       is about 1e-6 per sample and outcome-only RL never sees a reward (shared/MINI_ZEROTIR.md).</li>
 * </ul>
 * Documents use the same frame as the RL prompt ({@link #prompt}) so the model recognises it.
 */
public final class BaseCorpus {

    /** Shares of the three kinds of document, and the hard numbers the snippets and bridge use. */
    public record Settings(double wordShare, double snippetShare, double bridgeShare, ArithmeticTasks.Settings hardNumbers) {
        public Settings {
            if (wordShare < 0 || snippetShare < 0 || bridgeShare < 0 || wordShare + snippetShare + bridgeShare <= 0) {
                throw new IllegalArgumentException("document shares must be >= 0 and not all 0");
            }
        }

        public static Settings defaults() {
            return new Settings(0.45, 0.35, 0.20, ArithmeticTasks.Settings.products());
        }
    }

    /** The frame every problem is posed in, in pre-training and in RL. */
    public static String prompt(String problem) {
        return "Problem: " + problem + "\nSolution:";
    }

    private BaseCorpus() {}

    public static List<String> documents(Settings settings, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double total = settings.wordShare() + settings.snippetShare() + settings.bridgeShare();
        ArithmeticTasks.Settings easy = new ArithmeticTasks.Settings(1, 1, 1, "+-*", 0.3);
        List<String> documents = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            double pick = random.nextDouble() * total;
            long taskSeed = random.nextLong();
            if (pick < settings.wordShare()) {
                documents.add(wordSolution(ArithmeticTasks.generate(easy, ArithmeticTasks.Split.TRAIN, 1, taskSeed).getFirst()));
            } else if (pick < settings.wordShare() + settings.snippetShare()) {
                documents.add(snippet(hardTask(settings, taskSeed), random));
            } else {
                documents.add(bridge(hardTask(settings, taskSeed), random));
            }
        }
        return documents;
    }

    /** Hard numbers come only from the training split: held-out expressions never appear in pre-training. */
    private static ArithmeticTasks.Task hardTask(Settings settings, long seed) {
        return ArithmeticTasks.generate(settings.hardNumbers(), ArithmeticTasks.Split.TRAIN, 1, seed).getFirst();
    }

    static String wordSolution(ArithmeticTasks.Task task) {
        return prompt(task.problem().problem()) + " " + task.expression() + " = " + task.value()
                + ". The answer is \\boxed{" + task.value() + "}.";
    }

    /** Code, its output, and the output read back: copying a tool's output is what RL cannot teach from nothing. */
    static String snippet(ArithmeticTasks.Task task, SplittableRandom random) {
        return code(task, random) + "```output\n" + task.value() + "\n```\nThe output is " + task.value() + ".";
    }

    static String bridge(ArithmeticTasks.Task task, SplittableRandom random) {
        BigInteger value = task.value();
        return prompt("Print " + task.expression() + " in Python and box the output.") + " " + code(task, random)
                + "```output\n" + value + "\n```\nThe output is " + value + ". The answer is \\boxed{" + value + "}.";
    }

    private static String code(ArithmeticTasks.Task task, SplittableRandom random) {
        String body = random.nextBoolean()
                ? "print(" + task.expression() + ")"
                : "x = " + task.expression() + "\nprint(x)";
        return "```python\n" + body + "\n```\n";
    }
}
