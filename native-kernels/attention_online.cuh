// One warp attends one query row to `length` keys with the online softmax (Milakov & Gimelshein 2018, as in
// FlashAttention): a running max m and sum l, the output accumulator rescaled by exp(m_old - m_new) whenever the
// max grows, so no probability row is ever stored. Keys come 32 at a time (one per lane); lane i then owns the
// output dimensions i, i+32, ... (head_dim <= 32 * MAX_DIMS_PER_LANE, checked on the host).
#pragma once
#include "common.cuh"

__device__ __forceinline__ void warp_attend_online(float* out, const float* query, const float* keys, const float* values,
                                                   long long kv_stride, int length, int head_dim, float scale) {
    int lane = threadIdx.x % WARP_SIZE;
    float acc[MAX_DIMS_PER_LANE];
#pragma unroll
    for (int i = 0; i < MAX_DIMS_PER_LANE; i++) acc[i] = 0.0f;
    float running_max = NEG_INFINITY, running_sum = 0.0f;

    for (int first = 0; first < length; first += WARP_SIZE) {
        int j = first + lane;
        float score = NEG_INFINITY;
        if (j < length) {
            const float* key = keys + (long long)j * kv_stride;
            float dot = 0.0f;
            for (int d = 0; d < head_dim; d++) dot += query[d] * key[d];
            score = scale * dot;
        }
        // first < length, so lane 0 holds a finite score and new_max is finite.
        float new_max = fmaxf(running_max, warp_max(score));
        float p = j < length ? expf(score - new_max) : 0.0f;
        float correction = expf(running_max - new_max);          // exp(-inf) = 0 on the first chunk
        running_sum = running_sum * correction + warp_sum(p);
#pragma unroll
        for (int i = 0; i < MAX_DIMS_PER_LANE; i++) acc[i] *= correction;
        int count = length - first < WARP_SIZE ? length - first : WARP_SIZE;   // no min(): keep NVRTC's builtins out of it
        for (int jj = 0; jj < count; jj++) {
            float pj = __shfl_sync(FULL_MASK, p, jj);
            const float* value = values + (long long)(first + jj) * kv_stride;
#pragma unroll
            for (int i = 0; i < MAX_DIMS_PER_LANE; i++) {
                int d = lane + i * WARP_SIZE;
                if (d < head_dim) acc[i] += pj * value[d];
            }
        }
        running_max = new_max;
    }
    float inverse = 1.0f / running_sum;
#pragma unroll
    for (int i = 0; i < MAX_DIMS_PER_LANE; i++) {
        int d = lane + i * WARP_SIZE;
        if (d < head_dim) out[d] = acc[i] * inverse;
    }
}
