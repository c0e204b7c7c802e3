package org.zerotir.engine.cuda;

import org.junit.jupiter.api.Test;
import org.zerotir.engine.cpu.CpuBackend;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GpuParity's harness, with CPU backends standing in for the two CUDA variants: every check must run (shapes,
 * sizes and argument lists consistent with the Backend contract) and pass, so that on the GPU a failure is the
 * GPU's and not the harness's. Two CPU backends of different thread counts differ only in summation order.
 */
class GpuParityHarnessTest {

    @Test
    void everyCheckRunsAndPassesWithCpuBackendsInPlaceOfCuda() {
        try (CpuBackend cpu = new CpuBackend(1); CpuBackend one = new CpuBackend(2); CpuBackend other = new CpuBackend(1)) {
            List<GpuParity.Result> results = new GpuParity(cpu, one, other).runAll();
            List<GpuParity.Result> failed = results.stream().filter(r -> !r.pass()).toList();
            if (!failed.isEmpty()) System.out.println(GpuParity.table(failed));
            assertEquals(List.of(), failed);
            assertTrue(results.size() > 200, "only " + results.size() + " checks ran");
            assertTrue(results.stream().anyMatch(r -> r.check().startsWith("model gradients")));
        }
    }
}
