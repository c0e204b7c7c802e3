package org.zerotir.engine.cuda;

import org.junit.jupiter.api.Test;
import org.zerotir.engine.Tensor;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without a GPU: every Backend operation of a dry-run CudaBackend (launches recorded, no memory) is called, in both
 * kernel variants, and every launch is checked against its kernel's C signature: the number of arguments and
 * each one's ABI kind (pointer/long long = u64, int = u32, float = f32). The driver would take wrong arguments
 * without complaint, so this is the check that stands between a slip here and garbage on the device.
 */
class KernelLaunchSignatureTest {

    private record Launch(Kernel kernel, LaunchGeometry geometry, Object[] arguments) {}

    private static String kind(Object argument) {
        return switch (argument) {
            case null -> "u64";
            case CudaTensor t -> "u64";
            case Long l -> "u64";
            case Integer i -> "u32";
            case Float f -> "f32";
            default -> "unknown " + argument.getClass();
        };
    }

    @Test
    void everyLaunchMatchesItsKernelSignatureAndEveryKernelIsLaunched() {
        Map<String, Map<String, List<String>>> signatures = new HashMap<>();
        Set<Kernel> launched = EnumSet.noneOf(Kernel.class);
        List<String> mismatches = new ArrayList<>();
        for (CudaBackend.Variant variant : CudaBackend.Variant.values()) {
            List<Launch> launches = new ArrayList<>();
            try (CudaBackend backend = CudaBackend.dryRun(variant, (k, g, a) -> launches.add(new Launch(k, g, a.clone())))) {
                everyOperation(backend);
            }
            for (Launch launch : launches) {
                launched.add(launch.kernel());
                List<String> expected = signatures.computeIfAbsent(launch.kernel().module, KernelSources::signatures)
                        .get(launch.kernel().entry);
                List<String> actual = java.util.Arrays.stream(launch.arguments()).map(KernelLaunchSignatureTest::kind).toList();
                if (!actual.equals(expected)) mismatches.add(launch.kernel() + ": C takes " + expected + ", Java passes " + actual);
                LaunchGeometry g = launch.geometry();
                if (g.gridX() < 1 || g.blockX() * g.blockY() > 1024 || g.blockX() * g.blockY() % 32 != 0 && g.blockX() != 1) {
                    mismatches.add(launch.kernel() + ": bad geometry " + g);
                }
            }
        }
        assertEquals(List.of(), mismatches);
        assertEquals(EnumSet.allOf(Kernel.class), launched, "kernels never launched by any operation");
    }

    /** Each operation once, with the shapes chosen so that both paths of every branch run (flash, D > 256, nulls). */
    private static void everyOperation(CudaBackend b) {
        int n = 6, c = 10, vocab = 11, heads = 4, kvHeads = 2, d = 8, batch = 2, time = 3, f = 12;
        Tensor x = b.allocate((long) n * c), y = b.allocate((long) n * c), w = b.allocate((long) c * c), bias = b.allocate(c);
        int[] tokens = {0, 1, 2, 3, 4, 10}, positions = {0, 1, 2, 0, 1, 2}, slots = {0, 0, 0, 1, 1, 1};
        b.add(x, x, y);
        b.accumulate(x, y);
        b.scale(x, 2f);
        b.zero(x);
        b.copy(x, y);
        b.sumOfSquares(x);
        b.matmulForward(y, x, w, bias, n, c, c);
        b.matmulForward(y, x, w, null, n, c, c);
        b.matmulBackward(x, w, bias, y, x, w, n, c, c);
        Tensor table = b.allocate((long) vocab * c);
        b.embeddingForward(x, tokens, table, n, c);
        b.embeddingBackward(table, x, tokens, n, c);
        Tensor rstd = b.allocate(n);
        b.rmsnormForward(y, rstd, x, bias, n, c, 1e-6f);
        b.rmsnormForward(y, null, x, bias, n, c, 1e-6f);
        b.rmsnormBackward(x, bias, y, x, bias, rstd, n, c);
        Tensor q = b.allocate((long) n * heads * d), cos = b.allocate(4L * d / 2), sin = b.allocate(4L * d / 2);
        b.ropeForward(q, cos, sin, positions, n, heads, d);
        b.ropeBackward(q, cos, sin, positions, n, heads, d);
        for (int headDim : new int[] {d, 264}) {
            Tensor qq = b.allocate((long) batch * time * heads * headDim), kk = b.allocate((long) batch * time * kvHeads * headDim);
            Tensor vv = b.allocate((long) batch * time * kvHeads * headDim), out = b.allocate((long) batch * time * heads * headDim);
            Tensor probs = b.allocate((long) batch * heads * time * time);
            b.attentionForward(out, probs, qq, kk, vv, batch, time, heads, kvHeads, headDim);
            b.attentionForward(out, null, qq, kk, vv, batch, time, heads, kvHeads, headDim);
            b.attentionBackward(qq, kk, vv, out, probs, qq, kk, vv, batch, time, heads, kvHeads, headDim);
            if (headDim <= LaunchGeometry.MAX_WARP_HEAD_DIM) b.attentionForwardFlash(out, qq, kk, vv, batch, time, heads, kvHeads, headDim);
            int cacheLength = 5, kvDim = kvHeads * headDim;
            Tensor kc = b.allocate(2L * cacheLength * kvDim), vc = b.allocate(2L * cacheLength * kvDim);
            Tensor k1 = b.allocate((long) n * kvDim), v1 = b.allocate((long) n * kvDim);
            Tensor q1 = b.allocate((long) n * heads * headDim), o1 = b.allocate((long) n * heads * headDim);
            b.kvCacheWrite(kc, vc, k1, v1, slots, positions, n, cacheLength, kvDim);
            b.cachedAttention(o1, q1, kc, vc, slots, positions, n, cacheLength, heads, kvHeads, headDim);
        }
        Tensor gate = b.allocate((long) n * f), up = b.allocate((long) n * f), act = b.allocate((long) n * f);
        b.swigluForward(act, gate, up, n, f);
        b.swigluBackward(gate, up, act, gate, up, n, f);
        Tensor logits = b.allocate((long) n * vocab), logProbs = b.allocate(n), entropies = b.allocate(n);
        b.tokenScoresForward(logProbs, entropies, logits, tokens, n, vocab);
        b.tokenScoresForward(logProbs, null, logits, tokens, n, vocab);
        b.tokenScoresBackward(logits, logits, tokens, logProbs, entropies, n, vocab);
        b.tokenScoresBackward(logits, logits, tokens, logProbs, null, n, vocab);
        b.adamwUpdate(x, y, x, y, 1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, 1);
    }

    @Test
    void idsOutsideTheirTablesAreRejectedBeforeAnyLaunch() {
        List<Kernel> launched = new ArrayList<>();
        try (CudaBackend b = CudaBackend.dryRun(CudaBackend.Variant.FAST, (k, g, a) -> launched.add(k))) {
            Tensor out = b.allocate(8), table = b.allocate(3 * 4L), cos = b.allocate(2 * 2L);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.embeddingForward(out, new int[] {1, 3}, table, 2, 4));
            assertTrue(e.getMessage().contains("token id 3"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> b.ropeForward(out, cos, cos, new int[] {0, 2}, 2, 1, 4));
            assertThrows(IllegalArgumentException.class, () -> b.tokenScoresForward(out, null, out, new int[] {-1}, 1, 8));
            assertThrows(IllegalArgumentException.class, () -> b.add(out, out, table));
        }
        assertEquals(List.of(), launched);
    }
}
