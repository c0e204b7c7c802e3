package org.zerotir.rl;

import org.zerotir.data.Problem;
import org.zerotir.rollout.CodeRunner;
import org.zerotir.rollout.TextCodec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A task a random tiny model cannot do but learns from outcome rewards alone: given "d?" answer the next
 * digit, (d + 1) mod 10 (chance about 1 in 12). One id per character; used wherever a test needs real RL
 * steps that take milliseconds.
 */
public final class DigitTask {
    private DigitTask() {}

    public static final String SYMBOLS = "0123456789?";
    /** The end-of-sequence id; it decodes to nothing. */
    public static final int EOS = SYMBOLS.length();

    public static final TextCodec CODEC = new TextCodec() {
        @Override
        public int[] encode(String text) {
            return text.chars().map(c -> {
                int id = SYMBOLS.indexOf(c);
                if (id < 0) throw new IllegalArgumentException("no id for '" + (char) c + "'");
                return id;
            }).toArray();
        }

        @Override
        public String decode(int[] ids, int from, int to) {
            StringBuilder text = new StringBuilder();
            for (int i = from; i < to; i++) if (ids[i] != EOS) text.append(SYMBOLS.charAt(ids[i]));
            return text.toString();
        }
    };

    public static final Scorer FIRST_DIGIT = (problem, trajectory) -> {
        String text = trajectory.responseText();
        String answer = text.isEmpty() ? null : text.substring(0, 1);
        boolean correct = problem.answer().equals(answer);
        return new Scorer.Score(correct ? 1 : 0, correct, answer);
    };

    public static final CodeRunner NO_SANDBOX = (code, session) -> CompletableFuture.failedFuture(new AssertionError("no code expected"));

    public static List<Problem> problems() {
        List<Problem> problems = new ArrayList<>();
        for (int d = 0; d < 10; d++) problems.add(new Problem("p" + d, d + "?", String.valueOf((d + 1) % 10)));
        return problems;
    }
}
