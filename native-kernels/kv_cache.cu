// Attention against a KV cache, for generation. kCache, vCache: (slots, cacheLength, KV*D). Row i (of N) belongs
// to slots[i], sits at positions[i] and attends to cache entries 0..positions[i] of its slot. q, out: (N, H*D).
// Slots and positions are checked on the host.
#include "common.cuh"
#include "attention_online.cuh"

// Writes k, v (N, KV*D) into cache rows (slots[i], positions[i]). One thread per row.
extern "C" __global__ void kv_cache_write_ref(float* k_cache, float* v_cache, const float* k, const float* v,
                                              const int* slots, const int* positions, int n, int cache_length, int kv_dim) {
    int row = blockIdx.x * blockDim.x + threadIdx.x;
    if (row >= n) return;
    long long destination = ((long long)slots[row] * cache_length + positions[row]) * kv_dim;
    for (int c = 0; c < kv_dim; c++) {
        k_cache[destination + c] = k[(long long)row * kv_dim + c];
        v_cache[destination + c] = v[(long long)row * kv_dim + c];
    }
}

// One thread per element, so a warp moves 32 adjacent floats.
extern "C" __global__ void kv_cache_write(float* k_cache, float* v_cache, const float* k, const float* v,
                                          const int* slots, const int* positions, int n, int cache_length, int kv_dim) {
    long long total = (long long)n * kv_dim;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += (long long)gridDim.x * blockDim.x) {
        int row = (int)(i / kv_dim), c = (int)(i % kv_dim);
        long long destination = ((long long)slots[row] * cache_length + positions[row]) * kv_dim + c;
        k_cache[destination] = k[i];
        v_cache[destination] = v[i];
    }
}

// One thread per (row, head), three passes over the keys (max, sum, weighted values) so it needs no scratch.
extern "C" __global__ void cached_attention_ref(float* out, const float* q, const float* k_cache, const float* v_cache,
                                                const int* slots, const int* positions, int n, int cache_length,
                                                int heads, int kv_heads, int head_dim, float scale) {
    int task = blockIdx.x * blockDim.x + threadIdx.x;
    if (task >= n * heads) return;
    int row = task / heads, h = task % heads, g = h / (heads / kv_heads);
    int q_dim = heads * head_dim, kv_dim = kv_heads * head_dim, length = positions[row] + 1;
    const float* query = q + (long long)row * q_dim + h * head_dim;
    long long base = (long long)slots[row] * cache_length * kv_dim + g * head_dim;
    float max = NEG_INFINITY;
    for (int j = 0; j < length; j++) {
        float dot = 0.0f;
        for (int d = 0; d < head_dim; d++) dot += query[d] * k_cache[base + (long long)j * kv_dim + d];
        max = fmaxf(max, scale * dot);
    }
    float sum = 0.0f;
    for (int j = 0; j < length; j++) {
        float dot = 0.0f;
        for (int d = 0; d < head_dim; d++) dot += query[d] * k_cache[base + (long long)j * kv_dim + d];
        sum += expf(scale * dot - max);
    }
    float* o = out + (long long)row * q_dim + h * head_dim;
    for (int d = 0; d < head_dim; d++) o[d] = 0.0f;
    float inverse = 1.0f / sum;
    for (int j = 0; j < length; j++) {
        float dot = 0.0f;
        for (int d = 0; d < head_dim; d++) dot += query[d] * k_cache[base + (long long)j * kv_dim + d];
        float p = expf(scale * dot - max) * inverse;
        for (int d = 0; d < head_dim; d++) o[d] += p * v_cache[base + (long long)j * kv_dim + d];
    }
}

// One warp per (row, head), online softmax over the slot's cached keys.
extern "C" __global__ void cached_attention(float* out, const float* q, const float* k_cache, const float* v_cache,
                                            const int* slots, const int* positions, int n, int cache_length,
                                            int heads, int kv_heads, int head_dim, float scale) {
    long long task = (long long)blockIdx.x * (blockDim.x / WARP_SIZE) + threadIdx.x / WARP_SIZE;
    if (task >= (long long)n * heads) return;
    int row = (int)(task / heads), h = (int)(task % heads), g = h / (heads / kv_heads);
    int q_dim = heads * head_dim, kv_dim = kv_heads * head_dim;
    long long q_offset = (long long)row * q_dim + h * head_dim;
    long long base = (long long)slots[row] * cache_length * kv_dim + g * head_dim;
    warp_attend_online(out + q_offset, q + q_offset, k_cache + base, v_cache + base, kv_dim, positions[row] + 1,
                       head_dim, scale);
}
