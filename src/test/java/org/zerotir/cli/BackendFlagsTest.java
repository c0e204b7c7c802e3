package org.zerotir.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zerotir.engine.Backend;
import org.zerotir.engine.cuda.Cuda;
import org.zerotir.engine.cuda.CudaUnavailableException;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** --backend and --device of pretrain, train and eval: a wrong flag is named, a GPU that is not there is said in one line. */
class BackendFlagsTest {

    private record Result(int code, String err) {}

    private static Result run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine line = Commands.commandLine();
        line.setErr(new PrintWriter(err));
        int code = line.execute(args);
        return new Result(code, err.toString());
    }

    private static String cudaUnavailable() {
        try (Backend cuda = Cuda.openBackend(0)) {
            return null;
        } catch (CudaUnavailableException e) {
            return e.getMessage();
        }
    }

    /** The smallest pre-training there is: seconds. */
    private static String[] tinyPretrain(Path out, String... backendFlags) {
        String[] base = {"pretrain", "--out", out.toString(), "--steps", "1", "--documents", "20", "--vocab", "260", "--hidden", "16",
                "--layers", "1", "--heads", "2", "--kv-heads", "1", "--ffn", "32", "--context", "64", "--threads", "1"};
        String[] all = java.util.Arrays.copyOf(base, base.length + backendFlags.length);
        System.arraycopy(backendFlags, 0, all, base.length, backendFlags.length);
        return all;
    }

    @Test
    void aWrongBackendOrDeviceIsNamedBeforeAnyWork(@TempDir Path tmp) throws Exception {
        for (String command : new String[] {"pretrain", "train", "eval"}) {
            String[] args = command.equals("eval")
                    ? new String[] {"eval", "--model", tmp.resolve("m").toString(), "--backend", "nonsense"}
                    : new String[] {command, "--out", tmp.resolve(command).toString(), "--backend", "nonsense"};
            Result result = run(args);
            assertEquals(2, result.code(), command + ": " + result.err());
            assertTrue(result.err().contains("--backend must be cpu, cuda or auto, got \"nonsense\""), command + ": " + result.err());
            assertFalse(result.err().contains("\tat "), "no stack trace: " + result.err());
        }
        Result device = run(tinyPretrain(tmp.resolve("d"), "--device", "-1"));
        assertEquals(2, device.code(), device.err());
        assertTrue(device.err().contains("--device must be a CUDA device ordinal"), device.err());
        Result notANumber = run(tinyPretrain(tmp.resolve("d2"), "--device", "first"));
        assertEquals(2, notANumber.code(), notANumber.err());
        assertTrue(notANumber.err().contains("--device"), notANumber.err());
        try (var left = Files.list(tmp)) {
            assertEquals(0, left.count(), "nothing is made before the flags are checked");
        }
    }

    @Test
    void cudaWhereItCannotRunIsOneLineAndExitCodeOne(@TempDir Path tmp) {
        String reason = cudaUnavailable();
        assumeTrue(reason != null, "CUDA opens here: nothing to refuse");
        Result result = run(tinyPretrain(tmp.resolve("m"), "--backend", "cuda"));
        assertEquals(1, result.code(), result.err());
        assertEquals("error: --backend=cuda but CUDA cannot run here: " + reason + " (--backend=auto runs on the CPU instead)",
                result.err().strip());
        assertFalse(Files.exists(tmp.resolve("m")));
    }

    @Test
    void autoSaysWhichBackendRunsAndWhy(@TempDir Path tmp) throws Exception {
        String reason = cudaUnavailable();
        Result result = run(tinyPretrain(tmp.resolve("m"), "--backend", "auto"));
        assertEquals(0, result.code(), result.err());
        assertTrue(Files.isRegularFile(tmp.resolve("m/model.safetensors")));
        String expected = reason == null ? "pretrain: backend cuda device 0 (--backend=auto)"
                : "pretrain: backend cpu (--backend=auto; CUDA unavailable: " + reason + ")";
        assertEquals(expected, result.err().lines().findFirst().orElse(""), result.err());
        Result cpu = run(tinyPretrain(tmp.resolve("c"), "--backend", "cpu"));
        assertEquals(0, cpu.code(), cpu.err());
        assertEquals("pretrain: backend cpu (--backend=cpu)", cpu.err().lines().findFirst().orElse(""), cpu.err());
        // the same seed on the CPU, chosen or fallen back to, gives the same bits
        if (reason != null) {
            assertTrue(java.util.Arrays.equals(Files.readAllBytes(tmp.resolve("m/model.safetensors")),
                    Files.readAllBytes(tmp.resolve("c/model.safetensors"))));
        }
    }
}
