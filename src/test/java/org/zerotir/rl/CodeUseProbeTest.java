package org.zerotir.rl;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.checkpoint.HuggingFaceCheckpoint;
import org.zerotir.engine.cpu.CpuBackend;
import org.zerotir.rollout.PromptFormat;
import org.zerotir.serve.TestModels;
import org.zerotir.web.CoderModel;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The probe counts responses that write code, on the run's own prompts: a model that always codes, one that never does. */
class CodeUseProbeTest {
    private static final String PROMPT_END = "\nSolution:";

    @Test
    void countsTheResponsesThatWriteCode(@TempDir Path tmp) throws Exception {
        Path coder = CoderModel.build(tmp.resolve("coder"), PROMPT_END);
        Path counter = TestModels.bigramModel(tmp.resolve("counter"), PROMPT_END);
        RunConfig config = new ObjectMapper().readValue("""
                {"template": "mini", "model": {"path": "%s"}, "seed": 3,
                 "rollout": {"samplesPerPrompt": 3, "maxResponseTokens": 24, "temperature": 1.0}}""".formatted(coder), RunConfig.class).validate();
        assertEquals(1.0, measure(config, coder));
        assertEquals(0.0, measure(config, counter));
    }

    private static double measure(RunConfig config, Path model) throws Exception {
        CodeUseProbe probe = CodeUseProbe.of(config, PromptFormat.open(model, config.template()), 4);
        assertEquals(12, probe.samples());
        try (CpuBackend backend = new CpuBackend(2); Transformer transformer = HuggingFaceCheckpoint.load(backend, model)) {
            return probe.measure(transformer);
        }
    }
}
