package org.zerotir.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.zerotir.engine.Backend;
import org.zerotir.rl.RunConfig;
import org.zerotir.rl.RunEnvironment;
import org.zerotir.rl.RunEnvironments;
import org.zerotir.rl.ScratchModel;
import org.zerotir.reward.SympyFallback;
import org.zerotir.rollout.SandboxCodeRunner;
import org.zerotir.sandbox.SandboxSettings;
import org.zerotir.sandbox.WorkerPool;
import org.zerotir.rl.TrainingLoop;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Runs RL on a model directory: the same loop the server runs, recording to files in --out. Started again on
 * the same --out, it resumes from the latest checkpoint.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a model with agent RL (code execution in the loop), or resume a run in --out.")
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String CONFIG = "run.json";

    @Option(names = "--out", required = true, description = "run directory: run.json, metrics.jsonl, rollouts.jsonl, checkpoints/")
    Path out;

    @Option(names = "--config", description = "run configuration (JSON); the flags below override its fields")
    Path config;

    @Option(names = "--model", description = "Hugging Face model directory (model.path)")
    String model;

    @Option(names = "--algorithm", description = "grpo, dr_grpo, rloo, reinforce_pp, reinforce_pp_baseline or ppo (algorithm.name)")
    String algorithm;

    @Option(names = "--steps", description = "RL steps (steps)")
    Integer steps;

    @Option(names = "--learning-rate", description = "policy learning rate (algorithm.learningRate)")
    Double learningRate;

    @Option(names = "--prompts-per-step", description = "problems per step (rollout.promptsPerStep)")
    Integer promptsPerStep;

    @Option(names = "--samples-per-prompt", description = "responses per problem (rollout.samplesPerPrompt)")
    Integer samplesPerPrompt;

    @Option(names = "--max-response-tokens", description = "tokens the model may write per response (rollout.maxResponseTokens)")
    Integer maxResponseTokens;

    @Option(names = "--template", description = "zerotir, zerorl, chatml or mini (template)")
    String template;

    @Option(names = "--data", description = "\"arithmetic\" or a JSONL file with problem and answer (data.train)")
    String data;

    @Option(names = "--no-tool", description = "never execute code: the ZeroRL baseline (tool.enabled=false)")
    boolean noTool;

    @Option(names = "--seed", description = "seed (seed)")
    Long seed;

    @Option(names = "--threads", description = "CPU threads (default: all cores)")
    Integer threads;

    @Mixin
    BackendOptions backendOptions;

    @Override
    public Integer call() throws Exception {
        backendOptions.choice();
        RunConfig runConfig = resolveConfig();
        // the backend first: one that cannot run here stops the command before any sandbox worker starts
        try (Backend backend = backendOptions.open("train", threads == null ? Runtime.getRuntime().availableProcessors() : threads, err())) {
            WorkerPool sandbox = runConfig.tool().enabled() ? new WorkerPool(SandboxSettings.defaults()) : null;
            // model.scratch: the fresh model is made in --out (once) and read from there like any model directory
            RunConfig resolved = ScratchModel.resolve(runConfig, out, backend);
            try (RunEnvironment environment = RunEnvironments.open(resolved, backend,
                     sandbox == null ? null : new SandboxCodeRunner(sandbox), sandbox == null ? null : new SympyFallback(sandbox), sandbox)) {
                train(runConfig, resolved, environment);
            }
        }
        return 0;
    }

    /** resolved: runConfig with its scratch model (if any) read from --out; run.json keeps the document as given. */
    private void train(RunConfig runConfig, RunConfig resolved, RunEnvironment environment) throws IOException {
        // written once everything it names has opened: a refused configuration leaves nothing behind
        Files.createDirectories(out);
        JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve(CONFIG).toFile(), runConfig);
        TrainingLoop loop = new TrainingLoop(resolved, environment.loop(), out);
        Path latest = loop.latestCheckpoint();
        int resumedAfter = latest == null ? 0 : Integer.parseInt(latest.getFileName().toString().substring("step-".length()));
        if (latest != null) err().println("train: resuming from " + latest);
        RunFiles files = new RunFiles(out, runConfig.steps(), runConfig.rolloutsKeptPerStep(), resumedAfter, err());
        int done = loop.run(environment.train(), environment.heldOut(), files, () -> false);
        err().printf("train: %d steps done; metrics in %s%n", done, out.resolve(RunFiles.METRICS));
    }

    /** run.json of an existing run, else --config, else defaults; then the flags. */
    private RunConfig resolveConfig() throws IOException {
        Path existing = out.resolve(CONFIG);
        ObjectNode document;
        if (Files.isRegularFile(existing) && config == null) {
            document = (ObjectNode) JSON.readTree(existing.toFile());
        } else if (config != null) {
            if (!Files.isRegularFile(config)) throw new IllegalArgumentException("--config " + config + " is not a file");
            document = (ObjectNode) JSON.readTree(config.toFile());
        } else {
            document = JSON.createObjectNode();
        }
        if (model != null) document.putObject("model").put("path", model);
        if (algorithm != null) object(document, "algorithm").put("name", algorithm);
        if (learningRate != null) object(document, "algorithm").put("learningRate", learningRate);
        if (steps != null) document.put("steps", steps);
        if (promptsPerStep != null) object(document, "rollout").put("promptsPerStep", promptsPerStep);
        if (samplesPerPrompt != null) object(document, "rollout").put("samplesPerPrompt", samplesPerPrompt);
        if (maxResponseTokens != null) object(document, "rollout").put("maxResponseTokens", maxResponseTokens);
        if (template != null) document.put("template", template);
        if (data != null) object(document, "data").put("train", data);
        if (noTool) object(document, "tool").put("enabled", false);
        if (seed != null) document.put("seed", seed);
        RunConfig parsed;
        try {
            parsed = JSON.treeToValue(document, RunConfig.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("run configuration: " + e.getOriginalMessage());
        }
        try {
            return parsed.validate();
        } catch (RunConfig.InvalidField e) {
            throw new IllegalArgumentException("run configuration field " + e.getMessage()
                    + (e.field().equals("model.path") ? " (give --model)" : ""));
        }
    }

    private static ObjectNode object(ObjectNode parent, String name) {
        return parent.get(name) instanceof ObjectNode child ? child : parent.putObject(name);
    }

    /** Progress goes to the command's error stream, flushed at once so a terminal or a log sees it live. */
    private java.io.PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
