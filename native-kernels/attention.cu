// Causal grouped-query attention over B sequences of T tokens, the forward that keeps probs for backward.
// q (B,T,H*D); k, v (B,T,KV*D); out (B,T,H*D); probs (B,H,T,T) with the upper triangle zero (the Backend
// contract). Query head h reads kv head h / (H/KV). scale = 1/sqrt(D), computed once on the host like the CPU.
#include "common.cuh"

// One thread per (b, h, t) query row: scores into its probs row, softmax in place, then the weighted sum of v.
extern "C" __global__ void attention_forward_ref(float* out, float* probs, const float* q, const float* k, const float* v,
                                                 int batch, int time, int heads, int kv_heads, int head_dim, float scale) {
    long long row = (long long)blockIdx.x * blockDim.x + threadIdx.x;      // (b, h, t), t fastest
    if (row >= (long long)batch * heads * time) return;
    int t = (int)(row % time), h = (int)((row / time) % heads), b = (int)(row / ((long long)time * heads));
    int g = h / (heads / kv_heads), q_dim = heads * head_dim, kv_dim = kv_heads * head_dim;
    const float* query = q + ((long long)b * time + t) * q_dim + h * head_dim;
    const float* keys = k + (long long)b * time * kv_dim + g * head_dim;
    const float* values = v + (long long)b * time * kv_dim + g * head_dim;
    float* p = probs + row * time;
    float max = NEG_INFINITY;
    for (int j = 0; j <= t; j++) {
        float dot = 0.0f;
        for (int d = 0; d < head_dim; d++) dot += query[d] * keys[(long long)j * kv_dim + d];
        p[j] = scale * dot;
        max = fmaxf(max, p[j]);
    }
    float sum = 0.0f;
    for (int j = 0; j <= t; j++) {
        p[j] = expf(p[j] - max);
        sum += p[j];
    }
    float inverse = 1.0f / sum;
    for (int j = 0; j <= t; j++) p[j] *= inverse;
    for (int j = t + 1; j < time; j++) p[j] = 0.0f;
    float* o = out + ((long long)b * time + t) * q_dim + h * head_dim;
    for (int d = 0; d < head_dim; d++) {
        float acc = 0.0f;
        for (int j = 0; j <= t; j++) acc += p[j] * values[(long long)j * kv_dim + d];
        o[d] = acc;
    }
}

// One warp per query row. Lanes split the keys for the scores and the softmax (lane j%32 owns p[j]), then split
// the head dimensions for the output, where a warp reads each v row as 32 adjacent floats. The probs row is the
// warp's scratch: __syncwarp orders the lanes' global writes before the other lanes read them.
extern "C" __global__ void attention_forward(float* out, float* probs, const float* q, const float* k, const float* v,
                                             int batch, int time, int heads, int kv_heads, int head_dim, float scale) {
    int lane = threadIdx.x % WARP_SIZE;
    long long row = (long long)blockIdx.x * (blockDim.x / WARP_SIZE) + threadIdx.x / WARP_SIZE;
    if (row >= (long long)batch * heads * time) return;                      // whole warps leave together
    int t = (int)(row % time), h = (int)((row / time) % heads), b = (int)(row / ((long long)time * heads));
    int g = h / (heads / kv_heads), q_dim = heads * head_dim, kv_dim = kv_heads * head_dim;
    const float* query = q + ((long long)b * time + t) * q_dim + h * head_dim;
    const float* keys = k + (long long)b * time * kv_dim + g * head_dim;
    const float* values = v + (long long)b * time * kv_dim + g * head_dim;
    float* p = probs + row * time;

    float max = NEG_INFINITY;
    for (int j = lane; j <= t; j += WARP_SIZE) {
        const float* key = keys + (long long)j * kv_dim;
        float dot = 0.0f;
        for (int d = 0; d < head_dim; d++) dot += query[d] * key[d];
        float score = scale * dot;
        p[j] = score;
        max = fmaxf(max, score);
    }
    max = warp_max(max);
    float sum = 0.0f;
    for (int j = lane; j <= t; j += WARP_SIZE) {
        float e = expf(p[j] - max);
        p[j] = e;
        sum += e;
    }
    float inverse = 1.0f / warp_sum(sum);
    for (int j = lane; j <= t; j += WARP_SIZE) p[j] *= inverse;
    for (int j = t + 1 + lane; j < time; j += WARP_SIZE) p[j] = 0.0f;
    __syncwarp();

    float* o = out + ((long long)b * time + t) * q_dim + h * head_dim;
    for (int d = lane; d < head_dim; d += WARP_SIZE) {
        float acc = 0.0f;
        for (int j = 0; j <= t; j++) acc += p[j] * values[(long long)j * kv_dim + d];
        o[d] = acc;
    }
}
