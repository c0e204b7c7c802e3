// Sum of squares of n floats in double precision, for the global gradient norm. The fast kernel leaves one
// partial sum per block; the host adds the partials in block order, so the result is deterministic.
#include "common.cuh"

// One thread does it all: slow, and obviously right.
extern "C" __global__ void sum_squares_ref(double* result, const float* x, long long n) {
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    double total = 0.0;
    for (long long i = 0; i < n; i++) total += (double)x[i] * x[i];
    result[0] = total;
}

// partial (gridDim.x): each thread squares in float (as the CPU's vector lanes do) and adds into a double.
extern "C" __global__ void sum_squares(double* partial, const float* x, long long n) {
    __shared__ double scratch[32];
    double sum = 0.0;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        float value = x[i];
        sum += (double)(value * value);
    }
    sum = block_sum_double(sum, scratch);
    if (threadIdx.x == 0) partial[blockIdx.x] = sum;
}
