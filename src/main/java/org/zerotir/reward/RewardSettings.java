package org.zerotir.reward;

/**
 * How a response is turned into a scalar reward. The defaults are the paper's: 1 for a verified correct final
 * answer, 0 otherwise, a truncated response scores 0, and no shaping (every penalty 0).
 *
 * @param style            where the final answer is looked for (MATH: boxed / "the answer is"; NUMBER: also GSM8K's last number)
 * @param truncatedIsWrong a response cut off at its token limit scores as wrong even with a correct box (the paper's code)
 * @param noAnswerPenalty  subtracted when no final answer is found
 * @param toolErrorPenalty subtracted once when any code execution of the response ended in an error or a limit
 * @param overlongPenalty  subtracted when the response was truncated
 * @param requireAnswerTags the paper's format rule: exactly one {@code </think>}, {@code <answer>} and {@code </answer>},
 *                         in that order, the box inside the answer, almost nothing after it (off by default: it
 *                         holds only for prompts that ask for these tags)
 */
public record RewardSettings(AnswerExtractor.Style style, boolean truncatedIsWrong, double noAnswerPenalty,
                             double toolErrorPenalty, double overlongPenalty, boolean requireAnswerTags) {

    public RewardSettings {
        if (style == null) throw new IllegalArgumentException("style must be MATH or NUMBER");
        check("noAnswerPenalty", noAnswerPenalty);
        check("toolErrorPenalty", toolErrorPenalty);
        check("overlongPenalty", overlongPenalty);
    }

    private static void check(String name, double penalty) {
        if (!(penalty >= 0 && penalty <= 10)) throw new IllegalArgumentException(name + " must be in [0, 10] (it is subtracted), got " + penalty);
    }

    /** The paper's binary outcome reward for MATH-style answers. */
    public static RewardSettings defaults() {
        return new RewardSettings(AnswerExtractor.Style.MATH, true, 0, 0, 0, false);
    }

    /** The same for GSM8K-style data, where the last number counts as the answer when nothing is boxed. */
    public static RewardSettings numberAnswers() {
        return new RewardSettings(AnswerExtractor.Style.NUMBER, true, 0, 0, 0, false);
    }

    public RewardSettings withPenalties(double noAnswer, double toolError, double overlong) {
        return new RewardSettings(style, truncatedIsWrong, noAnswer, toolError, overlong, requireAnswerTags);
    }

    public RewardSettings withTruncatedIsWrong(boolean wrong) {
        return new RewardSettings(style, wrong, noAnswerPenalty, toolErrorPenalty, overlongPenalty, requireAnswerTags);
    }

    public RewardSettings withRequireAnswerTags(boolean require) {
        return new RewardSettings(style, truncatedIsWrong, noAnswerPenalty, toolErrorPenalty, overlongPenalty, require);
    }
}
