package org.zerotir.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zerotir.engine.checkpoint.HuggingFaceCheckpoint;
import org.zerotir.rl.ScratchModel;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** model.scratch from the command line: the same vocabulary {@code pretrain} learns, and a run that trains from it. */
class ScratchRunTest {

    private static Object[] run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine line = Commands.commandLine();
        line.setErr(new PrintWriter(err));
        int code = line.execute(args);
        return new Object[] {code, err.toString()};
    }

    @Test
    void aScratchModelSpeaksTheVocabularyPretrainLearnsWithTheSameSeed(@TempDir Path tmp) throws Exception {
        Path base = tmp.resolve("base");
        Object[] pretrain = run("pretrain", "--out", base.toString(), "--steps", "1", "--documents", "300", "--vocab", "300", "--seed", "5",
                "--hidden", "16", "--layers", "1", "--heads", "2", "--kv-heads", "1", "--ffn", "32", "--context", "128", "--threads", "1");
        assertEquals(0, pretrain[0], (String) pretrain[1]);
        Path scratch = tmp.resolve("scratch");
        ScratchModel.learnTokenizer(300, 5, 300, scratch);
        for (String file : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
            assertEquals(Files.readString(base.resolve(file)), Files.readString(scratch.resolve(file)), file);
        }
    }

    @Test
    void trainStartsFromAFreshModelAndResumesWithTheSameOne(@TempDir Path tmp) throws Exception {
        Path config = tmp.resolve("scratch.json");
        Files.writeString(config, """
                {"model": {"scratch": {"layers": 1, "hidden": 32, "heads": 2, "kvHeads": 1, "intermediate": 64, "context": 128, "vocab": 300}},
                 "template": "mini", "steps": 2, "checkpointEvery": 1, "seed": 4, "tool": {"enabled": false},
                 "data": {"heldOut": 2},
                 "algorithm": {"name": "grpo", "learningRate": 1e-3},
                 "rollout": {"promptsPerStep": 2, "samplesPerPrompt": 2, "maxResponseTokens": 8}}""");
        Path out = tmp.resolve("run");
        Object[] train = run("train", "--config", config.toString(), "--out", out.toString(), "--threads", "1");
        assertEquals(0, train[0], (String) train[1]);
        Path model = out.resolve(ScratchModel.DIRECTORY);
        assertEquals(32, HuggingFaceCheckpoint.readConfig(model).hiddenSize());
        assertEquals(2, Files.readAllLines(out.resolve(RunFiles.METRICS)).stream().filter(l -> l.contains("\"accuracy\"")).count());
        assertTrue(Files.readString(out.resolve(TrainCommand.CONFIG)).contains("\"scratch\""), "run.json keeps the document as given");

        // more steps on the same --out: resumes from the checkpoint with the scratch model it already made
        byte[] weights = Files.readAllBytes(model.resolve(HuggingFaceCheckpoint.SINGLE_FILE));
        Object[] more = run("train", "--out", out.toString(), "--steps", "3", "--threads", "1");
        assertEquals(0, more[0], (String) more[1]);
        assertTrue(((String) more[1]).contains("resuming from"), (String) more[1]);
        assertArrayEquals(weights, Files.readAllBytes(model.resolve(HuggingFaceCheckpoint.SINGLE_FILE)), "the scratch model is made once");
    }
}
