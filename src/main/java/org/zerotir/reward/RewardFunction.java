package org.zerotir.reward;

/**
 * The RL reward (the paper's outcome reward): extract the final answer, verify it against the reference,
 * 1 if equal, else 0; optional penalties (no answer, tool error, overlong) default to off. Thread-safe; an
 * rl Scorer calls it as {@code score(trajectory.responseText(), problem.answer(), facts)}.
 */
public final class RewardFunction {
    private final RewardSettings settings;
    private final MathEquivalence verifier;

    public RewardFunction(RewardSettings settings, MathEquivalence verifier) {
        if (settings == null || verifier == null) throw new IllegalArgumentException("settings and verifier are required");
        this.settings = settings;
        this.verifier = verifier;
    }

    public RewardFunction(RewardSettings settings) {
        this(settings, MathEquivalence.standard());
    }

    public RewardSettings settings() {
        return settings;
    }

    public RewardResult score(String responseText, String referenceAnswer, ResponseFacts facts) {
        if (referenceAnswer == null || referenceAnswer.isBlank()) throw new IllegalArgumentException("the reference answer is empty");
        if (facts == null) facts = ResponseFacts.NONE;
        double penalty = (facts.toolErrors() > 0 ? settings.toolErrorPenalty() : 0) + (facts.truncated() ? settings.overlongPenalty() : 0);
        String answerPart = responseText;
        if (settings.requireAnswerTags()) {
            answerPart = AnswerExtractor.taggedAnswer(responseText);
            if (answerPart == null) return new RewardResult(0.0 - penalty, false, null, RewardResult.Outcome.BAD_FORMAT, null);
        }
        Extraction extraction = AnswerExtractor.extract(answerPart, settings.style());
        if (!extraction.found()) {
            return new RewardResult(0.0 - penalty - settings.noAnswerPenalty(), false, null, RewardResult.Outcome.NO_ANSWER, null);
        }
        MathEquivalence.Verdict verdict = verifier.check(extraction.answer(), referenceAnswer);
        RewardResult.Outcome outcome = switch (verdict.result()) {
            case EQUAL -> RewardResult.Outcome.CORRECT;
            case NOT_EQUAL -> RewardResult.Outcome.WRONG;
            case UNPARSEABLE -> RewardResult.Outcome.UNPARSEABLE;
        };
        if (facts.truncated() && settings.truncatedIsWrong()) outcome = RewardResult.Outcome.TRUNCATED;
        boolean correct = outcome == RewardResult.Outcome.CORRECT;
        return new RewardResult((correct ? 1.0 : 0.0) - penalty, correct, extraction.answer(), outcome, verdict);
    }
}
