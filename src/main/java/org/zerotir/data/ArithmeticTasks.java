package org.zerotir.data;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * Arithmetic word problems for the mini ZeroTIR experiment: exact answers a small model cannot work out in
 * its head but a one-line program can. Difficulty knobs are the operand digits, the number of operations and
 * which operations mix. Every problem belongs to one split by a hash of its expression, so the held-out set
 * never shares an expression with training, whatever seed generated either.
 */
public final class ArithmeticTasks {

    public enum Split { TRAIN, TEST }

    /**
     * @param operations number of binary operations per problem (1 = "a op b")
     * @param operators  which of '+', '-', '*' may appear
     * @param wordShare  fraction of single-operation problems phrased as a story rather than "What is ...?"
     */
    public record Settings(int minDigits, int maxDigits, int operations, String operators, double wordShare) {
        public Settings {
            if (minDigits < 1 || maxDigits < minDigits || maxDigits > 18) {
                throw new IllegalArgumentException("digits must satisfy 1 <= minDigits <= maxDigits <= 18, got " + minDigits + ".." + maxDigits);
            }
            if (operations < 1 || operations > 6) throw new IllegalArgumentException("operations must be in [1, 6], got " + operations);
            if (operators.isEmpty() || !operators.chars().allMatch(c -> c == '+' || c == '-' || c == '*')) {
                throw new IllegalArgumentException("operators must be a non-empty subset of \"+-*\", got \"" + operators + "\"");
            }
            if (!(wordShare >= 0 && wordShare <= 1)) throw new IllegalArgumentException("wordShare must be in [0, 1], got " + wordShare);
        }

        /** The mini experiment's default: 3-digit by 2- or 3-digit products, as in the known prototype. */
        public static Settings products() {
            return new Settings(2, 3, 1, "*", 0.5);
        }
    }

    /**
     * A generated problem with the Python expression that computes it. {@code story} is the word problem's
     * parts when the problem is told as a story, null when it is posed as "What is ...?".
     */
    public record Task(Problem problem, String expression, BigInteger value, Story story) {}

    /**
     * A word problem in parts: the situation ("A crate holds 884 bottles."), the question asked about it, and
     * what the question asks for as a noun phrase ("the number of bottles in 899 crates") and as an indirect
     * question ("how many bottles are in 899 crates"), which let the base corpus ask for a program about the
     * same situation without posing the problem.
     */
    public record Story(String situation, String question, String quantity, String indirectQuestion) {
        public String problem() {
            return situation + " " + question;
        }
    }

    private ArithmeticTasks() {}

    public static Split splitOf(String expression) {
        CRC32 crc = new CRC32();
        crc.update(expression.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return crc.getValue() % 5 == 0 ? Split.TEST : Split.TRAIN;
    }

    /** Distinct problems of one split, reproducible from the seed. */
    public static List<Task> generate(Settings settings, Split split, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Task> tasks = new ArrayList<>(count);
        Set<String> seen = new HashSet<>();
        int attempts = 0;
        while (tasks.size() < count) {
            if (++attempts > count * 200 + 10_000) {
                throw new IllegalArgumentException("cannot find " + count + " distinct " + split + " problems with " + settings);
            }
            Task task = one(settings, random, split.name().toLowerCase() + "-" + tasks.size());
            if (splitOf(task.expression()) != split || !seen.add(task.expression())) continue;
            tasks.add(task);
        }
        return tasks;
    }

    private static Task one(Settings settings, SplittableRandom random, String id) {
        int n = settings.operations();
        BigInteger[] operands = new BigInteger[n + 1];
        char[] operators = new char[n];
        for (int i = 0; i <= n; i++) operands[i] = number(random, settings.minDigits(), settings.maxDigits());
        for (int i = 0; i < n; i++) operators[i] = settings.operators().charAt(random.nextInt(settings.operators().length()));
        if (n == 1 && operators[0] == '-' && operands[0].compareTo(operands[1]) < 0) {
            BigInteger swap = operands[0];
            operands[0] = operands[1];
            operands[1] = swap;
        }
        StringBuilder expression = new StringBuilder(operands[0].toString());
        for (int i = 0; i < n; i++) expression.append(' ').append(operators[i]).append(' ').append(operands[i + 1]);
        BigInteger value = evaluate(operands, operators);
        Story story = n == 1 && random.nextDouble() < settings.wordShare() ? story(operands[0], operators[0], operands[1], random) : null;
        String text = story != null ? story.problem() : "What is " + expression + "?";
        return new Task(new Problem("arith-" + id, text, value.toString()), expression.toString(), value, story);
    }

    /** Multiplication binds tighter than addition and subtraction, as in Python. */
    static BigInteger evaluate(BigInteger[] operands, char[] operators) {
        List<BigInteger> terms = new ArrayList<>();
        List<Character> signs = new ArrayList<>();
        BigInteger product = operands[0];
        for (int i = 0; i < operators.length; i++) {
            if (operators[i] == '*') {
                product = product.multiply(operands[i + 1]);
            } else {
                terms.add(product);
                signs.add(operators[i]);
                product = operands[i + 1];
            }
        }
        terms.add(product);
        BigInteger total = terms.getFirst();
        for (int i = 0; i < signs.size(); i++) {
            total = signs.get(i) == '+' ? total.add(terms.get(i + 1)) : total.subtract(terms.get(i + 1));
        }
        return total;
    }

    private static BigInteger number(SplittableRandom random, int minDigits, int maxDigits) {
        int digits = minDigits + random.nextInt(maxDigits - minDigits + 1);
        long low = digits == 1 ? 1 : (long) Math.pow(10, digits - 1);
        long high = (long) Math.pow(10, digits) - 1;
        return BigInteger.valueOf(low + random.nextLong(high - low + 1));
    }

    private static Story story(BigInteger a, char operator, BigInteger b, SplittableRandom random) {
        String[][] stories = switch (operator) {
            case '*' -> new String[][] {
                    {"A crate holds {a} bottles.", "How many bottles are in {b} crates?", "the number of bottles in {b} crates",
                            "how many bottles are in {b} crates"},
                    {"Each of {a} rows of a hall has {b} seats.", "How many seats are there?", "the number of seats in the hall",
                            "how many seats there are"},
                    {"A printer prints {a} pages a minute.", "How many pages does it print in {b} minutes?", "the number of pages it prints in {b} minutes",
                            "how many pages it prints in {b} minutes"}};
            case '+' -> new String[][] {
                    {"A library has {a} books and buys {b} more.", "How many books does it have now?", "the number of books it has now",
                            "how many books it has now"},
                    {"A farm sold {a} eggs on Monday and {b} eggs on Tuesday.", "How many eggs did it sell?", "the number of eggs it sold",
                            "how many eggs it sold"}};
            default -> new String[][] {
                    {"A tank holds {a} litres and {b} litres are drained.", "How many litres are left?", "the number of litres left",
                            "how many litres are left"},
                    {"A shop had {a} pens and sold {b} of them.", "How many pens are left?", "the number of pens left", "how many pens are left"}};
        };
        String[] story = stories[random.nextInt(stories.length)];
        String[] filled = new String[4];
        for (int i = 0; i < 4; i++) filled[i] = story[i].replace("{a}", a.toString()).replace("{b}", b.toString());
        return new Story(filled[0], filled[1], filled[2], filled[3]);
    }
}
