// Rotary embedding in place on x (N, heads*D), Hugging Face's rotate-half convention: the pair (i, i + D/2) of
// each head turns by the angle of (position, i). direction = +1 forward; -1 backward, because the transpose of
// a rotation is the opposite rotation. cos, sin: (maxPositions, D/2); positions are checked on the host.
#include "common.cuh"

extern "C" __global__ void rope_ref(float* x, const float* cos_table, const float* sin_table, const int* positions,
                                    int n, int heads, int head_dim, float direction) {
    int row = blockIdx.x * blockDim.x + threadIdx.x;
    if (row >= n) return;
    int half = head_dim / 2;
    long long table = (long long)positions[row] * half;
    for (int h = 0; h < heads; h++) {
        float* v = x + ((long long)row * heads + h) * head_dim;
        for (int i = 0; i < half; i++) {
            float c = cos_table[table + i], s = direction * sin_table[table + i];
            float first = v[i], second = v[i + half];
            v[i] = first * c - second * s;
            v[i + half] = second * c + first * s;
        }
    }
}

// One thread per rotated pair; a warp covers adjacent i of one head, so the reads of x and of the tables coalesce.
extern "C" __global__ void rope(float* x, const float* cos_table, const float* sin_table, const int* positions,
                                int n, int heads, int head_dim, float direction) {
    int half = head_dim / 2;
    long long total = (long long)n * heads * half;
    for (long long p = (long long)blockIdx.x * blockDim.x + threadIdx.x; p < total; p += (long long)gridDim.x * blockDim.x) {
        int i = (int)(p % half);
        long long head_row = p / half;              // row * heads + h
        int row = (int)(head_row / heads);
        long long table = (long long)positions[row] * half + i;
        float c = cos_table[table], s = direction * sin_table[table];
        float* v = x + head_row * head_dim;
        float first = v[i], second = v[i + half];
        v[i] = first * c - second * s;
        v[i + half] = second * c + first * s;
    }
}
