package org.zerotir.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.zerotir.data.BaseCorpus;
import org.zerotir.engine.Backend;
import org.zerotir.engine.ModelConfig;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.checkpoint.HuggingFaceCheckpoint;
import org.zerotir.engine.optim.AdamW;
import org.zerotir.engine.optim.LearningRateSchedule;
import org.zerotir.engine.pretrain.Pretrainer;
import org.zerotir.rl.CodeUseProbe;
import org.zerotir.rl.RunConfig;
import org.zerotir.rl.ScratchModel;
import org.zerotir.rollout.PromptFormat;
import org.zerotir.tokenizer.BpeTrainer;
import org.zerotir.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Makes the mini ZeroTIR base model from nothing: the base corpus (problems solved in words, Python snippets
 * with their output, and the programming-request bridge; never a math problem solved with code), a small
 * byte-level BPE vocabulary learnt from it, and a small Qwen2-shaped model pre-trained on it. The result is an
 * ordinary Hugging Face directory that {@code train} (or any HF tooling) loads.
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Pre-train the mini ZeroTIR base model from scratch on the synthetic base corpus.")
final class PretrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    static final String END_OF_TEXT = "<|endoftext|>";

    @Option(names = "--out", required = true, description = "directory to write the model into (created; must be empty or absent)")
    Path out;

    @Option(names = "--steps", defaultValue = "5000", description = "optimizer steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--batch", defaultValue = "16", description = "documents per step (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--documents", defaultValue = "200000", description = "corpus size in documents (default: ${DEFAULT-VALUE})")
    int documents;

    @Option(names = "--learning-rate", defaultValue = "2e-3", description = "peak learning rate, warm-up then cosine (default: ${DEFAULT-VALUE})")
    double learningRate;

    @Option(names = "--warmup-steps", description = "steps of linear learning-rate warm-up before the cosine decay (default: a tenth of --steps,"
            + " at most 100); a long one makes a second stage gentle, its fresh optimizer moments settling while the rate is small")
    Integer warmupSteps;

    @Option(names = "--vocab", defaultValue = "384", description = "tokenizer vocabulary size, 256 bytes and merges (default: ${DEFAULT-VALUE})")
    int vocab;

    @Option(names = "--hidden", defaultValue = "128", description = "hidden size (default: ${DEFAULT-VALUE})")
    int hidden;

    @Option(names = "--layers", defaultValue = "4", description = "decoder layers (default: ${DEFAULT-VALUE})")
    int layers;

    @Option(names = "--heads", defaultValue = "4", description = "attention heads (default: ${DEFAULT-VALUE})")
    int heads;

    @Option(names = "--kv-heads", defaultValue = "2", description = "key/value heads (default: ${DEFAULT-VALUE})")
    int kvHeads;

    @Option(names = "--ffn", defaultValue = "384", description = "SwiGLU inner size (default: ${DEFAULT-VALUE})")
    int ffn;

    @Option(names = "--context", defaultValue = "512", description = "positions the model handles (default: ${DEFAULT-VALUE})")
    int context;

    @Option(names = "--bridge-share", defaultValue = "0.30", description = "share of programming-request documents (default: ${DEFAULT-VALUE})")
    double bridgeShare;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the corpus, the weights and the batches (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--hard-word-fraction", defaultValue = "0.3",
            description = "fraction of word-solved problems with the hard numbers (default: ${DEFAULT-VALUE})")
    double hardWordFraction;

    @Option(names = "--offer-fraction", defaultValue = "0",
            description = "fraction of easy word-solved problems that carry the RL prompt's offer of Python (default: ${DEFAULT-VALUE})")
    double offerFraction;

    @Option(names = "--hard-offer-fraction", defaultValue = "0",
            description = "fraction of word-solved problems with the hard numbers that carry the offer of Python: the RL prompt answered"
                    + " without code, the mini ZeroTIR's second stage (default: ${DEFAULT-VALUE})")
    double hardOfferFraction;

    @Option(names = "--from", description = "continue pre-training this model directory (its tokenizer and shape) instead of starting from nothing; e.g. a second stage with another --bridge-share")
    Path from;

    @Option(names = "--threads", description = "CPU threads (default: all cores)")
    Integer threads;

    @Mixin
    BackendOptions backendOptions;

    @Option(names = "--until-code-use", description = "stop as soon as the share of sampled responses to --probe-config's prompts"
            + " that write code is at most this and every kind of problem (posed as an expression, in words) still gets some code"
            + " (checked every --probe-every steps); e.g. 0.05 for the mini ZeroTIR's second stage. Exit status 3 if that never happens")
    Double untilCodeUse;

    @Option(names = "--probe-config", description = "the RL run configuration (JSON) whose prompts, template and sampling --until-code-use probes")
    Path probeConfig;

    @Option(names = "--probe-every", defaultValue = "1", description = "steps between probes of --until-code-use (default: ${DEFAULT-VALUE})")
    int probeEvery;

    @Option(names = "--probe-prompts", defaultValue = "32",
            description = "problems per probe: the run's first ones, in its order, each sampled as often as the run samples a prompt"
                    + " (default: ${DEFAULT-VALUE})")
    int probePrompts;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** --probe-config, read; null without --until-code-use. */
    private RunConfig probeRun;
    /** The latest probe's share of responses with code. */
    private CodeUseProbe.Measurement lastProbe;

    @Override
    public Integer call() throws Exception {
        backendOptions.choice();
        if (steps < 1) throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        if (documents < 1) throw new IllegalArgumentException("--documents must be >= 1, got " + documents);
        if (!(learningRate > 0)) throw new IllegalArgumentException("--learning-rate must be positive, got " + learningRate);
        if (warmupSteps != null && !(warmupSteps >= 0 && warmupSteps < steps)) {
            throw new IllegalArgumentException("--warmup-steps must be in [0, --steps), got " + warmupSteps);
        }
        if (vocab < 258) throw new IllegalArgumentException("--vocab must be >= 258 (256 bytes and the special tokens), got " + vocab);
        if (!(bridgeShare >= 0 && bridgeShare < 1)) throw new IllegalArgumentException("--bridge-share must be in [0, 1), got " + bridgeShare);
        if (Files.isDirectory(out)) {
            try (var entries = Files.list(out)) {
                if (entries.findAny().isPresent()) throw new IllegalArgumentException("--out " + out + " is not empty");
            }
        }
        if (!(hardWordFraction >= 0 && hardWordFraction <= 1)) {
            throw new IllegalArgumentException("--hard-word-fraction must be in [0, 1], got " + hardWordFraction);
        }
        if (!(offerFraction >= 0 && offerFraction <= 1)) {
            throw new IllegalArgumentException("--offer-fraction must be in [0, 1], got " + offerFraction);
        }
        if (!(hardOfferFraction >= 0 && hardOfferFraction <= 1)) {
            throw new IllegalArgumentException("--hard-offer-fraction must be in [0, 1], got " + hardOfferFraction);
        }
        if (untilCodeUse != null) {
            if (!(untilCodeUse >= 0 && untilCodeUse <= 1)) throw new IllegalArgumentException("--until-code-use must be in [0, 1], got " + untilCodeUse);
            if (probeConfig == null) throw new IllegalArgumentException("--until-code-use needs --probe-config (the RL run configuration to probe with)");
            if (!Files.isRegularFile(probeConfig)) throw new IllegalArgumentException("--probe-config " + probeConfig + " is not a file");
            probeRun = readProbeConfig();
            if (probeEvery < 1) throw new IllegalArgumentException("--probe-every must be >= 1, got " + probeEvery);
            if (probePrompts < 1) throw new IllegalArgumentException("--probe-prompts must be >= 1, got " + probePrompts);
        } else if (probeConfig != null) {
            throw new IllegalArgumentException("--probe-config is only used with --until-code-use");
        }
        if (from != null && !Files.isRegularFile(from.resolve("tokenizer.json"))) {
            throw new IllegalArgumentException("--from " + from + " holds no tokenizer.json");
        }
        // before the corpus: a backend that cannot run here stops the command before minutes of work
        Backend backend = backendOptions.open("pretrain", threads == null ? Runtime.getRuntime().availableProcessors() : threads, err());
        try (backend) {
            BaseCorpus.Settings corpusSettings = BaseCorpus.Settings.mix(bridgeShare, hardWordFraction, offerFraction, hardOfferFraction);
            List<String> corpus = BaseCorpus.documents(corpusSettings, documents, seed);
            // staged beside --out so that the final move is a rename on one file system; its parents are made as train's --out's are
            Path parent = out.toAbsolutePath().getParent() == null ? Path.of(".") : out.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path staging = Files.createTempDirectory(parent, "pretrain-");
            // a failed or interrupted pre-training leaves no half-written directory behind
            try {
                if (from != null) {
                    for (String file : List.of("tokenizer.json", "tokenizer_config.json")) {
                        if (Files.isRegularFile(from.resolve(file))) Files.copy(from.resolve(file), staging.resolve(file));
                    }
                } else {
                    BpeTrainer.write(BpeTrainer.train(corpus.subList(0, Math.min(corpus.size(), 20_000)),
                            new BpeTrainer.Settings(vocab, 2, List.of(END_OF_TEXT))), staging);
                }
                Tokenizer tokenizer = Tokenizer.load(staging);
                int endOfText = tokenizer.specialIds().eos();
                List<int[]> encoded = corpus.stream().map(tokenizer::encode).toList();
                boolean reached = false;
                try (Transformer model = from != null ? HuggingFaceCheckpoint.load(backend, from)
                             : new Transformer(backend, new ModelConfig(tokenizer.vocabSize(), hidden, ffn, layers, heads, kvHeads, context,
                             10_000, 1e-6, false, true))) {
                    if (from == null) model.initializeRandom(seed);
                    err().printf("pretrain: %d documents (%.1f tokens each), vocabulary %d, model %s%n", corpus.size(),
                            encoded.stream().mapToInt(d -> d.length).average().orElse(0), tokenizer.vocabSize(), model.config());
                    AdamW optimizer = new AdamW(model, new AdamW.Settings(0.9, 0.95, 1e-8, 0.01, 1.0));
                    LearningRateSchedule schedule = new LearningRateSchedule.WarmupCosine(learningRate, learningRate / 10,
                            warmupSteps != null ? warmupSteps : Math.min(100, steps / 10), steps);
                    CodeUseProbe probe = probeRun == null ? null : probe(probeRun.withModelDirectory(staging), staging);
                    reached = probe != null && probed(probe, model, 0);
                    long started = System.nanoTime();
                    if (!reached) {
                        double tail = new Pretrainer(model, optimizer, endOfText).train(encoded,
                                new Pretrainer.Settings(batch, model.config().maxPositions(), steps, schedule, seed), (step, loss, report) -> {
                                    if (step % 50 == 0 || step == steps) {
                                        err().printf("%s step %d/%d  loss %.3f  lr %.2e  %.0fs%n", RunFiles.bar(step, steps), step, steps, loss,
                                                report.learningRate(), (System.nanoTime() - started) / 1e9);
                                    }
                                    return probe == null || (step % probeEvery != 0 && step != steps) || !probed(probe, model, step);
                                });
                        err().printf("pretrain: mean loss of the last tenth %.3f nats per token%n", tail);
                        reached = probe != null && lastProbe.lowEnough(untilCodeUse);
                    }
                    HuggingFaceCheckpoint.save(model, staging);
                    CodeUseProbe.Kind uncoded = probe == null ? null : lastProbe.kindWithoutCode();
                    if (probe != null && lastProbe.all().coded() == 0) {
                        err().printf("pretrain: no sampled response wrote code: RL with outcome rewards will have nothing to reinforce;"
                                + " a lower --learning-rate or a longer --warmup-steps makes the descent gentler%n");
                    } else if (uncoded != null) {
                        err().printf("pretrain: no sampled response to a problem %s wrote code: RL will not find the tool for such problems;"
                                + " the first stage's programming requests must cover them%n", uncoded.label);
                    }
                    if (probe != null && !reached && lastProbe.all().ratio() > untilCodeUse) {
                        err().printf("pretrain: code use is still %.3f after %d steps, above --until-code-use %s: RL will start from more code"
                                + " than asked; more --steps or a higher --hard-offer-fraction lower it%n", lastProbe.all().ratio(), steps, untilCodeUse);
                    }
                }
                if (Files.isDirectory(out)) Files.delete(out);
                Files.move(staging, out);
                System.out.println(out);
                return probeRun != null && !reached ? 3 : 0;
            } catch (Exception | Error e) {
                ScratchModel.deleteRecursively(staging);
                throw e;
            }
        }
    }

    /** --probe-config read and checked before any work, its model a placeholder until the staged one exists. */
    private RunConfig readProbeConfig() {
        try {
            ObjectNode document = (ObjectNode) JSON.readTree(probeConfig.toFile());
            document.putObject("model").put("path", probeConfig.toString());
            return JSON.treeToValue(document, RunConfig.class).validate();
        } catch (com.fasterxml.jackson.core.JsonProcessingException | ClassCastException e) {
            throw new IllegalArgumentException("--probe-config " + probeConfig + " is not a run configuration (a JSON object): "
                    + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--probe-config " + probeConfig + " cannot be read: " + e.getMessage());
        } catch (RunConfig.InvalidField e) {
            throw new IllegalArgumentException("--probe-config " + probeConfig + " field " + e.getMessage());
        }
    }

    /** The probe of --until-code-use, reading its template from the tokenizer being trained (staged in {@code model}). */
    private CodeUseProbe probe(RunConfig config, Path model) throws java.io.IOException {
        CodeUseProbe probe = CodeUseProbe.of(config, PromptFormat.open(model, config.template()), probePrompts);
        err().printf("pretrain: probing code use on %d sampled responses to %s's prompts every %d steps, until at most %s%n",
                probe.samples(), probeConfig, probeEvery, untilCodeUse);
        return probe;
    }

    /** Measures code use after {@code step} steps; true when it is low enough to stop. */
    private boolean probed(CodeUseProbe probe, Transformer model, int step) {
        long started = System.nanoTime();
        lastProbe = probe.measure(model);
        err().printf("pretrain: step %d  code use %s  (probe %.1fs)%n", step, lastProbe, (System.nanoTime() - started) / 1e9);
        return lastProbe.lowEnough(untilCodeUse);
    }

    /** Progress goes to the command's error stream, flushed at once so a terminal or a log sees it live. */
    private java.io.PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
