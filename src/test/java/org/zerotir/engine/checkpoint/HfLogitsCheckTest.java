package org.zerotir.engine.checkpoint;

import org.junit.jupiter.api.Test;
import org.zerotir.engine.Backend;
import org.zerotir.engine.cuda.Cuda;
import org.zerotir.engine.cuda.CudaUnavailableException;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The comparer bench/gpu runs against transformers' logits on the GPU machine, run here on the CPU against the
 * float64 fixtures (same two tensors, input_ids and logits), so that its whole path is exercised where there is no GPU.
 */
class HfLogitsCheckTest {
    private static final String FIXTURES = "src/test/resources/fixtures/";

    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = HfLogitsCheck.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String cudaUnavailable() {
        try (Backend cuda = Cuda.openBackend(0)) {
            return null;
        } catch (CudaUnavailableException e) {
            return e.getMessage();
        }
    }

    @Test
    void ourCpuLogitsMatchTheReferenceOnBothFixtures() {
        for (String fixture : List.of("qwen2-tiny-bias-tied", "qwen2-tiny-untied")) {
            Result row = run(FIXTURES + fixture, "cpu");
            assertEquals(0, row.code(), row.out() + row.err());
            List<String> lines = row.out().lines().toList();
            assertEquals("HfLogitsCheck " + FIXTURES + fixture + " cpu", lines.getFirst(), "the command heads the table");
            assertTrue(lines.get(1).startsWith("| model | backend |"), row.out());
            String line = lines.get(3);
            assertTrue(line.startsWith("| " + fixture + " | cpu | 14 | " + (fixture.contains("untied") ? 37 : 61) + " | "), line);
            assertTrue(line.endsWith("| 1.0000 | rel 1e-04, abs 1e-05 | pass |"), "every position's top token agrees: " + line);
        }
    }

    @Test
    void aToleranceTheEngineCannotMeetFails() {
        Result result = run(FIXTURES + "qwen2-tiny-untied", "cpu", "--tolerance", "0", "0");
        assertEquals(1, result.code(), result.out());
        assertTrue(result.out().strip().endsWith("| FAIL |"), "float32 is not float64: " + result.out());
    }

    @Test
    void autoAndCudaSayWhatRanOrWhyNot() {
        String reason = cudaUnavailable();
        Result result = run(FIXTURES + "qwen2-tiny-untied", "auto", "cuda");
        List<String> rows = result.out().lines().skip(3).toList();
        assertEquals(2, rows.size(), result.out());
        if (reason == null) {
            assertTrue(rows.getFirst().startsWith("| qwen2-tiny-untied | cuda:0 |"), result.out());
            return;
        }
        assertTrue(rows.getFirst().startsWith("| qwen2-tiny-untied | cpu (auto fell back) |") && rows.getFirst().endsWith("| pass |"), result.out());
        assertEquals("| qwen2-tiny-untied | cuda | | | | | | | | FAIL: backend=cuda but CUDA cannot run here: " + reason
                + " (backend=auto runs on the CPU instead) |", rows.get(1));
        assertEquals(1, result.code(), "a backend that cannot run is a failed check, not a skipped one");
    }

    @Test
    void aWrongCommandLineIsUsage() {
        assertEquals(2, run().code());
        Result backend = run(FIXTURES + "qwen2-tiny-untied", "gpu");
        assertEquals(2, backend.code());
        assertTrue(backend.err().contains("backend must be cpu, cuda or auto, got \"gpu\""), backend.err());
        Result missing = run("src/test/resources/no-such-model");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no expected logits at"), missing.err());
        assertEquals(2, run(FIXTURES + "qwen2-tiny-untied", "--tolerance", "1e-3").code());
    }

    @Test
    void nanNeverPassesAndTopTokensAreCounted() {
        float[] expected = {1, 2, 3, 3, 2, 1};
        HfLogitsCheck.Row same = HfLogitsCheck.compare("m", "cpu", expected, expected.clone(), 2, 3, HfLogitsCheck.Tolerance.FLOAT32);
        assertTrue(same.passed());
        assertEquals(1.0, same.top1Agreement());
        HfLogitsCheck.Row swapped = HfLogitsCheck.compare("m", "cpu", expected, new float[] {1, 2, 3, 1, 2, 3}, 2, 3,
                HfLogitsCheck.Tolerance.BFLOAT16);
        assertFalse(swapped.passed());
        assertEquals(0.5, swapped.top1Agreement());
        HfLogitsCheck.Row nan = HfLogitsCheck.compare("m", "cuda:0", expected, new float[] {1, 2, 3, 3, 2, Float.NaN}, 2, 3,
                HfLogitsCheck.Tolerance.BFLOAT16);
        assertFalse(nan.passed(), nan.markdown());
    }
}
