package org.zerotir.engine;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.zerotir.engine.cpu.CpuBackend;
import org.zerotir.engine.cuda.Cuda;
import org.zerotir.engine.cuda.CudaUnavailableException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * cpu, cuda, auto: parsed with the setting's name in every refusal; auto falls back to the CPU with CUDA's own reason;
 * cuda never does. Where CUDA opens (the lent GPU machine) the same tests check that auto takes it.
 */
class BackendChoiceTest {
    /** Why CUDA cannot run here, or null where it can. */
    private static String cudaUnavailable;

    @BeforeAll
    static void probeCuda() {
        try (Backend cuda = Cuda.openBackend(0)) {
            cudaUnavailable = null;
        } catch (CudaUnavailableException e) {
            cudaUnavailable = e.getMessage();
        }
        System.out.println("BackendChoiceTest: CUDA here: " + (cudaUnavailable == null ? "yes" : "no (" + cudaUnavailable + ")"));
    }

    @Test
    void valuesAreReadWhateverTheirCase() {
        assertEquals(BackendChoice.Kind.CPU, BackendChoice.parse("cpu", 0, "--backend").kind());
        assertEquals(BackendChoice.Kind.CUDA, BackendChoice.parse(" CUDA ", 1, "--backend").kind());
        assertEquals(BackendChoice.Kind.AUTO, BackendChoice.parse("Auto", 0, "--backend").kind());
        assertEquals(BackendChoice.Kind.AUTO, BackendChoice.parse(BackendChoice.DEFAULT, 0, "--backend").kind());
        assertEquals(1, BackendChoice.parse("cuda", 1, "--backend").device());
    }

    @Test
    void aWrongValueNamesTheSettingAndTheAcceptedValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackendChoice.parse("gpu", 0, "zerotir.engine.backend"));
        assertEquals("zerotir.engine.backend must be cpu, cuda or auto, got \"gpu\"", e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BackendChoice.parse(null, 0, "--backend"))
                .getMessage().startsWith("--backend must be"));
        assertThrows(IllegalArgumentException.class, () -> BackendChoice.parse("", 0, "--backend"));
        assertThrows(IllegalArgumentException.class, () -> BackendChoice.parse("cpu", -1, "--backend"));
    }

    @Test
    void cpuIsTheCpuBackendWithTheThreadsAsked() {
        BackendChoice.Opened opened = BackendChoice.parse("cpu", 0, "--backend").open(3);
        try (Backend backend = opened.backend()) {
            assertEquals(3, assertInstanceOf(CpuBackend.class, backend).threads());
            assertEquals(BackendChoice.Kind.CPU, opened.resolved().used());
            assertNull(opened.resolved().fallback());
            assertEquals("cpu (--backend=cpu)", opened.resolved().describe());
        }
        BackendChoice.Resolved resolved = BackendChoice.parse("cpu", 0, "zerotir.engine.backend").resolve();
        assertEquals(BackendChoice.Kind.CPU, resolved.used());
        try (Backend backend = resolved.open(2)) {
            assertEquals(2, assertInstanceOf(CpuBackend.class, backend).threads());
        }
    }

    @Test
    void autoTakesCudaWhereItOpensAndElseTheCpuWithCudasReason() {
        BackendChoice auto = BackendChoice.parse("auto", 0, "zerotir.engine.backend");
        BackendChoice.Opened opened = auto.open(2);
        try (Backend backend = opened.backend()) {
            if (cudaUnavailable == null) {
                assertEquals(BackendChoice.Kind.CUDA, opened.resolved().used());
                assertFalse(backend instanceof CpuBackend);
                return;
            }
            assertEquals(2, assertInstanceOf(CpuBackend.class, backend).threads(), "the CPU with the threads asked");
            assertEquals(BackendChoice.Kind.CPU, opened.resolved().used());
            assertEquals(cudaUnavailable, opened.resolved().fallback());
            assertEquals("cpu (zerotir.engine.backend=auto; CUDA unavailable: " + cudaUnavailable + ")", opened.resolved().describe());
        }
        BackendChoice.Resolved resolved = auto.resolve();
        assertEquals(BackendChoice.Kind.CPU, resolved.used());
        assertEquals(cudaUnavailable, resolved.fallback());
        try (Backend backend = resolved.open(1)) {
            assertInstanceOf(CpuBackend.class, backend);
        }
    }

    @Test
    void cudaWhereItCannotRunFailsWithTheReasonAndTheWayOut() {
        assumeFalse(cudaUnavailable == null, "CUDA opens here: nothing to refuse");
        BackendChoice cuda = BackendChoice.parse("cuda", 0, "--backend");
        for (Runnable attempt : new Runnable[] {() -> cuda.open(1), cuda::resolve}) {
            BackendUnavailableException e = assertThrows(BackendUnavailableException.class, attempt::run);
            assertEquals("--backend=cuda but CUDA cannot run here: " + cudaUnavailable + " (--backend=auto runs on the CPU instead)",
                    e.getMessage());
        }
    }
}
