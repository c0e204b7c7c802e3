package org.zerotir.rl;

import org.junit.jupiter.api.Test;
import org.zerotir.data.Problem;
import org.zerotir.reward.RewardFunction;
import org.zerotir.reward.RewardSettings;
import org.zerotir.rollout.CodeRunner;
import org.zerotir.rollout.Trajectory;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VerifiedScorerTest {
    private static final Problem PROBLEM = new Problem("p", "What is 347 * 58?", "20126");
    private final Scorer scorer = new VerifiedScorer(new RewardFunction(RewardSettings.defaults()));

    private static Trajectory response(String text, Trajectory.Ending ending, CodeRunner.Status... executions) {
        List<CodeRunner.Execution> runs = java.util.Arrays.stream(executions).map(s -> new CodeRunner.Execution("print(1)", "1", s, 3)).toList();
        return new Trajectory(0, 0, new int[] {1}, new int[] {2}, new boolean[] {true}, new float[] {0f}, runs, ending, false, false, text);
    }

    @Test
    void theLastBoxVerifiedAgainstTheReferenceIsTheReward() {
        Scorer.Score right = scorer.score(PROBLEM, response("The output is 20126. The answer is \\boxed{20,126}.", Trajectory.Ending.STOPPED));
        assertEquals(1.0, right.reward());
        assertTrue(right.correct());
        Scorer.Score wrong = scorer.score(PROBLEM, response("\\boxed{20126} no, \\boxed{20127}", Trajectory.Ending.STOPPED));
        assertEquals(0.0, wrong.reward());
        assertEquals("20127", wrong.answer());
        Scorer.Score none = scorer.score(PROBLEM, response("I do not know", Trajectory.Ending.STOPPED, CodeRunner.Status.ERROR));
        assertEquals(0.0, none.reward());
        assertNull(none.answer());
    }

    @Test
    void aTruncatedResponseScoresZeroEvenWithTheRightBox() {
        Scorer.Score cut = scorer.score(PROBLEM, response("\\boxed{20126} and then on and on", Trajectory.Ending.TRUNCATED));
        assertEquals(0.0, cut.reward());
        assertFalse(cut.correct());
    }
}
