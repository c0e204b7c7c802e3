package org.zerotir.rl;

import org.zerotir.data.Problem;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.generate.SamplingParams;
import org.zerotir.rollout.CodeRunner;
import org.zerotir.rollout.PromptFormat;
import org.zerotir.rollout.RolloutSettings;
import org.zerotir.rollout.ToolRollout;
import org.zerotir.rollout.Trajectory;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The share of responses that write code when a model is given a run's prompts, sampled as the run samples
 * them: the code-use ratio an RL run with the tool would start from. RL can only reinforce code use that it
 * sees, and the mini ZeroTIR must start from a few percent, so the last stage of pre-training stops once this
 * is low enough (docs/mini-zerotir.md). The code is not executed: whether a block was written is all it counts.
 */
public final class CodeUseProbe {
    private static final CodeRunner NOT_RUN = (code, session) ->
            CompletableFuture.completedFuture(new CodeRunner.Execution(code, "", CodeRunner.Status.OK, 0));

    private final PromptFormat format;
    private final List<String> prompts;
    private final int samplesPerPrompt;
    private final RolloutSettings settings;

    private CodeUseProbe(PromptFormat format, List<String> prompts, int samplesPerPrompt, RolloutSettings settings) {
        this.format = format;
        this.prompts = prompts;
        this.samplesPerPrompt = samplesPerPrompt;
        this.settings = settings;
    }

    /** The first {@code promptCount} training problems of {@code config}, each sampled as often as the run samples a prompt. */
    public static CodeUseProbe of(RunConfig config, PromptFormat format, int promptCount) throws IOException {
        if (promptCount < 1) throw new IllegalArgumentException("promptCount must be >= 1, got " + promptCount);
        List<Problem> train = RunEnvironments.problems(config)[0];
        List<String> prompts = train.subList(0, Math.min(promptCount, train.size())).stream().map(p -> format.prompt(p.problem())).toList();
        // one call is enough to count; the run's seed and temperature, so the figure is reproducible
        RolloutSettings settings = new RolloutSettings(config.rollout().maxResponseTokens(), 1, config.tool().maxOutputTokens(), true,
                false, format.stopStrings(), format.stopTokens(), config.rollout().slots(),
                SamplingParams.of(config.rollout().temperature(), config.seed()));
        return new CodeUseProbe(format, prompts, config.rollout().samplesPerPrompt(), settings);
    }

    public int samples() {
        return prompts.size() * samplesPerPrompt;
    }

    /** The share of sampled responses that wrote at least one code block. */
    public double measure(Transformer model) {
        List<Trajectory> trajectories = new ToolRollout(model, format.codec(), NOT_RUN, settings).generate(prompts, samplesPerPrompt);
        return trajectories.stream().filter(Trajectory::usedCode).count() / (double) trajectories.size();
    }
}
