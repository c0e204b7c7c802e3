package org.zerotir.engine.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.zerotir.engine.cpu.CpuBackend;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** GpuParity's checks under JUnit: skipped, with the reason in the log, where no CUDA device can be opened. */
class CudaParityTest {

    @Test
    void everyOperationAndTheWholeModelMatchTheCpuBackend() {
        CudaBackend fast, reference;
        try {
            fast = Cuda.open(0, CudaBackend.Variant.FAST);
        } catch (CudaUnavailableException e) {
            System.out.println("no CUDA device: " + e.getMessage());
            Assumptions.abort("no CUDA device: " + e.getMessage());
            return;
        }
        try {
            reference = Cuda.open(0, CudaBackend.Variant.REFERENCE);
        } catch (CudaUnavailableException e) {
            fast.close();
            throw new AssertionError("the fast backend opened but the reference one did not: " + e.getMessage(), e);
        }
        try (CpuBackend cpu = new CpuBackend()) {
            List<GpuParity.Result> results = new GpuParity(cpu, fast, reference).runAll();
            System.out.println(GpuParity.table(results));
            assertEquals(List.of(), results.stream().filter(r -> !r.pass()).toList());
        } finally {
            reference.close();
            fast.close();
        }
    }
}
