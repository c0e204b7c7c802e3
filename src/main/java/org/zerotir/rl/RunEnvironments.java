package org.zerotir.rl;

import org.zerotir.data.ArithmeticTasks;
import org.zerotir.data.DatasetException;
import org.zerotir.data.JsonlDataset;
import org.zerotir.data.Problem;
import org.zerotir.engine.Backend;
import org.zerotir.engine.ModelConfig;
import org.zerotir.engine.ModelConfigException;
import org.zerotir.engine.checkpoint.HuggingFaceCheckpoint;
import org.zerotir.reward.MathEquivalence;
import org.zerotir.reward.RewardFunction;
import org.zerotir.reward.SymbolicFallback;
import org.zerotir.reward.RewardSettings;
import org.zerotir.rollout.CodeRunner;
import org.zerotir.rollout.PromptFormat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Opens what a run's configuration names, checking everything before any training: the model directory, its
 * tokenizer against the template and the model's vocabulary, and the problems. A failure names the field of
 * the configuration (or the data file's line) at fault.
 */
public final class RunEnvironments {
    private RunEnvironments() {}

    /** runner executes code when the run's tool is on; it is not called otherwise. */
    public static RunEnvironment open(RunConfig config, Backend backend, CodeRunner runner, AutoCloseable resources) throws IOException {
        return open(config, backend, runner, null, resources);
    }

    /** The same with the verifier's last stage (sympy in the sandbox), or null to score undecided answers as wrong. */
    public static RunEnvironment open(RunConfig config, Backend backend, CodeRunner runner, SymbolicFallback fallback,
                                      AutoCloseable resources) throws IOException {
        Path model = Path.of(config.model().path());
        if (!Files.isDirectory(model)) throw new RunConfig.InvalidField("model.path", "no such directory: " + model);
        ModelConfig modelConfig;
        try {
            modelConfig = HuggingFaceCheckpoint.readConfig(model);
        } catch (ModelConfigException e) {
            throw new RunConfig.InvalidField("model.path", e.getMessage());
        }
        PromptFormat format;
        try {
            format = PromptFormat.open(model, config.template());
        } catch (IllegalArgumentException e) {
            throw new RunConfig.InvalidField(e.getMessage().startsWith("template") ? "template" : "model.path", e.getMessage());
        } catch (IOException e) {
            throw new RunConfig.InvalidField("model.path", "cannot read the tokenizer in " + model + ": " + e.getMessage());
        }
        if (format.tokenizer().vocabSize() > modelConfig.vocabSize()) {
            throw new RunConfig.InvalidField("model.path", "the tokenizer has " + format.tokenizer().vocabSize()
                    + " tokens but the model's embedding only " + modelConfig.vocabSize());
        }
        List<Problem>[] problems = problems(config);
        CodeRunner toolRunner = config.tool().enabled() ? runner
                : (code, session) -> CompletableFuture.failedFuture(new IllegalStateException("the tool is off in this run"));
        TrainingLoop.Environment loop = new TrainingLoop.Environment(backend, format.codec(), format.stopTokens(), format.stopStrings(),
                problem -> format.prompt(problem.problem()), new VerifiedScorer(new RewardFunction(RewardSettings.defaults(), verifier(fallback))), toolRunner);
        return new RunEnvironment(loop, problems[0], problems[1], resources);
    }

    private static MathEquivalence verifier(SymbolicFallback fallback) {
        MathEquivalence.Settings settings = MathEquivalence.Settings.defaults();
        return new MathEquivalence(fallback == null ? settings : settings.withFallback(fallback, java.time.Duration.ofSeconds(5)));
    }

    /** [train, held out]: generated arithmetic (held-out from the other split), or a JSONL file's last problems. */
    @SuppressWarnings("unchecked")
    static List<Problem>[] problems(RunConfig config) throws IOException {
        RunConfig.Data data = config.data();
        if (data.train().equals("arithmetic")) {
            ArithmeticTasks.Settings settings = new ArithmeticTasks.Settings(data.arithmeticMinDigits(), data.arithmeticMaxDigits(),
                    data.arithmeticOperations(), data.arithmeticOperators(), 0.5);
            List<Problem> train = ArithmeticTasks.generate(settings, ArithmeticTasks.Split.TRAIN, data.problems(), config.seed())
                    .stream().map(ArithmeticTasks.Task::problem).toList();
            List<Problem> heldOut = ArithmeticTasks.generate(settings, ArithmeticTasks.Split.TEST, data.heldOut(), config.seed() + 1)
                    .stream().map(ArithmeticTasks.Task::problem).toList();
            return new List[] {train, heldOut};
        }
        Path file = Path.of(data.train());
        if (!Files.isRegularFile(file)) throw new RunConfig.InvalidField("data.train", "no such file: " + file);
        List<Problem> all;
        try {
            all = JsonlDataset.read(file);
        } catch (DatasetException e) {
            throw new RunConfig.InvalidField("data.train", file + " line " + e.line() + ": " + e.getMessage());
        }
        if (all.isEmpty()) throw new RunConfig.InvalidField("data.train", file + " holds no problems");
        int held = Math.min(data.heldOut(), all.size() / 5);
        return new List[] {all.subList(0, all.size() - held), all.subList(all.size() - held, all.size())};
    }
}
