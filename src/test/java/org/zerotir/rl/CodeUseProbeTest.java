package org.zerotir.rl;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zerotir.data.Problem;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.checkpoint.HuggingFaceCheckpoint;
import org.zerotir.engine.cpu.CpuBackend;
import org.zerotir.rollout.PromptFormat;
import org.zerotir.serve.TestModels;
import org.zerotir.web.CoderModel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        // the first 8 problems of the mini task hold both kinds; each kind's share is counted over its own samples
        CodeUseProbe.Measurement always = measure(config, coder);
        assertEquals(1.0, always.all().ratio());
        assertEquals(24, always.all().samples());
        assertEquals(24, always.byKind().values().stream().mapToInt(CodeUseProbe.Share::samples).sum());
        assertEquals(2, always.byKind().size(), always.toString());
        always.byKind().values().forEach(share -> assertEquals(share.samples(), share.coded()));
        assertNull(always.kindWithoutCode());
        CodeUseProbe.Measurement never = measure(config, counter);
        assertEquals(0.0, never.all().ratio());
        assertEquals(CodeUseProbe.Kind.EXPRESSION, never.kindWithoutCode());
    }

    @Test
    void probesTheProblemsTheRunStartsWith(@TempDir Path tmp) throws Exception {
        Path model = TestModels.bigramModel(tmp.resolve("model"), PROMPT_END);
        RunConfig config = new ObjectMapper().readValue("""
                {"template": "mini", "model": {"path": "%s"}, "seed": 5, "data": {"problems": 50},
                 "rollout": {"promptsPerStep": 4, "samplesPerPrompt": 2}}""".formatted(model), RunConfig.class).validate();
        PromptFormat format = PromptFormat.open(model, config.template());
        List<Problem> train = RunEnvironments.problems(config)[0];
        ProblemSampler runOrder = new ProblemSampler(train, config.seed());
        List<String> firstTwoSteps = new ArrayList<>();
        for (int step = 0; step < 2; step++) runOrder.batch(step, 4).forEach(p -> firstTwoSteps.add(format.prompt(p.problem())));
        List<String> probed = CodeUseProbe.of(config, format, 8).prompts();
        assertEquals(firstTwoSteps, probed);
        // not simply the head of the generated list: the run shuffles it
        assertNotEquals(train.subList(0, 8).stream().map(p -> format.prompt(p.problem())).toList(), probed);
        // more prompts than problems: each problem once
        assertEquals(50, CodeUseProbe.of(config, format, 80).prompts().stream().distinct().count());
    }

    @Test
    void tellsWhichKindOfProblemNeverGotCode() {
        assertEquals(CodeUseProbe.Kind.EXPRESSION, CodeUseProbe.Kind.of("What is 76 * 309?"));
        assertEquals(CodeUseProbe.Kind.EXPRESSION, CodeUseProbe.Kind.of("Compute $3^4-2$."));
        assertEquals(CodeUseProbe.Kind.WORDS, CodeUseProbe.Kind.of("A crate holds 884 bottles. How many bottles are in 899 crates?"));
        CodeUseProbe.Measurement halfCoded = new CodeUseProbe.Measurement(new CodeUseProbe.Share(3, 20),
                Map.of(CodeUseProbe.Kind.EXPRESSION, new CodeUseProbe.Share(3, 10), CodeUseProbe.Kind.WORDS, new CodeUseProbe.Share(0, 10)));
        assertEquals(CodeUseProbe.Kind.WORDS, halfCoded.kindWithoutCode());
        assertEquals(0.15, halfCoded.all().ratio(), 1e-12);
        // low enough overall, but no code for word problems: the second stage must go on
        assertFalse(halfCoded.lowEnough(0.2));
        CodeUseProbe.Measurement bothCoded = new CodeUseProbe.Measurement(new CodeUseProbe.Share(3, 20),
                Map.of(CodeUseProbe.Kind.EXPRESSION, new CodeUseProbe.Share(2, 10), CodeUseProbe.Kind.WORDS, new CodeUseProbe.Share(1, 10)));
        assertTrue(bothCoded.lowEnough(0.15));
        assertFalse(bothCoded.lowEnough(0.1));
    }

    private static CodeUseProbe.Measurement measure(RunConfig config, Path model) throws Exception {
        CodeUseProbe probe = CodeUseProbe.of(config, PromptFormat.open(model, config.template()), 8);
        assertEquals(24, probe.samples());
        try (CpuBackend backend = new CpuBackend(2); Transformer transformer = HuggingFaceCheckpoint.load(backend, model)) {
            return probe.measure(transformer);
        }
    }
}
