package org.zerotir.engine.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LaunchGeometryTest {

    @Test
    void perItemCoversEveryItemWithOneBlockAtLeast() {
        assertEquals(1, LaunchGeometry.perItem(0).gridX());
        assertEquals(1, LaunchGeometry.perItem(256).gridX());
        assertEquals(2, LaunchGeometry.perItem(257).gridX());
        for (long items : new long[] {1, 255, 256, 257, 1_000_003}) {
            LaunchGeometry g = LaunchGeometry.perItem(items);
            assertTrue((long) g.gridX() * g.blockX() >= items && (long) (g.gridX() - 1) * g.blockX() < items, "items " + items);
        }
    }

    @Test
    void gridStrideStopsGrowingAtTheCap() {
        assertEquals(4, LaunchGeometry.gridStride(1000).gridX());
        assertEquals(LaunchGeometry.MAX_GRID_STRIDE_BLOCKS, LaunchGeometry.gridStride(10_000_000_000L).gridX());
    }

    @Test
    void warpPerRowGivesEveryRowAWarp() {
        for (long rows : new long[] {1, 3, 4, 5, 4097}) {
            LaunchGeometry g = LaunchGeometry.warpPerRow(rows);
            assertEquals(LaunchGeometry.WARPS_PER_BLOCK * 32, g.blockX());
            assertTrue((long) g.gridX() * LaunchGeometry.WARPS_PER_BLOCK >= rows);
            assertTrue((long) (g.gridX() - 1) * LaunchGeometry.WARPS_PER_BLOCK < rows);
        }
    }

    @Test
    void columnSumsUseA32By32BlockPer32Columns() {
        LaunchGeometry g = LaunchGeometry.columnSums(65);
        assertEquals(3, g.gridX());
        assertEquals(32, g.blockX());
        assertEquals(32, g.blockY());
    }

    @Test
    void tooManyBlocksIsAnErrorNotAnOverflow() {
        assertThrows(IllegalArgumentException.class, () -> LaunchGeometry.perItem(Long.MAX_VALUE / 2));
    }

    @Test
    void theWarpKernelsHeadDimensionLimitMatchesTheHeader() {
        String header = KernelSources.read("common.cuh");
        assertTrue(header.contains("#define MAX_DIMS_PER_LANE " + LaunchGeometry.MAX_WARP_HEAD_DIM / 32), "common.cuh and LaunchGeometry disagree");
    }
}
