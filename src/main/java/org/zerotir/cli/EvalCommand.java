package org.zerotir.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SequenceWriter;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.checkpoint.HuggingFaceCheckpoint;
import org.zerotir.engine.Backend;
import org.zerotir.eval.Benchmarks;
import org.zerotir.eval.EvalResult;
import org.zerotir.eval.EvalSettings;
import org.zerotir.eval.Evaluator;
import org.zerotir.eval.ResponseRecord;
import org.zerotir.eval.Reports;
import org.zerotir.rollout.PromptFormat;
import org.zerotir.rollout.SandboxCodeRunner;
import org.zerotir.sandbox.SandboxSettings;
import org.zerotir.sandbox.WorkerPool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Evaluates a model on benchmarks with the training loop's own generation (tool in the loop) and reward; with
 * --baseline, also a ZeroRL model without the tool, and the paper's headline table of the two side by side.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model directory on benchmarks (avg@k, pass@k, code use), with or without the Python tool.")
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "Hugging Face model directory (e.g. a run's checkpoints/step-N)")
    Path model;

    @Option(names = "--baseline", description = "a ZeroRL model directory, evaluated without the tool beside --model (headline table)")
    Path baseline;

    @Option(names = "--benchmark", split = ",", defaultValue = "math500",
            description = "math500, aime24, aime25, amc23, gsm8k, or a JSONL file with problem and answer; comma-separated for several")
    List<String> benchmarks;

    @Option(names = "--limit", defaultValue = "0", description = "first N problems of each benchmark (0: all)")
    int limit;

    @Option(names = "--samples", description = "responses per problem: k of avg@k and pass@k (default: 16 on AIME, as the paper reports "
            + "avg@16 there; else 1, greedy)")
    Integer samples;

    @Option(names = "--temperature", description = "sampling temperature (default: 0 with one sample, 0.6 with several)")
    Double temperature;

    @Option(names = "--top-p", defaultValue = "1.0", description = "nucleus sampling")
    double topP;

    @Option(names = "--seed", defaultValue = "1", description = "sampling seed")
    long seed;

    @Option(names = "--no-tool", description = "never execute code (evaluate --model as ZeroRL would run)")
    boolean noTool;

    @Option(names = "--template", defaultValue = "zerotir", description = "prompt template of --model: zerotir, zerorl, chatml or mini")
    String template;

    @Option(names = "--baseline-template", defaultValue = "zerorl", description = "prompt template of --baseline")
    String baselineTemplate;

    @Option(names = "--max-response-tokens", defaultValue = "1024", description = "tokens the model may write per response")
    int maxResponseTokens;

    @Option(names = "--call-budget", defaultValue = "2", description = "code executions per response")
    int callBudget;

    @Option(names = "--slots", defaultValue = "64", description = "responses generated at once")
    int slots;

    @Option(names = "--data-dir", defaultValue = "../shared/data", description = "where the named benchmarks' files are")
    Path dataDirectory;

    @Option(names = "--out", description = "report file: .md (Markdown) or .csv")
    Path out;

    @Option(names = "--records", description = "JSONL of every response (problem, sample, answer, correct, executions, text)")
    Path recordsFile;

    @Option(names = "--threads", description = "CPU threads (default: all cores)")
    Integer threads;

    @Mixin
    BackendOptions backendOptions;

    @Override
    public Integer call() throws Exception {
        backendOptions.choice();
        if (out != null && !out.toString().endsWith(".md") && !out.toString().endsWith(".csv")) {
            throw new IllegalArgumentException("--out must end in .md or .csv, got " + out);
        }
        List<Benchmarks.Benchmark> loaded = new ArrayList<>();
        for (String name : benchmarks) loaded.add(Benchmarks.load(name, dataDirectory, limit));
        for (Benchmarks.Benchmark b : loaded) settingsFor(b); // a bad combination is refused before any model loads
        boolean anyTool = !noTool;
        WorkerPool sandbox = anyTool ? new WorkerPool(SandboxSettings.defaults()) : null;
        List<EvalResult> main, base = List.of();
        try (Backend backend = backendOptions.open("eval", threads == null ? Runtime.getRuntime().availableProcessors() : threads, err())) {
            SandboxCodeRunner runner = sandbox == null ? null : new SandboxCodeRunner(sandbox);
            main = evaluateModel(backend, model, template, runner, !noTool, loaded);
            if (baseline != null) base = evaluateModel(backend, baseline, baselineTemplate, null, false, loaded);
        } finally {
            if (sandbox != null) sandbox.close();
        }
        List<EvalResult> all = new ArrayList<>(main);
        all.addAll(base);
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.print(Reports.summaryMarkdown(all));
        if (baseline != null) {
            stdout.println();
            stdout.print(Reports.headlineMarkdown(main, base));
        }
        stdout.flush();
        if (out != null) {
            boolean csv = out.toString().endsWith(".csv");
            String report = baseline != null
                    ? (csv ? Reports.headlineCsv(main, base) : Reports.headlineMarkdown(main, base) + "\n" + Reports.summaryMarkdown(all))
                    : (csv ? Reports.summaryCsv(all) : Reports.summaryMarkdown(all));
            if (out.toAbsolutePath().getParent() != null) Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, report);
            err().println("eval: report in " + out);
        }
        if (recordsFile != null) writeRecords(all);
        return 0;
    }

    /** k: --samples, else 16 on the AIME sets (avg@16, as the paper reports them) and 1 (greedy) elsewhere. */
    private EvalSettings settingsFor(Benchmarks.Benchmark benchmark) {
        int k = samples != null ? samples : benchmark.name().startsWith("aime") ? 16 : 1;
        double t = temperature != null ? temperature : k > 1 ? 0.6 : 0.0;
        return new EvalSettings(k, t, topP, seed, !noTool, maxResponseTokens, callBudget, 256, slots);
    }

    private List<EvalResult> evaluateModel(Backend backend, Path directory, String templateName, SandboxCodeRunner runner,
                                           boolean tool, List<Benchmarks.Benchmark> loaded) throws Exception {
        if (!Files.isDirectory(directory)) throw new IllegalArgumentException("no such model directory: " + directory);
        PromptFormat format = PromptFormat.open(directory, templateName);
        List<EvalResult> results = new ArrayList<>();
        try (Transformer transformer = HuggingFaceCheckpoint.load(backend, directory)) {
            Evaluator evaluator = new Evaluator(Evaluator.Policy.of(directory.toString(), transformer, format), runner);
            for (Benchmarks.Benchmark benchmark : loaded) {
                EvalSettings settings = settingsFor(benchmark).withTool(tool);
                String label = benchmark.name() + (settings.toolEnabled() ? " (tool)" : " (no tool)");
                results.add(evaluator.evaluate(benchmark, settings, (done, total, correct) -> progress(label, done, total, correct)));
                err().println();
            }
        }
        return results;
    }

    /** A progress bar on one line of the error stream, redrawn in place. */
    private void progress(String label, int done, int total, int correct) {
        int width = 30, filled = (int) Math.round(width * done / (double) total);
        err().printf("\reval %s [%s%s] %d/%d responses, %.1f%% correct", label, "#".repeat(filled), " ".repeat(width - filled),
                done, total, 100.0 * correct / done);
        err().flush();
    }

    private void writeRecords(List<EvalResult> results) throws java.io.IOException {
        ObjectMapper json = new ObjectMapper();
        try (SequenceWriter writer = json.writer().withRootValueSeparator("\n").writeValues(recordsFile.toFile())) {
            for (EvalResult result : results) {
                for (ResponseRecord r : result.records()) {
                    writer.write(java.util.Map.of("model", result.model(), "benchmark", result.benchmark(), "tool", result.toolEnabled(),
                            "record", r));
                }
            }
        }
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
