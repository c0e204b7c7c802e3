// RMSNorm: out (N,C) = inp * rstd * weight (C), rstd (N) = 1/sqrt(mean(inp^2) + eps), saved for backward.
// Backward accumulates into dinp and dweight (the Backend contract), in two kernels so no two threads write
// the same element: rows for dinp, channels for dweight.
#include "common.cuh"

// rstd may be null (inference does not keep it).
extern "C" __global__ void rmsnorm_forward_ref(float* out, float* rstd, const float* inp, const float* weight,
                                               int n, int channels, float eps) {
    int row = blockIdx.x * blockDim.x + threadIdx.x;
    if (row >= n) return;
    const float* x = inp + (long long)row * channels;
    double sum = 0.0;
    for (int c = 0; c < channels; c++) sum += (double)x[c] * x[c];
    float s = (float)(1.0 / sqrt(sum / channels + eps));
    if (rstd != nullptr) rstd[row] = s;
    for (int c = 0; c < channels; c++) out[(long long)row * channels + c] = x[c] * s * weight[c];
}

// One block per row.
extern "C" __global__ void rmsnorm_forward(float* out, float* rstd, const float* inp, const float* weight,
                                           int n, int channels, float eps) {
    __shared__ float scratch[32];
    int row = blockIdx.x;
    if (row >= n) return;
    const float* x = inp + (long long)row * channels;
    float sum = 0.0f;
    for (int c = threadIdx.x; c < channels; c += blockDim.x) sum += x[c] * x[c];
    sum = block_sum(sum, scratch);
    float s = rsqrtf(sum / channels + eps);
    if (rstd != nullptr && threadIdx.x == 0) rstd[row] = s;
    float* y = out + (long long)row * channels;
    for (int c = threadIdx.x; c < channels; c += blockDim.x) y[c] = x[c] * s * weight[c];
}

// dinp_j += s w_j dy_j - s^3/C x_j sum_i(dy_i w_i x_i): the derivative of w_j x_j s summed against dout.
extern "C" __global__ void rmsnorm_backward_dinp_ref(float* dinp, const float* dout, const float* inp, const float* weight,
                                                     const float* rstd, int n, int channels) {
    int row = blockIdx.x * blockDim.x + threadIdx.x;
    if (row >= n) return;
    long long base = (long long)row * channels;
    float s = rstd[row];
    double projection = 0.0;
    for (int c = 0; c < channels; c++) projection += (double)dout[base + c] * weight[c] * inp[base + c];
    float coefficient = (float)(projection * s * s * s / channels);
    for (int c = 0; c < channels; c++) dinp[base + c] += s * weight[c] * dout[base + c] - coefficient * inp[base + c];
}

extern "C" __global__ void rmsnorm_backward_dinp(float* dinp, const float* dout, const float* inp, const float* weight,
                                                 const float* rstd, int n, int channels) {
    __shared__ float scratch[32];
    int row = blockIdx.x;
    if (row >= n) return;
    long long base = (long long)row * channels;
    float s = rstd[row];
    float projection = 0.0f;
    for (int c = threadIdx.x; c < channels; c += blockDim.x) projection += dout[base + c] * weight[c] * inp[base + c];
    projection = block_sum(projection, scratch);
    float coefficient = projection * s * s * s / channels;
    for (int c = threadIdx.x; c < channels; c += blockDim.x) {
        dinp[base + c] += s * weight[c] * dout[base + c] - coefficient * inp[base + c];
    }
}

// dweight_j += sum over rows of dy_j x_j s
extern "C" __global__ void rmsnorm_backward_dweight_ref(float* dweight, const float* dout, const float* inp,
                                                        const float* rstd, int n, int channels) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= channels) return;
    float sum = 0.0f;
    for (int row = 0; row < n; row++) sum += dout[(long long)row * channels + c] * inp[(long long)row * channels + c] * rstd[row];
    dweight[c] += sum;
}

// Block (32, 32), the same column-sum scheme as bias_backward: coalesced rows, a fixed-order final sum.
extern "C" __global__ void rmsnorm_backward_dweight(float* dweight, const float* dout, const float* inp,
                                                    const float* rstd, int n, int channels) {
    __shared__ float partial[32][33];
    int c = blockIdx.x * 32 + threadIdx.x;
    float sum = 0.0f;
    if (c < channels) {
        for (int row = threadIdx.y; row < n; row += 32) {
            long long i = (long long)row * channels + c;
            sum += dout[i] * inp[i] * rstd[row];
        }
    }
    partial[threadIdx.y][threadIdx.x] = sum;
    __syncthreads();
    if (threadIdx.y == 0 && c < channels) {
        float total = 0.0f;
        for (int y = 0; y < 32; y++) total += partial[y][threadIdx.x];
        dweight[c] += total;
    }
}
