package org.zerotir.rl;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Hand-computed examples. The batch: group 0 = sequences 0 (reward 1) and 1 (reward 0); group 1 =
 * sequences 2 and 3 (both reward 1). Token 1 (inside sequence 0) is tool output: never trainable.
 */
class AdvantageEstimatorTest {
    private static final boolean[] TRAINABLE = {true, false, true, true, true, true, true, true};
    private static final Batch BATCH = new Batch(new int[] {0, 3, 5, 6}, new int[] {3, 5, 6, 8}, new int[] {0, 0, 1, 1},
            new double[] {1, 0, 1, 1}, new boolean[] {true, true, true, true}, TRAINABLE);

    @Test
    void grpoNormalisesWithinGroupsAndDrGrpoDoesNotDivide() {
        double a = 0.5 / (0.5 + 1e-6);
        assertArrayEquals(new double[] {a, 0, a, -a, -a, 0, 0, 0},
                new AdvantageEstimator.Grpo(true).advantages(BATCH, null, null), 1e-12);
        assertArrayEquals(new double[] {0.5, 0, 0.5, -0.5, -0.5, 0, 0, 0},
                new AdvantageEstimator.Grpo(false).advantages(BATCH, null, null), 1e-12);
    }

    @Test
    void rlooSubtractsTheMeanOfTheOthers() {
        assertArrayEquals(new double[] {1, 0, 1, -1, -1, 0, 0, 0},
                new AdvantageEstimator.Rloo().advantages(BATCH, null, null), 1e-12);
    }

    @Test
    void reinforcePlusPlusWhitensReturnsOverTheBatch() {
        // baseline-subtracted outcomes 0.5, -0.5, 0, 0 on 7 trainable tokens: mean 0, std sqrt(1/7)
        double z = 0.5 / Math.sqrt(1.0 / 7);
        assertArrayEquals(new double[] {z, 0, z, -z, -z, 0, 0, 0},
                new AdvantageEstimator.ReinforcePlusPlus(true).advantages(BATCH, null, null), 1e-6);
        // KL folded into the reward: -0.1 per trainable token, summed into returns-to-go that skip tool output
        double[] klRewards = {-0.1, -0.1, -0.1, -0.1, -0.1, -0.1, -0.1, -0.1};
        double[] returns = {0.3, 0, 0.4, -0.7, -0.6, -0.1, -0.2, -0.1};
        double mean = 0, squares = 0;
        for (int t = 0; t < 8; t++) if (TRAINABLE[t]) { mean += returns[t] / 7; squares += returns[t] * returns[t] / 7; }
        double std = Math.sqrt(squares - mean * mean);
        double[] expected = new double[8];
        for (int t = 0; t < 8; t++) if (TRAINABLE[t]) expected[t] = (returns[t] - mean) / std;
        assertArrayEquals(expected, new AdvantageEstimator.ReinforcePlusPlus(true).advantages(BATCH, klRewards, null), 1e-6);
    }

    @Test
    void ppoGaeRunsAcrossToolOutputOverTrainableTokensOnly() {
        double[] values = {0.2, 99, 0.6, 0.1, 0.3, 0.5, 0.4, 0.8};
        double[] advantages = new AdvantageEstimator.Ppo(1.0, 0.5).advantages(BATCH, null, values);
        // sequence 0: A2 = 1 - 0.6 = 0.4; A0 = (0.6 - 0.2) + 0.5 * 0.4 = 0.6 (token 1's value never read)
        assertEquals(0.4, advantages[2], 1e-12);
        assertEquals(0.6, advantages[0], 1e-12);
        assertEquals(0, advantages[1]);
        // sequence 1 (reward 0): A4 = -0.3; A3 = (0.3 - 0.1) + 0.5 * -0.3 = 0.05
        assertEquals(-0.3, advantages[4], 1e-12);
        assertEquals(0.05, advantages[3], 1e-12);
        // gamma = lambda = 1: every advantage is the outcome minus the token's value
        double[] monteCarlo = new AdvantageEstimator.Ppo(1, 1).advantages(BATCH, null, values);
        assertEquals(1 - 0.2, monteCarlo[0], 1e-12);
        assertEquals(1 - 0.4, monteCarlo[6], 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new AdvantageEstimator.Ppo(1.5, 1));
    }

    @Test
    void invalidSequencesAreLeftOutOfTheStatistics() {
        // sequence 1 lost its execution to the sandbox: group 0 then has only sequence 0
        Batch batch = new Batch(BATCH.starts(), BATCH.ends(), BATCH.groups(), BATCH.rewards(),
                new boolean[] {true, false, true, true}, TRAINABLE);
        double[] grpo = new AdvantageEstimator.Grpo(false).advantages(batch, null, null);
        assertArrayEquals(new double[] {0, 0, 0, 0, 0, 0, 0, 0}, grpo, 1e-12);
        assertEquals(5, batch.trainableTokens());
    }
}
