package org.zerotir.data;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Pre-training text for the mini ZeroTIR base model. It teaches three things separately and never a math
 * problem solved with code, so that the tool use RL finds is discovered, not imitated:
 * <ul>
 *   <li>math problems solved in words, ending in a boxed answer: mostly easy numbers, some hard ones;</li>
 *   <li>Python snippets followed by their real output block, read back in words ("The output is N.");</li>
 *   <li>the bridge: programming requests ("Print 347 * 58 in Python and box the output.", "A crate holds 347
 *       bottles. Print the number of bottles in 58 crates in Python and box the output.") answered by
 *       code, its output and a boxed copy of it. Without it the chance of code, then output, then a box
 *       is about 1e-6 per sample and outcome-only RL never sees a reward (shared/MINI_ZEROTIR.md).</li>
 * </ul>
 * Documents use the same frame as the RL prompt ({@link #prompt}) so the model recognises it.
 */
public final class BaseCorpus {

    /**
     * Shares of the three kinds of document, the fraction of word-solved problems that use the hard numbers,
     * and the hard numbers themselves. Hard problems solved in words (right answers, no working shown) make
     * "What is 347 * 58?" a question the model has seen: with easy numbers only, a hard problem is
     * off-distribution and the model babbles instead of choosing between an answer and a program.
     */
    public record Settings(double wordShare, double snippetShare, double bridgeShare, double hardWordFraction,
                           double offerFraction, double hardOfferFraction, ArithmeticTasks.Settings hardNumbers) {
        public Settings {
            if (wordShare < 0 || snippetShare < 0 || bridgeShare < 0 || wordShare + snippetShare + bridgeShare <= 0) {
                throw new IllegalArgumentException("document shares must be >= 0 and not all 0");
            }
            if (!(hardWordFraction >= 0 && hardWordFraction <= 1)) {
                throw new IllegalArgumentException("hardWordFraction must be in [0, 1], got " + hardWordFraction);
            }
            if (!(offerFraction >= 0 && offerFraction <= 1)) {
                throw new IllegalArgumentException("offerFraction must be in [0, 1], got " + offerFraction);
            }
            if (!(hardOfferFraction >= 0 && hardOfferFraction <= 1)) {
                throw new IllegalArgumentException("hardOfferFraction must be in [0, 1], got " + hardOfferFraction);
            }
        }

        /** The mix of {@code zerotir pretrain}: the documents that are not programming requests split 55:45 between word solutions and snippets. */
        public static Settings mix(double bridgeShare, double hardWordFraction, double offerFraction, double hardOfferFraction) {
            return new Settings((1 - bridgeShare) * 0.55, (1 - bridgeShare) * 0.45, bridgeShare, hardWordFraction, offerFraction,
                    hardOfferFraction, ArithmeticTasks.Settings.products());
        }

        public static Settings defaults() {
            return new Settings(0.45, 0.35, 0.20, 0.3, 0.1, 0.1, ArithmeticTasks.Settings.products());
        }
    }

    /** The frame every problem is posed in, in pre-training and in RL. */
    public static String prompt(String problem) {
        return "Problem: " + problem + "\nSolution:";
    }

    /**
     * The RL prompt's offer of the tool, like the paper's template. In pre-training it follows easy problems
     * solved in words, half of the programming requests, which are answered with code, and, in the second stage
     * only ({@link Settings#hardOfferFraction()}), some hard problems solved in words: the RL prompt itself,
     * answered without code, which is what brings the first stage's near-certain code on it down to the few
     * percent outcome-only RL starts from (docs/mini-zerotir.md).
     */
    public static final String TOOL_OFFER = " You may use Python.";

    /** The RL prompt: the problem, the offer of the tool, the frame. */
    public static String toolPrompt(String problem) {
        return prompt(problem + TOOL_OFFER);
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
                if (random.nextDouble() < settings.hardWordFraction()) {
                    // drawn only when asked for, so that a corpus without these offers is the same as before they existed
                    boolean offered = settings.hardOfferFraction() > 0 && random.nextDouble() < settings.hardOfferFraction();
                    ArithmeticTasks.Task task = hardTask(settings, taskSeed);
                    if (offered && task.story() != null) task = posedAsExpression(settings.hardNumbers(), taskSeed);
                    documents.add(wordSolution(task, offered));
                } else {
                    ArithmeticTasks.Task task = ArithmeticTasks.generate(easy, ArithmeticTasks.Split.TRAIN, 1, taskSeed).getFirst();
                    boolean offered = random.nextDouble() < settings.offerFraction();
                    if (offered && task.story() != null) task = posedAsExpression(easy, taskSeed);
                    documents.add(wordSolution(task, offered));
                }
            } else if (pick < settings.wordShare() + settings.snippetShare()) {
                documents.add(snippet(hardTask(settings, taskSeed), random));
            } else {
                documents.add(bridge(hardTask(settings, taskSeed), random));
            }
        }
        return documents;
    }

    /**
     * The offer answered in words follows "What is ...?" problems only: word problems lose their code first
     * (offers on both kinds took them to no code at all while the others were still at 20 %, docs/mini-zerotir.md).
     */
    private static ArithmeticTasks.Task posedAsExpression(ArithmeticTasks.Settings numbers, long taskSeed) {
        ArithmeticTasks.Settings plain = new ArithmeticTasks.Settings(numbers.minDigits(), numbers.maxDigits(), numbers.operations(), numbers.operators(), 0);
        return ArithmeticTasks.generate(plain, ArithmeticTasks.Split.TRAIN, 1, taskSeed).getFirst();
    }

    /** Hard numbers come only from the training split: held-out expressions never appear in pre-training. */
    private static ArithmeticTasks.Task hardTask(Settings settings, long seed) {
        return ArithmeticTasks.generate(settings.hardNumbers(), ArithmeticTasks.Split.TRAIN, 1, seed).getFirst();
    }

    static String wordSolution(ArithmeticTasks.Task task, boolean invited) {
        return (invited ? toolPrompt(task.problem().problem()) : prompt(task.problem().problem())) + " " + task.expression() + " = " + task.value()
                + ". The answer is \\boxed{" + task.value() + "}.";
    }

    /** Code, its output, and the output read back: copying a tool's output is what RL cannot teach from nothing. */
    static String snippet(ArithmeticTasks.Task task, SplittableRandom random) {
        return code(task, random) + "```output\n" + task.value() + "\n```\nThe output is " + task.value() + ".";
    }

    /**
     * Programming requests in several phrasings, some opening like a problem ("What is the output of ..."):
     * with a single phrasing the model ties code to the word "Print" and writes code for fewer than 1 % of
     * the RL problems, too rare for outcome-only RL to find a reward. Every phrasing asks about a program,
     * none poses the arithmetic as a problem.
     */
    private static final String[][] REQUESTS = {
            {"Print ", " in Python and box the output."},
            {"What is the output of print(", ") in Python? Box it."},
            {"What does Python print for ", "? Box the output."},
            {"What is ", " in Python? Box the output."},
            {"Use Python to print ", ". What is the output? Box it."},
            {"Write a Python program that prints ", " and box what it prints."}};

    /**
     * The same requests about a story's situation: the situation is told as in a word problem, then a program
     * is asked to print what its question would ask ("the number of bottles in 58 crates", "how many bottles are
     * in 58 crates"), and the question itself is never posed. With requests about bare expressions only, a model
     * can tie code to "What is" and never to a story: stage-1 seed 1 then wrote code for no word problem at all,
     * and RL cannot reinforce what it never samples (docs/mini-zerotir.md). The indirect question matters as
     * much as "What is 347 * 58 in Python?" does for the other kind: with the noun phrase alone, the tie to word
     * problems was the weaker one (code for 83 % of them against 100 %) and the second stage took it to zero first.
     */
    private static final String[][] STORY_REQUESTS = {
            {" Print ", " in Python and box the output."},
            {" Use Python to print ", ". What is the output? Box it."},
            {" Write a Python program that prints ", " and box what it prints."}};

    /**
     * Half of the programming requests end with the RL prompt's offer of Python. Without it, whether the offer
     * leads to code is left to how a seed's model happens to generalise: the same recipe gave 99 % code for one
     * build's weights and 0 % for another's (docs/mini-zerotir.md), and the second stage can only lower that rate.
     * With it, the first stage ties the offer to code every time and the second stage calibrates it down.
     */
    static String bridge(ArithmeticTasks.Task task, SplittableRandom random) {
        BigInteger value = task.value();
        String offer = random.nextBoolean() ? TOOL_OFFER : "";
        String text;
        if (task.story() != null) {
            String[] request = STORY_REQUESTS[random.nextInt(STORY_REQUESTS.length)];
            String asked = random.nextBoolean() ? task.story().quantity() : task.story().indirectQuestion();
            text = task.story().situation() + request[0] + asked + request[1];
        } else {
            String[] request = REQUESTS[random.nextInt(REQUESTS.length)];
            text = request[0] + task.expression() + request[1];
        }
        return prompt(text + offer) + " " + code(task, random)
                + "```output\n" + value + "\n```\nThe output is " + value + ". The answer is \\boxed{" + value + "}.";
    }

    private static String code(ArithmeticTasks.Task task, SplittableRandom random) {
        String body = random.nextBoolean()
                ? "print(" + task.expression() + ")"
                : "x = " + task.expression() + "\nprint(x)";
        return "```python\n" + body + "\n```\n";
    }
}
