package org.zerotir.rl;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zerotir.engine.ModelConfig;
import org.zerotir.engine.checkpoint.HuggingFaceCheckpoint;
import org.zerotir.engine.cpu.CpuBackend;
import org.zerotir.rollout.PromptFormat;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScratchModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static RunConfig scratch(long seed) throws Exception {
        return JSON.readValue("""
                {"model": {"scratch": {"layers": 1, "hidden": 32, "heads": 4, "kvHeads": 2, "intermediate": 48, "context": 64, "vocab": 300}},
                 "seed": %d, "template": "mini", "rollout": {"maxResponseTokens": 16}}""".formatted(seed), RunConfig.class).validate();
    }

    @Test
    void aScratchRunGetsAFreshModelOfItsShapeMadeOnceInItsDirectory(@TempDir Path tmp) throws Exception {
        try (CpuBackend backend = new CpuBackend(1)) {
            RunConfig config = scratch(7);
            RunConfig resolved = ScratchModel.resolve(config, tmp.resolve("run"), backend);
            Path model = tmp.resolve("run").resolve(ScratchModel.DIRECTORY);
            assertEquals(model.toString(), resolved.model().path());
            ModelConfig shape = HuggingFaceCheckpoint.readConfig(model);
            assertEquals(new ModelConfig(300, 32, 48, 1, 4, 2, 64, 10_000, 1e-6, false, true), shape);
            // the tokenizer opens with the template the mini model uses, and its size is the model's vocabulary
            PromptFormat format = PromptFormat.open(model, "mini");
            assertEquals(300, format.tokenizer().vocabSize());
            assertEquals(ScratchModel.END_OF_TEXT, format.tokenizer().idToToken(format.tokenizer().specialIds().eos()));
            String problem = "What is 12 * 34?";
            assertEquals(problem, format.tokenizer().decode(format.tokenizer().encode(problem)));

            // a resume finds it there and does not make it again
            byte[] weights = Files.readAllBytes(model.resolve(HuggingFaceCheckpoint.SINGLE_FILE));
            Files.writeString(model.resolve("marker"), "kept");
            ScratchModel.resolve(config, tmp.resolve("run"), backend);
            assertTrue(Files.exists(model.resolve("marker")));

            // deterministic in (shape, seed), and the seed matters
            ScratchModel.make(config.model().scratch(), 7, tmp.resolve("again"), backend);
            assertArrayEquals(weights, Files.readAllBytes(tmp.resolve("again").resolve(HuggingFaceCheckpoint.SINGLE_FILE)));
            ScratchModel.make(config.model().scratch(), 8, tmp.resolve("other-seed"), backend);
            assertFalse(java.util.Arrays.equals(weights, Files.readAllBytes(tmp.resolve("other-seed").resolve(HuggingFaceCheckpoint.SINGLE_FILE))));
            try (var left = Files.list(tmp)) {
                assertEquals(3, left.count(), "no staging directory is left behind");
            }
        }
    }

    @Test
    void aConfigThatNamesADirectoryIsLeftAsItIs(@TempDir Path tmp) throws Exception {
        RunConfig config = JSON.readValue("{\"model\": {\"path\": \"/models/base\"}}", RunConfig.class);
        try (CpuBackend backend = new CpuBackend(1)) {
            assertSame(config, ScratchModel.resolve(config, tmp, backend));
        }
        try (var left = Files.list(tmp)) {
            assertEquals(0, left.count());
        }
    }
}
