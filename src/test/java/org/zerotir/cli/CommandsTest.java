package org.zerotir.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The two commands of the mini experiment, end to end at toy sizes, and their answers to bad flags. */
class CommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Runs a command line; returns exit code and what it printed on stderr. */
    private static Object[] run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine line = Commands.commandLine();
        line.setErr(new PrintWriter(err));
        int code = line.execute(args);
        return new Object[] {code, err.toString()};
    }

    @Test
    void pretrainThenTrainThenResume(@TempDir Path tmp) throws Exception {
        Path base = tmp.resolve("base");
        Object[] pretrain = run("pretrain", "--out", base.toString(), "--steps", "3", "--documents", "300", "--vocab", "300",
                "--hidden", "32", "--layers", "1", "--heads", "2", "--kv-heads", "1", "--ffn", "64", "--context", "256", "--threads", "2");
        assertEquals(0, pretrain[0], (String) pretrain[1]);
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            assertTrue(Files.isRegularFile(base.resolve(file)), file + " in the pre-trained model directory");
        }
        Path run = tmp.resolve("run");
        Object[] train = run("train", "--out", run.toString(), "--model", base.toString(), "--template", "mini", "--steps", "2",
                "--prompts-per-step", "2", "--samples-per-prompt", "2", "--max-response-tokens", "24", "--algorithm", "grpo", "--threads", "2");
        assertEquals(0, train[0], (String) train[1]);
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        long stepLines = lines.stream().filter(l -> l.contains("\"accuracy\"")).count();
        assertEquals(2, stepLines, String.join("\n", lines));
        JsonNode last = JSON.readTree(lines.stream().filter(l -> l.contains("\"accuracy\"")).toList().getLast());
        assertEquals(2, last.path("step").asInt());
        assertTrue(last.path("metrics").has("tool/code_ratio"));
        assertTrue(Files.isDirectory(run.resolve("checkpoints/step-2")));
        // more steps on the same directory resume from its checkpoint
        Object[] more = run("train", "--out", run.toString(), "--steps", "3", "--threads", "2");
        assertEquals(0, more[0], (String) more[1]);
        assertTrue(((String) more[1]).contains("resuming from"), (String) more[1]);
        assertTrue(Files.isDirectory(run.resolve("checkpoints/step-3")));

        Path png = tmp.resolve("curves.png");
        StringWriter out = new StringWriter();
        CommandLine report = Commands.commandLine();
        report.setOut(new PrintWriter(out));
        assertEquals(0, report.execute("report", "--run", run.toString(), "--png", png.toString()));
        assertTrue(out.toString().contains("| run | accuracy |"), out.toString());
        assertTrue(out.toString().contains("eval/heldout/avg@1"), out.toString());
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
        assertTrue(image != null && image.getWidth() > 400, "a PNG of the curves");
    }

    /** A tiny random model in Qwen2.5's vocabulary, with Qwen2.5's tokenizer files, as a local HF directory would be. */
    private static Path qwenShapedModel(Path directory) throws Exception {
        org.zerotir.engine.ModelConfig config = new org.zerotir.engine.ModelConfig(151936, 32, 64, 1, 2, 1, 1024, 1e6, 1e-6, true, true);
        try (org.zerotir.engine.cpu.CpuBackend backend = new org.zerotir.engine.cpu.CpuBackend(2);
             org.zerotir.engine.Transformer model = new org.zerotir.engine.Transformer(backend, config)) {
            model.initializeRandom(3);
            org.zerotir.engine.checkpoint.HuggingFaceCheckpoint.save(model, directory);
        }
        Files.copy(org.zerotir.SharedData.require("qwen2.5-tokenizer/tokenizer.json"), directory.resolve("tokenizer.json"));
        // what Qwen2.5 base models ship: end of text ends a sequence, no BOS
        Files.writeString(directory.resolve("tokenizer_config.json"),
                "{\"eos_token\": \"<|endoftext|>\", \"pad_token\": \"<|endoftext|>\", \"bos_token\": null}");
        return directory;
    }

    @Test
    void trainsAQwenShapedModelWithItsRealTokenizerAndThePapersTemplate(@TempDir Path tmp) throws Exception {
        Path model = qwenShapedModel(tmp.resolve("qwen"));
        Path data = tmp.resolve("math.jsonl");
        Files.write(data, Files.readAllLines(org.zerotir.SharedData.require("math500.jsonl")).subList(0, 6));
        Path run = tmp.resolve("run");
        Object[] train = run("train", "--out", run.toString(), "--model", model.toString(), "--template", "zerotir", "--data", data.toString(),
                "--steps", "1", "--prompts-per-step", "2", "--samples-per-prompt", "2", "--max-response-tokens", "6", "--algorithm", "grpo",
                "--threads", "2");
        assertEquals(0, train[0], (String) train[1]);
        JsonNode rollout = JSON.readTree(Files.readAllLines(run.resolve("rollouts.jsonl")).getFirst());
        assertTrue(rollout.path("problem").asText().length() > 10, rollout.toString());
        assertTrue(Files.isRegularFile(run.resolve("checkpoints/step-1/model.safetensors")));
        // the chat template needs <|im_end|>, which this vocabulary has; a mini vocabulary does not (below)
        Object[] chat = run("train", "--out", tmp.resolve("chat").toString(), "--model", model.toString(), "--template", "chatml",
                "--data", data.toString(), "--steps", "1", "--prompts-per-step", "1", "--samples-per-prompt", "2", "--max-response-tokens", "2",
                "--threads", "2");
        assertEquals(0, chat[0], (String) chat[1]);
    }

    @Test
    void aVocabularyWithoutTheTemplatesTokensIsRefusedBeforeTraining(@TempDir Path tmp) throws Exception {
        Path base = tmp.resolve("base");
        assertEquals(0, run("pretrain", "--out", base.toString(), "--steps", "1", "--documents", "50", "--vocab", "280",
                "--hidden", "16", "--layers", "1", "--heads", "2", "--kv-heads", "1", "--ffn", "32", "--context", "128")[0]);
        // a second pre-training stage continues the same model and vocabulary; --out's missing parents are made
        Path stage2 = tmp.resolve("stages").resolve("2");
        Object[] more = run("pretrain", "--from", base.toString(), "--out", stage2.toString(), "--steps", "1", "--documents", "50", "--bridge-share", "0.5");
        assertEquals(0, more[0], (String) more[1]);
        assertEquals(Files.readString(base.resolve("tokenizer.json")), Files.readString(stage2.resolve("tokenizer.json")));
        // a stage that probes code use on a run's prompts stops as soon as it is low enough, with some code on every
        // kind of problem: here a model that always writes code, before any step
        Path probeConfig = tmp.resolve("probe.json");
        Files.writeString(probeConfig, "{\"template\": \"mini\", \"rollout\": {\"samplesPerPrompt\": 2, \"maxResponseTokens\": 16}}");
        Path coder = org.zerotir.web.CoderModel.build(tmp.resolve("coder"), "\nSolution:");
        Path probed = tmp.resolve("probed");
        Object[] probedStage = run("pretrain", "--from", coder.toString(), "--out", probed.toString(), "--steps", "5", "--documents", "50",
                "--until-code-use", "1", "--probe-config", probeConfig.toString(), "--probe-prompts", "8");
        assertEquals(0, probedStage[0], (String) probedStage[1]);
        assertTrue(((String) probedStage[1]).contains("step 0  code use 1.000 (posed as an expression 1.000, in words 1.000)"), (String) probedStage[1]);
        assertTrue(!((String) probedStage[1]).contains("step 1/5"), "no step is taken once the probe is satisfied: " + probedStage[1]);
        assertArrayEquals(Files.readAllBytes(coder.resolve("model.safetensors")), Files.readAllBytes(probed.resolve("model.safetensors")));
        // a model that writes no code is never low enough, whatever the target: every step is taken, and the stage says so
        Object[] uncodedStage = run("pretrain", "--from", stage2.toString(), "--out", tmp.resolve("uncoded").toString(), "--steps", "2",
                "--documents", "50", "--until-code-use", "1", "--probe-config", probeConfig.toString(), "--probe-prompts", "2");
        assertEquals(3, uncodedStage[0], (String) uncodedStage[1]);
        assertTrue(((String) uncodedStage[1]).contains("step 2  code use 0.000") && ((String) uncodedStage[1]).contains("no sampled response wrote code"),
                (String) uncodedStage[1]);
        // a probe the vocabulary cannot speak fails the stage, and its staging directory goes with it
        Path chatProbe = tmp.resolve("chat-probe.json");
        Files.writeString(chatProbe, "{\"template\": \"chatml\"}");
        Object[] unspeakable = run("pretrain", "--from", stage2.toString(), "--out", tmp.resolve("chat-probed").toString(), "--steps", "1",
                "--documents", "50", "--until-code-use", "0.5", "--probe-config", chatProbe.toString());
        assertEquals(2, unspeakable[0], (String) unspeakable[1]);
        assertTrue(((String) unspeakable[1]).contains("<|im_end|>"), (String) unspeakable[1]);
        try (var left = Files.list(tmp)) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("pretrain-") || n.equals("chat-probed")).toList());
        }
        assertEquals(JSON.readTree(base.resolve("config.json").toFile()).path("hidden_size"), JSON.readTree(stage2.resolve("config.json").toFile()).path("hidden_size"));
        Object[] chat = run("train", "--out", tmp.resolve("run").toString(), "--model", base.toString(), "--template", "chatml", "--steps", "1");
        assertEquals(2, chat[0]);
        assertTrue(((String) chat[1]).contains("template") && ((String) chat[1]).contains("<|im_end|>"), (String) chat[1]);
        assertTrue(!Files.exists(tmp.resolve("run")), "a refused run leaves nothing behind");
    }

    @Test
    void badFlagsAreNamedWithoutAStackTrace(@TempDir Path tmp) throws Exception {
        Object[] unknown = run("train", "--out", tmp.toString(), "--stepz", "3");
        assertEquals(2, unknown[0]);
        assertTrue(((String) unknown[1]).contains("--stepz"), (String) unknown[1]);
        Object[] noModel = run("train", "--out", tmp.resolve("r").toString());
        assertEquals(2, noModel[0]);
        assertTrue(((String) noModel[1]).contains("model.path"), (String) noModel[1]);
        Object[] badAlgorithm = run("train", "--out", tmp.resolve("r2").toString(), "--model", tmp.toString(), "--algorithm", "sgd");
        assertEquals(2, badAlgorithm[0]);
        assertTrue(((String) badAlgorithm[1]).contains("algorithm.name"), (String) badAlgorithm[1]);
        Object[] steps = run("pretrain", "--out", tmp.resolve("m").toString(), "--steps", "0");
        assertEquals(2, steps[0]);
        assertTrue(((String) steps[1]).contains("--steps"), (String) steps[1]);
        Object[] warmup = run("pretrain", "--out", tmp.resolve("m1").toString(), "--steps", "50", "--warmup-steps", "50");
        assertEquals(2, warmup[0]);
        assertTrue(((String) warmup[1]).contains("--warmup-steps"), (String) warmup[1]);
        Object[] probeWithoutConfig = run("pretrain", "--out", tmp.resolve("m2").toString(), "--until-code-use", "0.05");
        assertEquals(2, probeWithoutConfig[0]);
        assertTrue(((String) probeWithoutConfig[1]).contains("--probe-config"), (String) probeWithoutConfig[1]);
        Path notJson = tmp.resolve("not-a-run.json");
        Files.writeString(notJson, "[1, 2");
        Object[] badProbeConfig = run("pretrain", "--out", tmp.resolve("m3").toString(), "--until-code-use", "0.05", "--probe-config", notJson.toString());
        assertEquals(2, badProbeConfig[0]);
        assertTrue(((String) badProbeConfig[1]).contains("--probe-config"), (String) badProbeConfig[1]);
        assertTrue(!Files.exists(tmp.resolve("m3")), "nothing is made before the flags are checked");
        for (Object[] result : List.of(unknown, noModel, badAlgorithm, steps, warmup, probeWithoutConfig, badProbeConfig)) {
            assertTrue(!((String) result[1]).contains("\tat "), "no stack trace: " + result[1]);
        }
    }
}
