package org.zerotir.eval;

import org.zerotir.data.Problem;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.generate.SamplingParams;
import org.zerotir.reward.RewardFunction;
import org.zerotir.rl.Scorer;
import org.zerotir.rl.VerifiedScorer;
import org.zerotir.rollout.CodeRunner;
import org.zerotir.rollout.PromptFormat;
import org.zerotir.rollout.RolloutSettings;
import org.zerotir.rollout.TextCodec;
import org.zerotir.rollout.ToolRollout;
import org.zerotir.rollout.Trajectory;
import org.zerotir.engine.generate.Generator;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Runs a benchmark on a model exactly as training generates: {@link ToolRollout} (same fences, output blocks,
 * call budget, output cap, stop strings) and {@link VerifiedScorer} (the training reward's answer extraction and
 * verification). Problems go through in chunks so that a progress line can follow; within a chunk every response
 * shares the batched KV-cache slots.
 */
public final class Evaluator {

    /** What a model brings to an evaluation: its batched generator, context, tokenizer, template and stops. */
    public record Policy(String name, ToolRollout.Generators generators, int maxContext, TextCodec codec,
                         Function<String, String> prompt, Set<Integer> stopTokens, List<String> stopStrings) {

        public static Policy of(String name, Transformer model, PromptFormat format) {
            return new Policy(name, (slots, context) -> new Generator(model, slots, context), model.config().maxPositions(),
                    format.codec(), format::prompt, format.stopTokens(), format.stopStrings());
        }
    }

    /** Told after every chunk: responses done of the total, and how many of them were correct. */
    @FunctionalInterface
    public interface Progress {
        void update(int responsesDone, int responsesTotal, int correct);
    }

    private static final CodeRunner NO_TOOL = (code, session) ->
            CompletableFuture.failedFuture(new IllegalStateException("the tool is off in this evaluation"));

    private final Policy policy;
    private final CodeRunner runner;

    /** runner may be null when every evaluation runs without the tool. */
    public Evaluator(Policy policy, CodeRunner runner) {
        this.policy = Objects.requireNonNull(policy);
        this.runner = runner;
    }

    public EvalResult evaluate(Benchmarks.Benchmark benchmark, EvalSettings settings, Progress progress) {
        if (settings.toolEnabled() && runner == null) throw new IllegalArgumentException("the tool is on but no sandbox was given");
        long started = System.nanoTime();
        Scorer scorer = new VerifiedScorer(new RewardFunction(benchmark.reward()));
        List<Problem> problems = benchmark.problems();
        int k = settings.samples();
        // enough problems per chunk to keep every slot busy most of the time, few enough for a live progress line
        int chunk = Math.max(1, 2 * settings.slots() / k);
        List<ResponseRecord> records = new ArrayList<>(problems.size() * k);
        int correct = 0;
        for (int from = 0; from < problems.size(); from += chunk) {
            List<Problem> part = problems.subList(from, Math.min(problems.size(), from + chunk));
            ToolRollout rollout = new ToolRollout(policy.generators(), policy.maxContext(), policy.codec(),
                    settings.toolEnabled() ? runner : NO_TOOL, rolloutSettings(settings, from));
            List<Trajectory> trajectories = rollout.generate(part.stream().map(p -> policy.prompt().apply(p.problem())).toList(), k);
            for (Trajectory t : trajectories) {
                Problem problem = part.get(t.problemIndex());
                Scorer.Score score = scorer.score(problem, t);
                if (score.correct()) correct++;
                records.add(new ResponseRecord(problem.id(), t.sample(), score.correct(), score.answer(), problem.answer(),
                        t.responseIds().length, t.ending() == Trajectory.Ending.TRUNCATED, t.executions(), t.responseText()));
            }
            if (progress != null) progress.update(records.size(), problems.size() * k, correct);
        }
        return new EvalResult(benchmark.name(), policy.name(), settings.toolEnabled(), k, problems.size(), records,
                (System.nanoTime() - started) / 1e9);
    }

    private RolloutSettings rolloutSettings(EvalSettings settings, int firstProblem) {
        // the rollout seeds each response from (seed, problem index in its call, sample): offset the seed by the
        // chunk so that problem 0 of every chunk does not draw the same stream
        long seed = settings.seed() * 1_000_033L + firstProblem;
        SamplingParams sampling = new SamplingParams(settings.temperature(), settings.topP(), 0, seed);
        return new RolloutSettings(settings.maxResponseTokens(), settings.callBudget(), settings.maxOutputTokens(), settings.toolEnabled(),
                false, policy.stopStrings(), policy.stopTokens(), settings.slots(), sampling);
    }
}
