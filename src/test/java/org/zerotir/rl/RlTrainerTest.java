package org.zerotir.rl;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zerotir.data.Problem;
import org.zerotir.engine.ModelConfig;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.checkpoint.TrainingCheckpoint;
import org.zerotir.engine.cpu.CpuBackend;
import org.zerotir.engine.generate.SamplingParams;
import org.zerotir.engine.optim.AdamW;
import org.zerotir.engine.optim.LearningRateSchedule;
import org.zerotir.rollout.RolloutSettings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole RL step on a task a random tiny model cannot do but can learn from outcome rewards alone: given
 * "d?" answer the next digit, (d + 1) mod 10. Chance is about 1 in 12.
 */
class RlTrainerTest {
    private static CpuBackend backend;

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    private static ModelConfig config() {
        return new ModelConfig(DigitTask.EOS + 1, 32, 64, 2, 4, 2, 16, 10000, 1e-6, false, true);
    }

    private static RolloutSettings rollout() {
        return new RolloutSettings(2, 0, 16, false, false, List.of(), Set.of(DigitTask.EOS), 64, SamplingParams.of(1.0, 3));
    }

    private static TrainerSettings settings(AdvantageEstimator estimator, boolean klInReward, double klCoefficient,
                                            PolicyLearner.Settings learner) {
        return new TrainerSettings(estimator, 8, 8, PolicyLoss.Settings.paper(), learner, TrainerSettings.FakeOutput.DROP,
                false, false, klInReward, klCoefficient, 0.2, 11);
    }

    private static RlTrainer trainer(Transformer policy, AdamW optimizer, Transformer reference, Transformer critic,
                                     AdamW criticOptimizer, TrainerSettings settings) {
        return new RlTrainer(new RlTrainer.Models(policy, optimizer, reference, critic, criticOptimizer), settings, rollout(),
                DigitTask.CODEC, DigitTask.NO_SANDBOX, Problem::problem, DigitTask.FIRST_DIGIT, DigitTask.problems(), new LearningRateSchedule.Constant(1e-2, 0));
    }

    /** Mean reward of the first and last five of {@code steps} steps. */
    private static double[] rewardBeforeAndAfter(RlTrainer trainer, int steps) {
        double first = 0, last = 0;
        for (int step = 0; step < steps; step++) {
            double reward = trainer.step(step).metrics().get(MetricNames.REWARD_MEAN);
            if (step < 5) first += reward / 5;
            if (step >= steps - 5) last += reward / 5;
        }
        return new double[] {first, last};
    }

    private static void assertLearns(String name, double[] rewards) {
        System.out.printf("%s: mean reward over the first 5 steps %.3f, last 5 %.3f%n", name, rewards[0], rewards[1]);
        assertTrue(rewards[0] < 0.3, name + " starts near chance, got " + rewards[0]);
        assertTrue(rewards[1] > rewards[0] + 0.3, name + " must raise the reward by RL alone: " + rewards[0] + " -> " + rewards[1]);
    }

    @Test
    void grpoRaisesTheReward() {
        try (Transformer policy = new Transformer(backend, config())) {
            policy.initializeRandom(5);
            AdamW optimizer = new AdamW(policy, AdamW.Settings.defaults());
            RlTrainer trainer = trainer(policy, optimizer, null, null, null,
                    settings(new AdvantageEstimator.Grpo(true), false, 0, new PolicyLearner.Settings(1, 1, 32)));
            assertLearns("GRPO", rewardBeforeAndAfter(trainer, 100));
        }
    }

    @Test
    void reinforcePlusPlusWithKlInTheRewardRaisesTheReward() {
        try (Transformer policy = new Transformer(backend, config()); Transformer reference = new Transformer(backend, config())) {
            policy.initializeRandom(5);
            reference.initializeRandom(5);
            AdamW optimizer = new AdamW(policy, AdamW.Settings.defaults());
            RlTrainer trainer = trainer(policy, optimizer, reference, null, null,
                    settings(new AdvantageEstimator.ReinforcePlusPlus(true), true, 0.01, new PolicyLearner.Settings(1, 2, 32)));
            double[] rewards = rewardBeforeAndAfter(trainer, 100);
            assertLearns("REINFORCE++", rewards);
        }
    }

