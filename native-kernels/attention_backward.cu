// Backward of attention.cu from the saved probs: writes (does not accumulate) dq, dk, dv.
// With dp_tj = dout_t . v_j and P the probs row:  dS_tj = P_tj (dp_tj - sum_i P_ti dp_ti) * scale,
// dq_t = sum_j dS_tj k_j,  dk_j = sum_{h in group, t >= j} dS_tj q_t,  dv_j = sum_{h in group, t >= j} P_tj dout_t.
#include "common.cuh"

// One thread per (b, kv head g), the CPU's own loop: zero the group's dk, dv, then walk its query heads and rows.
extern "C" __global__ void attention_backward_ref(float* dq, float* dk, float* dv, const float* dout, const float* probs,
                                                  const float* q, const float* k, const float* v,
                                                  int batch, int time, int heads, int kv_heads, int head_dim, float scale) {
    int task = blockIdx.x * blockDim.x + threadIdx.x;
    if (task >= batch * kv_heads) return;
    int b = task / kv_heads, g = task % kv_heads, group = heads / kv_heads;
    int q_dim = heads * head_dim, kv_dim = kv_heads * head_dim;
    for (int t = 0; t < time; t++) {
        long long kv = ((long long)b * time + t) * kv_dim + g * head_dim;
        for (int d = 0; d < head_dim; d++) { dk[kv + d] = 0.0f; dv[kv + d] = 0.0f; }
    }
    for (int h = g * group; h < (g + 1) * group; h++) {
        for (int t = 0; t < time; t++) {
            const float* p = probs + (((long long)b * heads + h) * time + t) * time;
            long long qo = ((long long)b * time + t) * q_dim + h * head_dim;
            float weighted = 0.0f;
            for (int j = 0; j <= t; j++) {
                float dp = 0.0f;
                for (int d = 0; d < head_dim; d++) dp += dout[qo + d] * v[((long long)b * time + j) * kv_dim + g * head_dim + d];
                weighted += dp * p[j];
            }
            for (int d = 0; d < head_dim; d++) dq[qo + d] = 0.0f;
            for (int j = 0; j <= t; j++) {
                long long kv = ((long long)b * time + j) * kv_dim + g * head_dim;
                float dp = 0.0f;
                for (int d = 0; d < head_dim; d++) dp += dout[qo + d] * v[kv + d];
                float ds = p[j] * (dp - weighted) * scale;
                for (int d = 0; d < head_dim; d++) {
                    dq[qo + d] += ds * k[kv + d];
                    dk[kv + d] += ds * q[qo + d];
                    dv[kv + d] += p[j] * dout[qo + d];
                }
            }
        }
    }
}

// Pass 1, one warp per query row (b, h, t): dS into dscores (B,H,T,T, laid out like probs; only j <= t is
// written and read), then dq_t. Lanes split the keys for dS and the head dimensions for dq.
extern "C" __global__ void attention_backward_dq(float* dq, float* dscores, const float* dout, const float* probs,
                                                 const float* k, const float* v,
                                                 int batch, int time, int heads, int kv_heads, int head_dim, float scale) {
    int lane = threadIdx.x % WARP_SIZE;
    long long row = (long long)blockIdx.x * (blockDim.x / WARP_SIZE) + threadIdx.x / WARP_SIZE;
    if (row >= (long long)batch * heads * time) return;
    int t = (int)(row % time), h = (int)((row / time) % heads), b = (int)(row / ((long long)time * heads));
    int g = h / (heads / kv_heads), q_dim = heads * head_dim, kv_dim = kv_heads * head_dim;
    long long qo = ((long long)b * time + t) * q_dim + h * head_dim;
    const float* dy = dout + qo;
    const float* keys = k + (long long)b * time * kv_dim + g * head_dim;
    const float* values = v + (long long)b * time * kv_dim + g * head_dim;
    const float* p = probs + row * time;
    float* ds = dscores + row * time;

    float weighted = 0.0f;
    for (int j = lane; j <= t; j += WARP_SIZE) {
        const float* value = values + (long long)j * kv_dim;
        float dp = 0.0f;
        for (int d = 0; d < head_dim; d++) dp += dy[d] * value[d];
        ds[j] = dp;
        weighted += dp * p[j];
    }
    weighted = warp_sum(weighted);
    for (int j = lane; j <= t; j += WARP_SIZE) ds[j] = p[j] * (ds[j] - weighted) * scale;
    __syncwarp();
    for (int d = lane; d < head_dim; d += WARP_SIZE) {
        float acc = 0.0f;
        for (int j = 0; j <= t; j++) acc += ds[j] * keys[(long long)j * kv_dim + d];
        dq[qo + d] = acc;
    }
}

// Pass 2, one warp per key row (b, g, j), lanes over head dimensions: sums over the group's query heads and the
// rows t >= j that saw key j. Each (b, g, j) is owned by one warp, so dk and dv are written without atomics.
extern "C" __global__ void attention_backward_dkdv(float* dk, float* dv, const float* dscores, const float* probs,
                                                   const float* q, const float* dout,
                                                   int batch, int time, int heads, int kv_heads, int head_dim) {
    int lane = threadIdx.x % WARP_SIZE;
    long long task = (long long)blockIdx.x * (blockDim.x / WARP_SIZE) + threadIdx.x / WARP_SIZE;   // (b, g, j), j fastest
    if (task >= (long long)batch * kv_heads * time) return;
    int j = (int)(task % time), g = (int)((task / time) % kv_heads), b = (int)(task / ((long long)time * kv_heads));
    int group = heads / kv_heads, q_dim = heads * head_dim, kv_dim = kv_heads * head_dim;
    long long kvo = ((long long)b * time + j) * kv_dim + g * head_dim;
    for (int d = lane; d < head_dim; d += WARP_SIZE) {
        float dk_acc = 0.0f, dv_acc = 0.0f;
        for (int h = g * group; h < (g + 1) * group; h++) {
            long long score_row = ((long long)b * heads + h) * time;
            for (int t = j; t < time; t++) {
                long long qo = ((long long)b * time + t) * q_dim + h * head_dim + d;
                long long at = (score_row + t) * time + j;
                dk_acc += dscores[at] * q[qo];
                dv_acc += probs[at] * dout[qo];
            }
        }
        dk[kvo + d] = dk_acc;
        dv[kvo + d] = dv_acc;
    }
}
