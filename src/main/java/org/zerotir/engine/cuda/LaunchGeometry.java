package org.zerotir.engine.cuda;

/**
 * Grid and block sizes for the kernel shapes used in native-kernels/, as pure functions so they are tested here.
 * CUDA caps gridDim.x at 2^31 - 1 and blockDim.x at 1024; grid-stride kernels need no more than a few waves.
 */
record LaunchGeometry(int gridX, int blockX, int blockY) {

    static final int ELEMENTWISE_BLOCK = 256;
    /** Grid-stride kernels stop growing the grid here: 4096 blocks of 256 fill an H100's 132 SMs many times over. */
    static final int MAX_GRID_STRIDE_BLOCKS = 4096;
    static final int ROW_BLOCK = 256;
    static final int WARPS_PER_BLOCK = 4;
    static final int WARP_SIZE = 32;
    /** Matches MAX_DIMS_PER_LANE (8) in common.cuh: the warp-per-row attention kernels hold D <= 256 in registers. */
    static final int MAX_WARP_HEAD_DIM = 8 * WARP_SIZE;

    /** One thread per item, for the _ref kernels written as {@code if (i < n)}. */
    static LaunchGeometry perItem(long items) {
        return new LaunchGeometry(blocks(items, ELEMENTWISE_BLOCK), ELEMENTWISE_BLOCK, 1);
    }

    /** A grid-stride loop over items: the same as perItem until the grid would pass MAX_GRID_STRIDE_BLOCKS. */
    static LaunchGeometry gridStride(long items) {
        return new LaunchGeometry(Math.min(blocks(items, ELEMENTWISE_BLOCK), MAX_GRID_STRIDE_BLOCKS), ELEMENTWISE_BLOCK, 1);
    }

    /** One block per row (rmsnorm, token scores). */
    static LaunchGeometry blockPerRow(int rows) {
        return new LaunchGeometry(Math.max(rows, 1), ROW_BLOCK, 1);
    }

    /** One warp per row (attention): WARPS_PER_BLOCK rows per block. */
    static LaunchGeometry warpPerRow(long rows) {
        return new LaunchGeometry(blocks(rows, WARPS_PER_BLOCK), WARPS_PER_BLOCK * WARP_SIZE, 1);
    }

    /** Column sums with a (32, 32) block per 32 columns (bias and rmsnorm weight gradients). */
    static LaunchGeometry columnSums(int columns) {
        return new LaunchGeometry(blocks(columns, WARP_SIZE), WARP_SIZE, WARP_SIZE);
    }

    static int blocks(long items, int perBlock) {
        if (items < 0) throw new IllegalArgumentException("negative item count " + items);
        long blocks = Math.max(1, (items + perBlock - 1) / perBlock);
        if (blocks > Integer.MAX_VALUE) throw new IllegalArgumentException(items + " items need more than 2^31 - 1 blocks");
        return (int) blocks;
    }
}
