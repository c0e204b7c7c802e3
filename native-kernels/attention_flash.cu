// Causal grouped-query attention forward WITHOUT the probs matrix (the Backend allows probs == null when no
// backward follows): one warp per query row, online softmax (attention_online.cuh). Shapes as in attention.cu.
// Its reference is attention_forward_ref with a scratch probs buffer: the same outputs, by another route.
#include "common.cuh"
#include "attention_online.cuh"

extern "C" __global__ void attention_forward_flash(float* out, const float* q, const float* k, const float* v,
                                                   int batch, int time, int heads, int kv_heads, int head_dim, float scale) {
    long long row = (long long)blockIdx.x * (blockDim.x / WARP_SIZE) + threadIdx.x / WARP_SIZE;
    if (row >= (long long)batch * heads * time) return;
    int t = (int)(row % time), h = (int)((row / time) % heads), b = (int)(row / ((long long)time * heads));
    int g = h / (heads / kv_heads), q_dim = heads * head_dim, kv_dim = kv_heads * head_dim;
    long long q_offset = ((long long)b * time + t) * q_dim + h * head_dim;
    long long kv_offset = (long long)b * time * kv_dim + g * head_dim;
    warp_attend_online(out + q_offset, q + q_offset, k + kv_offset, v + kv_offset, kv_dim, t + 1, head_dim, scale);
}
