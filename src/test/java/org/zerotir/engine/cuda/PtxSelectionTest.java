package org.zerotir.engine.cuda;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PtxSelectionTest {

    @Test
    void aDeviceTakesTheNewestBuildNotAboveItsComputeCapability() {
        assertEquals(List.of("/native-kernels/sm_90/rope.ptx", "/native-kernels/sm_80/rope.ptx"), PtxSelection.ptxCandidates("rope", 9, 0));
        assertEquals(List.of("/native-kernels/sm_90/rope.ptx", "/native-kernels/sm_80/rope.ptx"), PtxSelection.ptxCandidates("rope", 10, 0));
        assertEquals(List.of("/native-kernels/sm_90/rope.ptx", "/native-kernels/sm_80/rope.ptx"), PtxSelection.ptxCandidates("rope", 12, 0));
        assertEquals(List.of("/native-kernels/sm_80/rope.ptx"), PtxSelection.ptxCandidates("rope", 8, 9));
        assertEquals(List.of("/native-kernels/sm_80/rope.ptx"), PtxSelection.ptxCandidates("rope", 8, 0));
    }

    @Test
    void aDeviceOlderThanEveryBuildGetsNoPtxAndCompilesTheSource() {
        assertEquals(List.of(), PtxSelection.ptxCandidates("rope", 7, 5));
        assertEquals("/native-kernels/rope.cu", PtxSelection.sourceResource("rope"));
        assertEquals("--gpu-architecture=compute_75", PtxSelection.nvrtcArchitectureOption(7, 5));
    }

    @Test
    void quotedIncludesAreFoundOnceEachAndSystemIncludesIgnored() {
        String source = """
                #include "common.cuh"
                #include <cuda_fp16.h>
                  #  include "attention_online.cuh"
                #include "common.cuh"
                // #include "commented.cuh" is still a line that starts with //, so not matched
                """;
        assertEquals(List.of("common.cuh", "attention_online.cuh"), PtxSelection.localIncludes(source));
    }
}
