package org.zerotir.rl;

import org.zerotir.data.Problem;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.generate.SamplingParams;
import org.zerotir.engine.optim.AdamW;
import org.zerotir.engine.optim.LearningRateSchedule;
import org.zerotir.rollout.CodeRunner;
import org.zerotir.rollout.RolloutSettings;
import org.zerotir.rollout.TextCodec;
import org.zerotir.rollout.ToolRollout;
import org.zerotir.rollout.Trajectory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One RL step: sample prompts, roll out responses with code execution, score them, decide which responses
 * count, compute advantages, update the policy (and PPO's critic), and report the step's metrics under the
 * shared names. Everything random is derived from the run's seed and the step number, so a run resumed from
 * a checkpoint of step s takes step s + 1 exactly as the uninterrupted run did.
 */
public final class RlTrainer {

    /** The models a run trains; reference is null without KL, critic and its optimizer null unless PPO. */
    public record Models(Transformer policy, AdamW policyOptimizer, Transformer reference, Transformer critic,
                         AdamW criticOptimizer) {}

    /** What one step did: its metrics (names from {@link MetricNames}) and every response with its score. */
    public record StepResult(int step, Map<String, Double> metrics, List<Problem> problems, List<Trajectory> trajectories,
                             List<Scorer.Score> scores) {}

    private final Models models;
    private final TrainerSettings settings;
    private final RolloutSettings rollout;
    private final TextCodec codec;
    private final CodeRunner runner;
    private final Function<Problem, String> prompt;
    private final Scorer scorer;
    private final ProblemSampler sampler;
    private final LearningRateSchedule schedule;

    public RlTrainer(Models models, TrainerSettings settings, RolloutSettings rollout, TextCodec codec, CodeRunner runner,
                     Function<Problem, String> prompt, Scorer scorer, List<Problem> problems, LearningRateSchedule schedule) {
        if (settings.estimator() instanceof AdvantageEstimator.Ppo && (models.critic() == null || models.criticOptimizer() == null)) {
            throw new IllegalArgumentException("PPO needs a critic and its optimizer");
        }
        if ((settings.loss().klCoefficient() > 0 || settings.klInReward()) && models.reference() == null) {
            throw new IllegalArgumentException("a KL penalty needs a reference model");
        }
        this.models = models;
        this.settings = settings;
        this.rollout = rollout;
        this.codec = codec;
        this.runner = runner;
        this.prompt = prompt;
        this.scorer = scorer;
        this.sampler = new ProblemSampler(problems, settings.seed());
        this.schedule = schedule;
    }

    /** Trains step number {@code step} (counting from 0). */
    public StepResult step(int step) {
        List<Problem> problems = sampler.batch(step, settings.promptsPerStep());
        long started = System.nanoTime();
        List<Trajectory> trajectories = rolloutFor(step).generate(problems.stream().map(prompt).toList(), settings.samplesPerPrompt());
        double generationSeconds = (System.nanoTime() - started) / 1e9;
        List<Scorer.Score> scores = new ArrayList<>();
        for (Trajectory t : trajectories) scores.add(scorer.score(problems.get(t.problemIndex()), t));

        started = System.nanoTime();
        List<TrainingSequence> sequences = trajectories.stream()
                .map(t -> new TrainingSequence(t.allIds(), t.promptIds().length, t.trainable())).toList();
        Batch batch = batchOf(trajectories, sequences, scores);
        Map<String, Double> metrics = rolloutMetrics(trajectories, scores, generationSeconds);
        if (batch.trainableTokens() > 0) {
            train(step, sequences, batch, metrics);
        } else {
            // nothing carries signal (e.g. every group agreed): the policy is left as it is
            metrics.put(MetricNames.POLICY_LR, schedule.at(step));
        }
        double trainSeconds = (System.nanoTime() - started) / 1e9;
        metrics.put(MetricNames.TIME_TRAIN_S, trainSeconds);
        metrics.put(MetricNames.TRAIN_TOKENS_PER_S, batch.trainableTokens() * (double) settings.learner().epochs() / trainSeconds);
        return new StepResult(step, metrics, problems, trajectories, scores);
    }

    private ToolRollout rolloutFor(int step) {
        SamplingParams base = rollout.sampling();
        SamplingParams sampling = new SamplingParams(base.temperature(), base.topP(), base.topK(),
                settings.seed() * 7_919L + base.seed() * 31L + step);
        RolloutSettings stepSettings = new RolloutSettings(rollout.maxResponseTokens(), rollout.callBudget(),
                rollout.maxOutputTokens(), rollout.toolEnabled(), rollout.sessionMode(), rollout.stopStrings(),
                rollout.stopTokens(), rollout.slots(), sampling);
        return new ToolRollout(models.policy(), codec, runner, stepSettings);
    }

    /** Which responses count, and with what reward: the integrity and filtering rules of the run. */
    private Batch batchOf(List<Trajectory> trajectories, List<TrainingSequence> sequences, List<Scorer.Score> scores) {
        int n = trajectories.size();
        int[] groups = new int[n];
        double[] rewards = new double[n];
        boolean[] valid = new boolean[n];
        for (int i = 0; i < n; i++) {
            Trajectory t = trajectories.get(i);
            groups[i] = t.problemIndex();
            rewards[i] = scores.get(i).reward();
            // a sandbox failure says nothing about the policy: out of the statistics, never scored as wrong
            valid[i] = !t.infraFailure();
            if (t.fakeOutput()) {
                switch (settings.fakeOutput()) {
                    case KEEP -> { }
                    case ZERO_REWARD -> rewards[i] = 0;
                    case DROP -> valid[i] = false;
                }
            }
            if (settings.dropTruncated() && t.ending() == Trajectory.Ending.TRUNCATED) valid[i] = false;
        }
        if (settings.dynamicSampling()) dropUniformGroups(groups, rewards, valid);
        return Batch.of(sequences, groups, rewards, valid);
    }

    /** DAPO's dynamic sampling, as a filter: a group whose valid rewards are all equal has zero advantage everywhere. */
    private static void dropUniformGroups(int[] groups, double[] rewards, boolean[] valid) {
        Map<Integer, double[]> range = new LinkedHashMap<>();
        for (int i = 0; i < groups.length; i++) {
            if (!valid[i]) continue;
            double[] r = range.computeIfAbsent(groups[i], g -> new double[] {Double.MAX_VALUE, -Double.MAX_VALUE});
            r[0] = Math.min(r[0], rewards[i]);
            r[1] = Math.max(r[1], rewards[i]);
        }
        for (int i = 0; i < groups.length; i++) {
            double[] r = range.get(groups[i]);
            if (valid[i] && r[0] == r[1]) valid[i] = false;
        }
    }

    private void train(int step, List<TrainingSequence> sequences, Batch batch, Map<String, Double> metrics) {
        int micro = settings.learner().microBatch();
        boolean onPolicy = settings.learner().epochs() == 1 && Math.min(settings.learner().miniBatches(), sequences.size()) == 1;
        boolean ppo = settings.estimator() instanceof AdvantageEstimator.Ppo;
        float[] oldLogProbs = onPolicy && !settings.klInReward() ? null : Scoring.logProbs(models.policy(), sequences, micro).logProbs();
        float[] refLogProbs = models.reference() == null ? null : Scoring.logProbs(models.reference(), sequences, micro).logProbs();
        double[] tokenRewards = null;
        if (settings.klInReward()) {
            // REINFORCE++ folds k1 = log p - log p_ref into each token's reward
            tokenRewards = new double[batch.tokens()];
            for (int t = 0; t < tokenRewards.length; t++) {
                if (batch.trainable()[t]) tokenRewards[t] = -settings.klCoefficient() * (oldLogProbs[t] - refLogProbs[t]);
            }
        }
        float[] values = ppo ? Scoring.values(models.critic(), sequences, micro) : null;
        double[] doubleValues = values == null ? null : toDouble(values);
        double[] advantages = settings.estimator().advantages(batch, tokenRewards, doubleValues);
        double[] criticReturns = null;
        if (ppo) {
            criticReturns = ((AdvantageEstimator.Ppo) settings.estimator()).returns(batch, advantages, doubleValues);
            // the critic regresses the raw returns; the policy sees advantages whitened over the batch, as
            // OpenRLHF (the paper's base) does, so their scale does not depend on how wrong the critic still is
            advantages = AdvantageEstimator.whiten(batch, advantages);
        }
        double learningRate = schedule.at(step);
        PolicyLearner learner = new PolicyLearner(models.policy(), models.policyOptimizer(), new PolicyLoss(settings.loss()), settings.learner());
        PolicyLearner.Report report = learner.update(sequences, batch, advantages, oldLogProbs,
                settings.loss().klCoefficient() > 0 ? refLogProbs : null, learningRate);
        metrics.put(MetricNames.POLICY_KL, report.kl());
        metrics.put(MetricNames.POLICY_ENTROPY, report.entropy());
        metrics.put(MetricNames.POLICY_CLIP_LOW, report.clipLow());
        metrics.put(MetricNames.POLICY_CLIP_HIGH, report.clipHigh());
        metrics.put(MetricNames.POLICY_GRAD_NORM, report.gradNorm());
        metrics.put(MetricNames.POLICY_LR, learningRate);
        if (settings.klInReward() && settings.loss().klCoefficient() == 0) metrics.put(MetricNames.POLICY_KL, meanKl(batch, oldLogProbs, refLogProbs));
        if (ppo) {
            CriticLearner critic = new CriticLearner(models.critic(), models.criticOptimizer(), new ValueLoss(settings.valueClip()), settings.learner());
            CriticLearner.Report criticReport = critic.update(sequences, batch, values, criticReturns, learningRate);
            metrics.put(MetricNames.CRITIC_VALUE_LOSS, criticReport.valueLoss());
            metrics.put(MetricNames.CRITIC_EXPLAINED_VARIANCE, criticReport.explainedVariance());
        }
    }

    private static double meanKl(Batch batch, float[] logProbs, float[] refLogProbs) {
        double sum = 0;
        int count = 0;
        for (int i = 0; i < batch.sequences(); i++) {
            if (!batch.valid()[i]) continue;
            for (int t = batch.starts()[i]; t < batch.ends()[i]; t++) {
                if (!batch.trainable()[t]) continue;
                sum += KlEstimator.K1.value(logProbs[t], refLogProbs[t]);
                count++;
            }
        }
        return count == 0 ? 0 : sum / count;
    }

    private static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) out[i] = values[i];
        return out;
    }

    /** The step's rollout figures, over every response (including those left out of the update). */
    static Map<String, Double> rolloutMetrics(List<Trajectory> trajectories, List<Scorer.Score> scores, double generationSeconds) {
        int n = trajectories.size();
        double correct = 0, reward = 0, withCode = 0, calls = 0, errors = 0, fake = 0, infra = 0, length = 0, truncated = 0,
                noAnswer = 0, generated = 0, executionMillis = 0;
        for (int i = 0; i < n; i++) {
            Trajectory t = trajectories.get(i);
            Scorer.Score s = scores.get(i);
            if (s.correct()) correct++;
            reward += s.reward();
            if (s.answer() == null) noAnswer++;
            if (t.usedCode()) withCode++;
            if (t.fakeOutput()) fake++;
            if (t.ending() == Trajectory.Ending.TRUNCATED) truncated++;
            length += t.responseIds().length;
            for (boolean b : t.trainable()) if (b) generated++;
            for (CodeRunner.Execution e : t.executions()) {
                calls++;
                executionMillis += e.durationMillis();
                if (e.status() == CodeRunner.Status.INFRASTRUCTURE) infra++;
                else if (e.status() != CodeRunner.Status.OK) errors++;
            }
        }
        Map<String, Double> m = new LinkedHashMap<>();
        double d = Math.max(1, n);
        m.put(MetricNames.ACCURACY, correct / d);
        m.put(MetricNames.REWARD_MEAN, reward / d);
        m.put(MetricNames.TOOL_CODE_RATIO, withCode / d);
        m.put(MetricNames.TOOL_CALLS_PER_RESPONSE, calls / d);
        m.put(MetricNames.TOOL_ERROR_RATE, calls - infra == 0 ? 0 : errors / (calls - infra));
        m.put(MetricNames.TOOL_FAKE_OUTPUT_RATE, fake / d);
        m.put(MetricNames.TOOL_INFRA_FAILURES, infra);
        m.put(MetricNames.RESPONSE_LENGTH_MEAN, length / d);
        m.put(MetricNames.RESPONSE_TRUNCATED_RATIO, truncated / d);
        m.put(MetricNames.RESPONSE_NO_ANSWER_RATIO, noAnswer / d);
        m.put(MetricNames.TIME_GEN_S, generationSeconds);
        m.put(MetricNames.TIME_EXEC_S, executionMillis / 1000);
        m.put(MetricNames.GEN_TOKENS_PER_S, generated / Math.max(1e-9, generationSeconds));
        return m;
    }
}
