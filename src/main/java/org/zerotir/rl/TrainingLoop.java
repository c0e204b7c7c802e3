package org.zerotir.rl;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.zerotir.data.Problem;
import org.zerotir.engine.Backend;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.checkpoint.HuggingFaceCheckpoint;
import org.zerotir.engine.checkpoint.TrainingCheckpoint;
import org.zerotir.engine.generate.SamplingParams;
import org.zerotir.engine.optim.AdamW;
import org.zerotir.engine.optim.LearningRateSchedule;
import org.zerotir.rollout.CodeRunner;
import org.zerotir.rollout.RolloutSettings;
import org.zerotir.rollout.TextCodec;
import org.zerotir.rollout.ToolRollout;
import org.zerotir.rollout.Trajectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.BooleanSupplier;

/**
 * A whole run: models loaded from the configured directory (or the run's latest checkpoint), steps until the
 * configured count, a checkpoint and a held-out evaluation every {@code checkpointEvery} steps and at the end.
 * What happens to metrics and rollouts is the {@link Listener}'s business (files for the CLI, the database
 * for the server), so both front ends run exactly this loop.
 */
public final class TrainingLoop {

    /** What the loop tells its owner. Called on the training thread. */
    public interface Listener {
        void step(RlTrainer.StepResult result);

        /** Held-out metrics (names from {@link MetricNames}), computed at a checkpoint. */
        default void evaluated(int step, Map<String, Double> metrics) {}

        /** A checkpoint of the state after {@code step} steps now exists. */
        default void checkpointed(int step, Path directory) {}
    }

    /** The pieces a run needs that are not in its configuration: tokenizer, template, verifier, sandbox. */
    public record Environment(Backend backend, TextCodec codec, Set<Integer> stopTokens, List<String> stopStrings,
                              Function<Problem, String> prompt, Scorer scorer, CodeRunner runner) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String CHECKPOINTS = "checkpoints";

    private final RunConfig config;
    private final Environment environment;
    private final Path runDirectory;

    public TrainingLoop(RunConfig config, Environment environment, Path runDirectory) {
        this.config = config.validate();
        this.environment = environment;
        this.runDirectory = runDirectory;
    }

    /** The latest complete checkpoint of this run, or null. */
    public Path latestCheckpoint() throws IOException {
        Path checkpoints = runDirectory.resolve(CHECKPOINTS);
        if (!Files.isDirectory(checkpoints)) return null;
        try (var entries = Files.list(checkpoints)) {
            return entries.filter(p -> p.getFileName().toString().matches("step-\\d+"))
                    .filter(p -> Files.isRegularFile(p.resolve(TrainingCheckpoint.STATE)))
                    .max((a, b) -> Integer.compare(stepOf(a), stepOf(b))).orElse(null);
        }
    }

    private static int stepOf(Path checkpoint) {
        return Integer.parseInt(checkpoint.getFileName().toString().substring("step-".length()));
    }

