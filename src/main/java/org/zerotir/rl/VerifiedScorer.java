package org.zerotir.rl;

import org.zerotir.data.Problem;
import org.zerotir.reward.ResponseFacts;
import org.zerotir.reward.RewardFunction;
import org.zerotir.reward.RewardResult;
import org.zerotir.rollout.CodeRunner;
import org.zerotir.rollout.Trajectory;

/** The run's scorer: the verifier's outcome reward on the response's final answer. */
public final class VerifiedScorer implements Scorer {
    private final RewardFunction reward;

    public VerifiedScorer(RewardFunction reward) {
        this.reward = reward;
    }

    @Override
    public Score score(Problem problem, Trajectory trajectory) {
        int toolErrors = (int) trajectory.executions().stream()
                .filter(e -> e.status() == CodeRunner.Status.ERROR || e.status() == CodeRunner.Status.TIMEOUT).count();
        RewardResult result = reward.score(trajectory.responseText(), problem.answer(),
                new ResponseFacts(trajectory.ending() == Trajectory.Ending.TRUNCATED, toolErrors));
        return new Score(result.reward(), result.correct(), result.answer());
    }
}
