// Shared by every kernel file: warp and block reductions. Kept header-only so that NVRTC, which compiles one
// .cu at a time, gets it as a named header (see the Java loader) and nvcc finds it beside the source.
#pragma once

#define WARP_SIZE 32
#define FULL_MASK 0xffffffffu

// Largest head dimension the warp-per-row attention kernels keep in registers: each lane owns the dimensions
// lane, lane+32, ... so 8 slots per lane cover D <= 256 (Qwen2 uses 64 and 128). Larger D goes to the _ref kernels.
#define MAX_DIMS_PER_LANE 8

// -infinity without math.h, which NVRTC does not provide.
#define NEG_INFINITY __int_as_float(0xff800000)

__device__ __forceinline__ float warp_sum(float value) {
    for (int offset = WARP_SIZE / 2; offset > 0; offset /= 2) value += __shfl_xor_sync(FULL_MASK, value, offset);
    return value;
}

__device__ __forceinline__ double warp_sum_double(double value) {
    for (int offset = WARP_SIZE / 2; offset > 0; offset /= 2) value += __shfl_xor_sync(FULL_MASK, value, offset);
    return value;
}

__device__ __forceinline__ float warp_max(float value) {
    for (int offset = WARP_SIZE / 2; offset > 0; offset /= 2) value = fmaxf(value, __shfl_xor_sync(FULL_MASK, value, offset));
    return value;
}

// Every thread of the block gets the total. `scratch` holds one slot per warp (at most 32); the trailing
// __syncthreads lets the caller reuse it for the next reduction at once.
__device__ __forceinline__ float block_sum(float value, float* scratch) {
    int lane = threadIdx.x % WARP_SIZE, warp = threadIdx.x / WARP_SIZE, warps = (blockDim.x + WARP_SIZE - 1) / WARP_SIZE;
    value = warp_sum(value);
    if (lane == 0) scratch[warp] = value;
    __syncthreads();
    float total = lane < warps ? scratch[lane] : 0.0f;
    total = warp_sum(total);
    __syncthreads();
    return total;
}

__device__ __forceinline__ double block_sum_double(double value, double* scratch) {
    int lane = threadIdx.x % WARP_SIZE, warp = threadIdx.x / WARP_SIZE, warps = (blockDim.x + WARP_SIZE - 1) / WARP_SIZE;
    value = warp_sum_double(value);
    if (lane == 0) scratch[warp] = value;
    __syncthreads();
    double total = lane < warps ? scratch[lane] : 0.0;
    total = warp_sum_double(total);
    __syncthreads();
    return total;
}

__device__ __forceinline__ float block_max(float value, float* scratch) {
    int lane = threadIdx.x % WARP_SIZE, warp = threadIdx.x / WARP_SIZE, warps = (blockDim.x + WARP_SIZE - 1) / WARP_SIZE;
    value = warp_max(value);
    if (lane == 0) scratch[warp] = value;
    __syncthreads();
    float total = lane < warps ? scratch[lane] : NEG_INFINITY;
    total = warp_max(total);
    __syncthreads();
    return total;
}