    /**
     * Runs from the latest checkpoint (or the start) to the configured step count, or until {@code stop} says so
     * between steps. Returns the number of steps done in total.
     */
    public int run(List<Problem> train, List<Problem> heldOut, Listener listener, BooleanSupplier stop) throws IOException {
        Path latest = latestCheckpoint();
        int firstStep = 0;
        Transformer policy, critic = null, reference = null;
        AdamW policyOptimizer, criticOptimizer = null;
        AdamW.Settings adam = new AdamW.Settings(0.9, config.algorithm().adamBeta2(), 1e-8, 0.0, config.algorithm().maxGradNorm());
        boolean ppo = config.algorithm().name().equals("ppo");
        boolean needsReference = config.algorithm().klCoefficient() > 0;
        Path source = Path.of(config.model().path());
        if (latest != null) {
            TrainingCheckpoint.Restored restored = TrainingCheckpoint.load(environment.backend(), latest);
            policy = restored.model();
            policyOptimizer = restored.optimizer();
            firstStep = restored.trainerState().path("step").asInt();
            if (ppo) {
                TrainingCheckpoint.Restored restoredCritic = TrainingCheckpoint.load(environment.backend(), latest.resolve("critic"));
                critic = restoredCritic.model();
                criticOptimizer = restoredCritic.optimizer();
            }
        } else {
            policy = HuggingFaceCheckpoint.load(environment.backend(), source);
            policyOptimizer = new AdamW(policy, adam);
            if (ppo) {
                critic = HuggingFaceCheckpoint.loadValueModel(environment.backend(), source);
                criticOptimizer = new AdamW(critic, adam);
            }
        }
        if (needsReference) reference = HuggingFaceCheckpoint.load(environment.backend(), source);
        try {
            RlTrainer trainer = new RlTrainer(new RlTrainer.Models(policy, policyOptimizer, reference, critic, criticOptimizer),
                    config.trainerSettings(), rolloutSettings(SamplingParams.of(config.rollout().temperature(), config.seed())),
                    environment.codec(), environment.runner(), environment.prompt(), environment.scorer(), train,
                    new LearningRateSchedule.Constant(config.algorithm().learningRate(), config.algorithm().warmupSteps()));
            if (firstStep == 0 && !heldOut.isEmpty()) listener.evaluated(0, evaluate(policy, heldOut));
            int step = firstStep;
            while (step < config.steps() && !stop.getAsBoolean()) {
                RlTrainer.StepResult result = trainer.step(step);
                step++;
                listener.step(result);
                if (step % config.checkpointEvery() == 0 || step == config.steps()) {
                    Path checkpoint = save(step, policy, policyOptimizer, critic, criticOptimizer);
                    if (!heldOut.isEmpty()) listener.evaluated(step, evaluate(policy, heldOut));
                    listener.checkpointed(step, checkpoint);
                }
            }
            return step;
        } finally {
            policy.close();
            if (critic != null) critic.close();
            if (reference != null) reference.close();
        }
    }

    private RolloutSettings rolloutSettings(SamplingParams sampling) {
        return new RolloutSettings(config.rollout().maxResponseTokens(), config.tool().callBudget(), config.tool().maxOutputTokens(),
                config.tool().enabled(), config.tool().sessionMode(), environment.stopStrings(), environment.stopTokens(),
                config.rollout().slots(), sampling);
    }

    private Path save(int step, Transformer policy, AdamW policyOptimizer, Transformer critic, AdamW criticOptimizer) throws IOException {
        Path checkpoint = runDirectory.resolve(CHECKPOINTS).resolve("step-" + step);
        ObjectNode state = JSON.createObjectNode().put("step", step);
        if (critic != null) {
            // the critic goes in first: the policy's trainer_state.json is what marks the checkpoint complete
            TrainingCheckpoint.save(runDirectory.resolve(CHECKPOINTS).resolve("critic-" + step), critic, criticOptimizer, state);
        }
        TrainingCheckpoint.save(checkpoint, policy, policyOptimizer, state);
        if (critic != null) Files.move(runDirectory.resolve(CHECKPOINTS).resolve("critic-" + step), checkpoint.resolve("critic"));
        return checkpoint;
    }

    /** Greedy accuracy, code use and calls on the held-out problems: the figures the scaling plots need. */
    public Map<String, Double> evaluate(Transformer policy, List<Problem> heldOut) {
        ToolRollout rollout = new ToolRollout(policy, environment.codec(), environment.runner(), rolloutSettings(SamplingParams.greedy()));
        List<Trajectory> trajectories = rollout.generate(heldOut.stream().map(environment.prompt()).toList(), 1);
        List<Scorer.Score> scores = new ArrayList<>();
        for (Trajectory t : trajectories) scores.add(environment.scorer().score(heldOut.get(t.problemIndex()), t));
        Map<String, Double> rollout1 = RlTrainer.rolloutMetrics(trajectories, scores, 1);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(MetricNames.evalAverage(HELD_OUT, 1), rollout1.get(MetricNames.ACCURACY));
        metrics.put(MetricNames.evalCodeRatio(HELD_OUT), rollout1.get(MetricNames.TOOL_CODE_RATIO));
        return metrics;
    }

    /** The benchmark name of the run's own held-out problems in metric names. */
    public static final String HELD_OUT = "heldout";
}
