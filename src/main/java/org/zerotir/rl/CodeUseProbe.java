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
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * The share of responses that write code when a model is given a run's prompts, sampled as the run samples
 * them: the code-use ratio an RL run with the tool would start from. RL can only reinforce code use that it
 * sees, and the mini ZeroTIR must start from a few percent, so the last stage of pre-training stops once this
 * is low enough (docs/mini-zerotir.md). The code is not executed: whether a block was written is all it counts.
 * The share is also given per {@link Kind} of problem, because a low overall share can hide a kind at zero:
 * stage-1 seed 1 of session 5 coded for 3 % of the "What is a * b?" problems and for none of the word
 * problems, and RL then learnt the tool for the first kind only.
 */
public final class CodeUseProbe {
    private static final CodeRunner NOT_RUN = (code, session) ->
            CompletableFuture.completedFuture(new CodeRunner.Execution(code, "", CodeRunner.Status.OK, 0));

    /** How a problem is posed: an arithmetic expression in its text ("What is 76 * 309?"), or words only. */
    public enum Kind {
        EXPRESSION("posed as an expression"), WORDS("in words");

        private static final Pattern EXPRESSION_IN_TEXT = Pattern.compile("\\d\\s*[-+*/^]\\s*\\d");
        public final String label;

        Kind(String label) {
            this.label = label;
        }

        public static Kind of(String problem) {
            return EXPRESSION_IN_TEXT.matcher(problem).find() ? EXPRESSION : WORDS;
        }
    }

    /** {@code coded} of {@code samples} responses wrote code. */
    public record Share(int coded, int samples) {
        public double ratio() {
            return samples == 0 ? 0 : coded / (double) samples;
        }

        Share plus(boolean code) {
            return new Share(coded + (code ? 1 : 0), samples + 1);
        }
    }

    /** The share over all sampled responses and per kind of problem (only the kinds the prompts hold). */
    public record Measurement(Share all, Map<Kind, Share> byKind) {
        /** The first kind that was sampled but never answered with code, or null. */
        public Kind kindWithoutCode() {
            return byKind.entrySet().stream().filter(e -> e.getValue().coded() == 0).map(Map.Entry::getKey).findFirst().orElse(null);
        }

        /**
         * At most {@code target} overall, and some code on every kind of problem: a kind at zero is no place to stop
         * the second stage, since RL would never find the tool for it, and further steps often bring it back
         * (docs/mini-zerotir.md).
         */
        public boolean lowEnough(double target) {
            return all.ratio() <= target && kindWithoutCode() == null;
        }

        /** "0.047 (posed as an expression 0.062, in words 0.031)" */
        @Override
        public String toString() {
            StringBuilder text = new StringBuilder(String.format("%.3f (", all.ratio()));
            byKind.forEach((kind, share) -> text.append(text.charAt(text.length() - 1) == '(' ? "" : ", ")
                    .append(kind.label).append(String.format(" %.3f", share.ratio())));
            return text.append(')').toString();
        }
    }

    private final PromptFormat format;
    private final List<Kind> kinds;
    private final List<String> prompts;
    private final int samplesPerPrompt;
    private final RolloutSettings settings;

    private CodeUseProbe(PromptFormat format, List<Kind> kinds, List<String> prompts, int samplesPerPrompt, RolloutSettings settings) {
        this.format = format;
        this.kinds = kinds;
        this.prompts = prompts;
        this.samplesPerPrompt = samplesPerPrompt;
        this.settings = settings;
    }

    /**
     * The first {@code promptCount} problems the run will train on, in its order (its first step's problems first), each
     * sampled as often as the run samples a prompt. The run's start is measured on few problems, and code use differs
     * much from one problem to the next ("What is 67 * 975?" coded 7 times in 8, most problems never), so the probe
     * holds the first step's own problems rather than any others.
     */
    public static CodeUseProbe of(RunConfig config, PromptFormat format, int promptCount) throws IOException {
        if (promptCount < 1) throw new IllegalArgumentException("promptCount must be >= 1, got " + promptCount);
        List<Problem> train = RunEnvironments.problems(config)[0];
        List<Problem> probed = new ProblemSampler(train, config.seed()).batch(0, Math.min(promptCount, train.size()));
        List<String> prompts = probed.stream().map(p -> format.prompt(p.problem())).toList();
        // one call is enough to count; the run's seed and temperature, so the figure is reproducible
        RolloutSettings settings = new RolloutSettings(config.rollout().maxResponseTokens(), 1, config.tool().maxOutputTokens(), true,
                false, format.stopStrings(), format.stopTokens(), config.rollout().slots(),
                SamplingParams.of(config.rollout().temperature(), config.seed()));
        return new CodeUseProbe(format, probed.stream().map(p -> Kind.of(p.problem())).toList(), prompts, config.rollout().samplesPerPrompt(), settings);
    }

    /** The probed prompts, in order. */
    List<String> prompts() {
        return prompts;
    }

    public int samples() {
        return prompts.size() * samplesPerPrompt;
    }

    /** The share of sampled responses that wrote at least one code block, overall and per kind of problem. */
    public Measurement measure(Transformer model) {
        List<Trajectory> trajectories = new ToolRollout(model, format.codec(), NOT_RUN, settings).generate(prompts, samplesPerPrompt);
        Share all = new Share(0, 0);
        Map<Kind, Share> byKind = new EnumMap<>(Kind.class);
        for (Trajectory t : trajectories) {
            all = all.plus(t.usedCode());
            byKind.merge(kinds.get(t.problemIndex()), new Share(0, 0).plus(t.usedCode()),
                    (a, b) -> new Share(a.coded() + b.coded(), a.samples() + b.samples()));
        }
        return new Measurement(all, byKind);
    }
}
