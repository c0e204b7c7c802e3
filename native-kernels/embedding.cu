// Token embedding: out (N,C) = table (V,C)[tokens]; backward dtable[tokens[i]] += dout[i].
// Token ids are checked against V on the host before launch.
#include "common.cuh"

extern "C" __global__ void embedding_forward_ref(float* out, const int* tokens, const float* table, int n, int channels) {
    int row = blockIdx.x * blockDim.x + threadIdx.x;
    if (row >= n) return;
    const float* source = table + (long long)tokens[row] * channels;
    for (int c = 0; c < channels; c++) out[(long long)row * channels + c] = source[c];
}

// One thread per element: a warp copies 32 adjacent floats of one row.
extern "C" __global__ void embedding_forward(float* out, const int* tokens, const float* table, int n, int channels) {
    long long total = (long long)n * channels;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += (long long)gridDim.x * blockDim.x) {
        int row = (int)(i / channels), c = (int)(i % channels);
        out[i] = table[(long long)tokens[row] * channels + c];
    }
}

// Deterministic: one thread per channel walks the rows in order, as the CPU does, so repeated tokens add up in
// the same order every time. Only C threads, hence slow for training-sized N.
extern "C" __global__ void embedding_backward_ref(float* dtable, const float* dout, const int* tokens, int n, int channels) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= channels) return;
    for (int row = 0; row < n; row++) dtable[(long long)tokens[row] * channels + c] += dout[(long long)row * channels + c];
}

// One thread per element with atomicAdd: rows carrying the same token collide, so the order of the additions
// (and the last bits of the result) can change from run to run. Not deterministic; see the _ref for that.
extern "C" __global__ void embedding_backward(float* dtable, const float* dout, const int* tokens, int n, int channels) {
    long long total = (long long)n * channels;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += (long long)gridDim.x * blockDim.x) {
        int row = (int)(i / channels), c = (int)(i % channels);
        atomicAdd(&dtable[(long long)tokens[row] * channels + c], dout[i]);
    }
}
