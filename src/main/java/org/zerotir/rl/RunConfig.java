package org.zerotir.rl;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;
import java.util.Objects;

/**
 * Everything one RL run is: where its model comes from, what it trains on, how, with what tool, for how long.
 * One document for the CLI, the HTTP API and the dashboard's form; absent fields take the defaults below (the
 * paper's where it has one), and {@link #validate} names the first field that cannot work.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record RunConfig(String name, Model model, Data data, Algorithm algorithm, Rollout rollout, Tool tool,
                        String template, Integer steps, Long seed, Integer checkpointEvery, Integer rolloutsKeptPerStep) {

    /**
     * Where the policy comes from: a Hugging Face directory (config.json, safetensors, tokenizer.json; an earlier
     * run's checkpoint is one), or a fresh model of a given shape initialised with the run's seed. Exactly one.
     */
    public record Model(String path, Scratch scratch) {}

    /**
     * A Qwen2-shaped model made from nothing, with the defaults of {@code zerotir pretrain} (the mini model). Its
     * tokenizer is the byte-level BPE {@code zerotir pretrain --vocab <vocab> --seed <seed>} learns from the base
     * corpus, so a scratch run and a pre-training run of the same seed speak the same vocabulary.
     */
    public record Scratch(Integer layers, Integer hidden, Integer heads, Integer kvHeads, Integer intermediate, Integer context,
                          Integer vocab) {
        public Scratch {
            layers = Objects.requireNonNullElse(layers, 4);
            hidden = Objects.requireNonNullElse(hidden, 128);
            heads = Objects.requireNonNullElse(heads, 4);
            kvHeads = Objects.requireNonNullElse(kvHeads, 2);
            intermediate = Objects.requireNonNullElse(intermediate, 384);
            context = Objects.requireNonNullElse(context, 512);
            vocab = Objects.requireNonNullElse(vocab, 384);
        }

        // Bounds that keep a typo from asking the CPU backend (weights on the heap) for gigabytes; 8192 tokens is
        // already more than the base corpus has pairs to merge into, and 258 = 256 bytes + end of text + one merge.
        static final int MAX_LAYERS = 64, MAX_HIDDEN = 4096, MAX_INTERMEDIATE = 16384, MAX_CONTEXT = 32768;
        static final int MIN_VOCAB = 258, MAX_VOCAB = 8192;

        void validate() {
            within("model.scratch.layers", layers, 1, MAX_LAYERS);
            within("model.scratch.hidden", hidden, 2, MAX_HIDDEN);
            within("model.scratch.heads", heads, 1, hidden);
            within("model.scratch.kvHeads", kvHeads, 1, heads);
            within("model.scratch.intermediate", intermediate, 1, MAX_INTERMEDIATE);
            within("model.scratch.context", context, 2, MAX_CONTEXT);
            within("model.scratch.vocab", vocab, MIN_VOCAB, MAX_VOCAB);
            if (hidden % heads != 0) {
                throw new InvalidField("model.scratch.heads", "must divide hidden (" + hidden + "), got " + heads);
            }
            if ((hidden / heads) % 2 != 0) {
                throw new InvalidField("model.scratch.heads", "hidden / heads (the head size, " + hidden / heads
                        + ") must be even for rotary embeddings");
            }
            if (heads % kvHeads != 0) {
                throw new InvalidField("model.scratch.kvHeads", "must divide heads (" + heads + "), got " + kvHeads);
            }
        }

        private static void within(String field, int value, int min, int max) {
            if (value < min || value > max) throw new InvalidField(field, "must be in [" + min + ", " + max + "], got " + value);
        }
    }

    /**
     * The training problems: the built-in arithmetic generator ("arithmetic") or a JSONL file with
     * {@code problem} and {@code answer}; heldOut problems are reported as accuracy on unseen data.
     */
    public record Data(String train, Integer arithmeticMinDigits, Integer arithmeticMaxDigits, Integer arithmeticOperations,
                       String arithmeticOperators, Integer problems, Integer heldOut) {
        public Data {
            train = Objects.requireNonNullElse(train, "arithmetic");
            arithmeticMinDigits = Objects.requireNonNullElse(arithmeticMinDigits, 2);
            arithmeticMaxDigits = Objects.requireNonNullElse(arithmeticMaxDigits, 3);
            arithmeticOperations = Objects.requireNonNullElse(arithmeticOperations, 1);
            arithmeticOperators = Objects.requireNonNullElse(arithmeticOperators, "*");
            problems = Objects.requireNonNullElse(problems, 5000);
            heldOut = Objects.requireNonNullElse(heldOut, 200);
        }
    }

    /** name: grpo, dr_grpo, rloo, reinforce_pp, reinforce_pp_baseline (the paper's main) or ppo. */
    public record Algorithm(String name, Double learningRate, Integer warmupSteps, Double clipLow, Double clipHigh,
                            String aggregation, Double klCoefficient, String klEstimator, Boolean klInReward,
                            Double entropyCoefficient, Integer epochs, Integer miniBatches, Integer microBatch,
                            Double gamma, Double lambda, Double valueClip, Double criticLearningRate,
                            Boolean dynamicSampling, Boolean dropTruncated, String fakeOutput, Double adamBeta2,
                            Double maxGradNorm) {
        public Algorithm {
            name = Objects.requireNonNullElse(name, "reinforce_pp_baseline");
            learningRate = Objects.requireNonNullElse(learningRate, 1e-6);
            warmupSteps = Objects.requireNonNullElse(warmupSteps, 0);
            clipLow = Objects.requireNonNullElse(clipLow, 0.2);
            clipHigh = Objects.requireNonNullElse(clipHigh, 0.28);
            aggregation = Objects.requireNonNullElse(aggregation, "token_mean");
            klCoefficient = Objects.requireNonNullElse(klCoefficient, 0.0);
            klEstimator = Objects.requireNonNullElse(klEstimator, "k3");
            klInReward = Objects.requireNonNullElse(klInReward, false);
            entropyCoefficient = Objects.requireNonNullElse(entropyCoefficient, 0.0);
            epochs = Objects.requireNonNullElse(epochs, 1);
            miniBatches = Objects.requireNonNullElse(miniBatches, 1);
            microBatch = Objects.requireNonNullElse(microBatch, 16);
            gamma = Objects.requireNonNullElse(gamma, 1.0);
            lambda = Objects.requireNonNullElse(lambda, 1.0);
            valueClip = Objects.requireNonNullElse(valueClip, 0.2);
            criticLearningRate = Objects.requireNonNullElse(criticLearningRate, 5e-6);
            dynamicSampling = Objects.requireNonNullElse(dynamicSampling, false);
            dropTruncated = Objects.requireNonNullElse(dropTruncated, false);
            fakeOutput = Objects.requireNonNullElse(fakeOutput, "zero_reward");
            adamBeta2 = Objects.requireNonNullElse(adamBeta2, 0.95);
            maxGradNorm = Objects.requireNonNullElse(maxGradNorm, 1.0);
        }

        public static final List<String> NAMES = List.of("grpo", "dr_grpo", "rloo", "reinforce_pp", "reinforce_pp_baseline", "ppo");
    }

    public record Rollout(Integer promptsPerStep, Integer samplesPerPrompt, Integer maxResponseTokens, Double temperature,
                          Double topP, Integer slots) {
        public Rollout {
            promptsPerStep = Objects.requireNonNullElse(promptsPerStep, 16);
            samplesPerPrompt = Objects.requireNonNullElse(samplesPerPrompt, 8);
            maxResponseTokens = Objects.requireNonNullElse(maxResponseTokens, 1024);
            temperature = Objects.requireNonNullElse(temperature, 1.0);
            topP = Objects.requireNonNullElse(topP, 1.0);
            slots = Objects.requireNonNullElse(slots, 128);
        }
    }

    /** The Python tool: off for the ZeroRL baseline. */
    public record Tool(Boolean enabled, Integer callBudget, Integer maxOutputTokens, Boolean sessionMode) {
        public Tool {
            enabled = Objects.requireNonNullElse(enabled, true);
            callBudget = Objects.requireNonNullElse(callBudget, 2);
            maxOutputTokens = Objects.requireNonNullElse(maxOutputTokens, 256);
            sessionMode = Objects.requireNonNullElse(sessionMode, false);
        }
    }

    public RunConfig {
        data = Objects.requireNonNullElseGet(data, () -> new Data(null, null, null, null, null, null, null));
        algorithm = Objects.requireNonNullElseGet(algorithm, () -> new Algorithm(null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null));
        rollout = Objects.requireNonNullElseGet(rollout, () -> new Rollout(null, null, null, null, null, null));
        tool = Objects.requireNonNullElseGet(tool, () -> new Tool(null, null, null, null));
        template = Objects.requireNonNullElse(template, "zerotir");
        steps = Objects.requireNonNullElse(steps, 100);
        seed = Objects.requireNonNullElse(seed, 1L);
        checkpointEvery = Objects.requireNonNullElse(checkpointEvery, 20);
        rolloutsKeptPerStep = Objects.requireNonNullElse(rolloutsKeptPerStep, 16);
    }

    /** This run with its model read from {@code directory} (e.g. where its scratch model was made). */
    public RunConfig withModelDirectory(java.nio.file.Path directory) {
        return new RunConfig(name, new Model(directory.toString(), null), data, algorithm, rollout, tool, template, steps, seed,
                checkpointEvery, rolloutsKeptPerStep);
    }

    /** A field that cannot work, by its path in the document ("algorithm.clipHigh"). */
    public static final class InvalidField extends IllegalArgumentException {
        private final String field;

        public InvalidField(String field, String message) {
            super(field + ": " + message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** Throws {@link InvalidField} for the first field that cannot work; returns this otherwise. */
    public RunConfig validate() {
        boolean hasPath = model != null && model.path() != null && !model.path().isBlank();
        boolean hasScratch = model != null && model.scratch() != null;
        if (hasPath && hasScratch) {
            throw new InvalidField("model", "give model.path (a model directory) or model.scratch (a shape to start from nothing), not both");
        }
        if (!hasPath && !hasScratch) {
            throw new InvalidField("model.path", "is required: a Hugging Face model directory, or give model.scratch"
                    + " (e.g. {\"layers\": 4, \"hidden\": 128}) to start from a fresh model");
        }
        if (hasScratch) model.scratch().validate();
        positive("steps", steps);
        if (seed < 0) throw new InvalidField("seed", "must be >= 0");
        positive("checkpointEvery", checkpointEvery);
        if (rolloutsKeptPerStep < 0) throw new InvalidField("rolloutsKeptPerStep", "must be >= 0");
        if (!List.of("zerotir", "zerorl", "chatml", "mini").contains(template)) {
            throw new InvalidField("template", "must be one of zerotir, zerorl, chatml, mini; got \"" + template + "\"");
        }
        if (!data.train().equals("arithmetic") && data.train().isBlank()) throw new InvalidField("data.train", "is empty");
        if (data.arithmeticMinDigits() < 1 || data.arithmeticMaxDigits() < data.arithmeticMinDigits() || data.arithmeticMaxDigits() > 18) {
            throw new InvalidField("data.arithmeticMaxDigits", "digits must satisfy 1 <= min <= max <= 18");
        }
        if (data.arithmeticOperations() < 1 || data.arithmeticOperations() > 6) throw new InvalidField("data.arithmeticOperations", "must be in [1, 6]");
        if (data.arithmeticOperators().isEmpty() || !data.arithmeticOperators().chars().allMatch(c -> "+-*".indexOf(c) >= 0)) {
            throw new InvalidField("data.arithmeticOperators", "must be a non-empty subset of \"+-*\"");
        }
        positive("data.problems", data.problems());
        if (data.heldOut() < 0) throw new InvalidField("data.heldOut", "must be >= 0");
        if (!Algorithm.NAMES.contains(algorithm.name())) {
            throw new InvalidField("algorithm.name", "must be one of " + String.join(", ", Algorithm.NAMES) + "; got \"" + algorithm.name() + "\"");
        }
        positiveReal("algorithm.learningRate", algorithm.learningRate());
        if (algorithm.warmupSteps() < 0) throw new InvalidField("algorithm.warmupSteps", "must be >= 0");
        if (!(algorithm.clipLow() > 0 && algorithm.clipLow() < 1)) throw new InvalidField("algorithm.clipLow", "must be in (0, 1)");
        positiveReal("algorithm.clipHigh", algorithm.clipHigh());
        if (!List.of("token_mean", "sequence_mean").contains(algorithm.aggregation())) {
            throw new InvalidField("algorithm.aggregation", "must be token_mean or sequence_mean");
        }
        if (!(algorithm.klCoefficient() >= 0)) throw new InvalidField("algorithm.klCoefficient", "must be >= 0");
        if (!List.of("k1", "k2", "k3").contains(algorithm.klEstimator())) throw new InvalidField("algorithm.klEstimator", "must be k1, k2 or k3");
        if (!(algorithm.entropyCoefficient() >= 0)) throw new InvalidField("algorithm.entropyCoefficient", "must be >= 0");
        positive("algorithm.epochs", algorithm.epochs());
        positive("algorithm.miniBatches", algorithm.miniBatches());
        positive("algorithm.microBatch", algorithm.microBatch());
        int responsesPerStep = rollout.promptsPerStep() * rollout.samplesPerPrompt();
        if (rollout.promptsPerStep() > 0 && rollout.samplesPerPrompt() > 0 && responsesPerStep % algorithm.miniBatches() != 0) {
            // an uneven split would give some optimizer steps fewer responses, i.e. a differently scaled update
            throw new InvalidField("algorithm.miniBatches", "must divide the step's batch of rollout.promptsPerStep x rollout.samplesPerPrompt = "
                    + responsesPerStep + " responses, got " + algorithm.miniBatches());
        }
        if (!(algorithm.gamma() >= 0 && algorithm.gamma() <= 1)) throw new InvalidField("algorithm.gamma", "must be in [0, 1]");
        if (!(algorithm.lambda() >= 0 && algorithm.lambda() <= 1)) throw new InvalidField("algorithm.lambda", "must be in [0, 1]");
        positiveReal("algorithm.valueClip", algorithm.valueClip());
        positiveReal("algorithm.criticLearningRate", algorithm.criticLearningRate());
        if (!List.of("keep", "zero_reward", "drop").contains(algorithm.fakeOutput())) {
            throw new InvalidField("algorithm.fakeOutput", "must be keep, zero_reward or drop");
        }
        if (!(algorithm.adamBeta2() > 0 && algorithm.adamBeta2() < 1)) throw new InvalidField("algorithm.adamBeta2", "must be in (0, 1)");
        positiveReal("algorithm.maxGradNorm", algorithm.maxGradNorm());
        positive("rollout.promptsPerStep", rollout.promptsPerStep());
        positive("rollout.samplesPerPrompt", rollout.samplesPerPrompt());
        if (rollout.samplesPerPrompt() < 2 && List.of("grpo", "dr_grpo", "rloo").contains(algorithm.name())) {
            throw new InvalidField("rollout.samplesPerPrompt", algorithm.name() + " needs at least 2 samples per prompt: a group of one has no baseline");
        }
        positive("rollout.maxResponseTokens", rollout.maxResponseTokens());
        if (!(rollout.temperature() >= 0)) throw new InvalidField("rollout.temperature", "must be >= 0");
        if (!(rollout.topP() > 0 && rollout.topP() <= 1)) throw new InvalidField("rollout.topP", "must be in (0, 1]");
        positive("rollout.slots", rollout.slots());
        if (tool.callBudget() < 0) throw new InvalidField("tool.callBudget", "must be >= 0");
        positive("tool.maxOutputTokens", tool.maxOutputTokens());
        if (model.scratch() != null && model.scratch().context() <= rollout.maxResponseTokens()) {
            // the prompt and the response share the positions; a fresh model can be given enough of them
            throw new InvalidField("model.scratch.context", "must exceed rollout.maxResponseTokens (" + rollout.maxResponseTokens()
                    + ") by the prompt's length, got " + model.scratch().context());
        }
        return this;
    }

    private static void positive(String field, int value) {
        if (value < 1) throw new InvalidField(field, "must be >= 1, got " + value);
    }

    private static void positiveReal(String field, double value) {
        if (!(value > 0) || Double.isInfinite(value)) throw new InvalidField(field, "must be a positive number, got " + value);
    }

    /** The trainer's settings this document describes. */
    public TrainerSettings trainerSettings() {
        AdvantageEstimator estimator = switch (algorithm.name()) {
            case "grpo" -> new AdvantageEstimator.Grpo(true);
            case "dr_grpo" -> new AdvantageEstimator.Grpo(false);
            case "rloo" -> new AdvantageEstimator.Rloo();
            case "reinforce_pp" -> new AdvantageEstimator.ReinforcePlusPlus(false);
            case "reinforce_pp_baseline" -> new AdvantageEstimator.ReinforcePlusPlus(true);
            case "ppo" -> new AdvantageEstimator.Ppo(algorithm.gamma(), algorithm.lambda());
            default -> throw new InvalidField("algorithm.name", "unknown algorithm " + algorithm.name());
        };
        boolean klInReward = algorithm.klInReward();
        PolicyLoss.Settings loss = new PolicyLoss.Settings(algorithm.clipLow(), algorithm.clipHigh(),
                PolicyLoss.Aggregation.valueOf(algorithm.aggregation().toUpperCase()), klInReward ? 0 : algorithm.klCoefficient(),
                KlEstimator.valueOf(algorithm.klEstimator().toUpperCase()), algorithm.entropyCoefficient());
        return new TrainerSettings(estimator, rollout.promptsPerStep(), rollout.samplesPerPrompt(), loss,
                new PolicyLearner.Settings(algorithm.epochs(), algorithm.miniBatches(), algorithm.microBatch()),
                TrainerSettings.FakeOutput.valueOf(algorithm.fakeOutput().toUpperCase()), algorithm.dynamicSampling(),
                algorithm.dropTruncated(), klInReward, klInReward ? algorithm.klCoefficient() : 0, algorithm.valueClip(), seed);
    }
}
