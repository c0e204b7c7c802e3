package org.zerotir.rl;

import org.zerotir.data.Problem;
import org.zerotir.rollout.Trajectory;

/** Judges one response against its problem's reference answer. */
@FunctionalInterface
public interface Scorer {

    /** reward: what RL maximises; correct: the answer verified; answer: what was extracted (null when none). */
    record Score(double reward, boolean correct, String answer) {}

    Score score(Problem problem, Trajectory trajectory);
}