    @Test
    void ppoWithACriticRaisesTheReward() {
        try (Transformer policy = new Transformer(backend, config());
             Transformer critic = new Transformer(backend, config().asValueModel())) {
            policy.initializeRandom(5);
            critic.initializeRandom(6);
            AdamW optimizer = new AdamW(policy, AdamW.Settings.defaults());
            AdamW criticOptimizer = new AdamW(critic, AdamW.Settings.defaults());
            RlTrainer trainer = trainer(policy, optimizer, null, critic, criticOptimizer,
                    settings(new AdvantageEstimator.Ppo(1.0, 1.0), false, 0, new PolicyLearner.Settings(2, 2, 32)));
            List<Map<String, Double>> metrics = new ArrayList<>();
            double first = 0, last = 0;
            for (int step = 0; step < 100; step++) {
                Map<String, Double> m = trainer.step(step).metrics();
                metrics.add(m);
                if (step < 5) first += m.get(MetricNames.REWARD_MEAN) / 5;
                if (step >= 95) last += m.get(MetricNames.REWARD_MEAN) / 5;
            }
            assertLearns("PPO", new double[] {first, last});
            assertTrue(metrics.getLast().containsKey(MetricNames.CRITIC_VALUE_LOSS), "PPO reports its critic");
        }
    }

    @Test
    void rlooRaisesTheReward() {
        try (Transformer policy = new Transformer(backend, config())) {
            policy.initializeRandom(5);
            AdamW optimizer = new AdamW(policy, AdamW.Settings.defaults());
            RlTrainer trainer = trainer(policy, optimizer, null, null, null,
                    settings(new AdvantageEstimator.Rloo(), false, 0, new PolicyLearner.Settings(1, 1, 32)));
            assertLearns("RLOO", rewardBeforeAndAfter(trainer, 100));
        }
    }

    @Test
    void aResumedRunTakesTheSameNextStepBitForBit(@TempDir Path directory) throws Exception {
        TrainerSettings settings = settings(new AdvantageEstimator.Grpo(true), false, 0, new PolicyLearner.Settings(2, 2, 16));
        float[] uninterrupted;
        Map<String, Double> uninterruptedMetrics;
        try (Transformer policy = new Transformer(backend, config())) {
            policy.initializeRandom(5);
            AdamW optimizer = new AdamW(policy, AdamW.Settings.defaults());
            RlTrainer trainer = trainer(policy, optimizer, null, null, null, settings);
            trainer.step(0);
            trainer.step(1);
            TrainingCheckpoint.save(directory, policy, optimizer, null);
            uninterruptedMetrics = trainer.step(2).metrics();
            uninterrupted = policy.backend().toHost(policy.parameters());
        }
        TrainingCheckpoint.Restored restored = TrainingCheckpoint.load(backend, directory);
        try (Transformer policy = restored.model()) {
            RlTrainer trainer = trainer(policy, restored.optimizer(), null, null, null, settings);
            Map<String, Double> resumedMetrics = trainer.step(2).metrics();
            assertArrayEquals(uninterrupted, policy.backend().toHost(policy.parameters()), "weights after the resumed step");
            for (String name : List.of(MetricNames.REWARD_MEAN, MetricNames.POLICY_GRAD_NORM, MetricNames.POLICY_CLIP_HIGH)) {
                assertEquals(uninterruptedMetrics.get(name), resumedMetrics.get(name), name);
            }
        }
    }

    @Test
    void refusesWhatCannotTrain() {
        try (Transformer policy = new Transformer(backend, config())) {
            AdamW optimizer = new AdamW(policy, AdamW.Settings.defaults());
            IllegalArgumentException ppo = assertThrows(IllegalArgumentException.class, () -> trainer(policy, optimizer, null, null, null,
                    settings(new AdvantageEstimator.Ppo(1, 1), false, 0, new PolicyLearner.Settings(1, 1, 8))));
            assertTrue(ppo.getMessage().contains("critic"), ppo.getMessage());
            IllegalArgumentException kl = assertThrows(IllegalArgumentException.class, () -> trainer(policy, optimizer, null, null, null,
                    settings(new AdvantageEstimator.ReinforcePlusPlus(false), true, 0.1, new PolicyLearner.Settings(1, 1, 8))));
            assertTrue(kl.getMessage().contains("reference"), kl.getMessage());
            IllegalArgumentException group = assertThrows(IllegalArgumentException.class, () -> new TrainerSettings(
                    new AdvantageEstimator.Grpo(true), 8, 1, PolicyLoss.Settings.paper(), new PolicyLearner.Settings(1, 1, 8),
                    TrainerSettings.FakeOutput.DROP, false, false, false, 0, 0.2, 1));
            assertTrue(group.getMessage().contains("samplesPerPrompt"), group.getMessage());
        }
    }
}
