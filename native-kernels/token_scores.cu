// Scores of given tokens: logits (N,V) -> logProbs (N) = log softmax(z)[target] and entropies (N) = H(softmax(z)),
// with H = lse - E_p[z]. The exp sums are kept in double, as the CPU backend does, because entropy is a
// difference of two nearly equal terms when the distribution is peaked. Targets are checked on the host.
#include "common.cuh"

// entropies may be null.
extern "C" __global__ void token_scores_forward_ref(float* log_probs, float* entropies, const float* logits,
                                                    const int* targets, int n, int vocab) {
    int row = blockIdx.x * blockDim.x + threadIdx.x;
    if (row >= n) return;
    const float* z = logits + (long long)row * vocab;
    float max = NEG_INFINITY;
    for (int j = 0; j < vocab; j++) max = fmaxf(max, z[j]);
    double sum = 0.0, weighted = 0.0;
    for (int j = 0; j < vocab; j++) {
        double e = exp((double)(z[j] - max));
        sum += e;
        weighted += e * z[j];
    }
    double log_sum_exp = max + log(sum);
    log_probs[row] = (float)(z[targets[row]] - log_sum_exp);
    if (entropies != nullptr) entropies[row] = (float)(log_sum_exp - weighted / sum);
}

// One block per row: a max reduction, then the two exp sums.
extern "C" __global__ void token_scores_forward(float* log_probs, float* entropies, const float* logits,
                                                const int* targets, int n, int vocab) {
    __shared__ float scratch[32];
    __shared__ double scratch_double[32];
    int row = blockIdx.x;
    if (row >= n) return;
    const float* z = logits + (long long)row * vocab;
    float max = NEG_INFINITY;
    for (int j = threadIdx.x; j < vocab; j += blockDim.x) max = fmaxf(max, z[j]);
    max = block_max(max, scratch);
    double sum = 0.0, weighted = 0.0;
    for (int j = threadIdx.x; j < vocab; j += blockDim.x) {
        float e = expf(z[j] - max);
        sum += e;
        weighted += (double)e * z[j];
    }
    sum = block_sum_double(sum, scratch_double);
    weighted = block_sum_double(weighted, scratch_double);
    if (threadIdx.x == 0) {
        double log_sum_exp = max + log(sum);
        log_probs[row] = (float)(z[targets[row]] - log_sum_exp);
        if (entropies != nullptr) entropies[row] = (float)(log_sum_exp - weighted / sum);
    }
}

// dlogits_j = a ([j = target] - p_j) - e p_j (log p_j + H), a = dLogProbs[row], e = dEntropies[row] (or 0).
// dlogits may alias logits: every z_j is read by the thread that then overwrites it, after all the sums.
extern "C" __global__ void token_scores_backward_ref(float* dlogits, const float* logits, const int* targets,
                                                     const float* d_log_probs, const float* d_entropies, int n, int vocab) {
    int row = blockIdx.x * blockDim.x + threadIdx.x;
    if (row >= n) return;
    const float* z = logits + (long long)row * vocab;
    float* dz = dlogits + (long long)row * vocab;
    float max = NEG_INFINITY;
    for (int j = 0; j < vocab; j++) max = fmaxf(max, z[j]);
    double sum = 0.0, weighted = 0.0;
    for (int j = 0; j < vocab; j++) {
        double e = exp((double)(z[j] - max));
        sum += e;
        weighted += e * z[j];
    }
    float log_sum_exp = (float)(max + log(sum));
    float entropy = (float)(max + log(sum) - weighted / sum);
    float a = d_log_probs[row], e = d_entropies == nullptr ? 0.0f : d_entropies[row];
    int target = targets[row];
    for (int j = 0; j < vocab; j++) {
        float log_p = z[j] - log_sum_exp;
        float p = expf(log_p);
        dz[j] = -a * p - e * p * (log_p + entropy) + (j == target ? a : 0.0f);
    }
}

extern "C" __global__ void token_scores_backward(float* dlogits, const float* logits, const int* targets,
                                                 const float* d_log_probs, const float* d_entropies, int n, int vocab) {
    __shared__ float scratch[32];
    __shared__ double scratch_double[32];
    int row = blockIdx.x;
    if (row >= n) return;
    const float* z = logits + (long long)row * vocab;
    float* dz = dlogits + (long long)row * vocab;
    float max = NEG_INFINITY;
    for (int j = threadIdx.x; j < vocab; j += blockDim.x) max = fmaxf(max, z[j]);
    max = block_max(max, scratch);
    double sum = 0.0, weighted = 0.0;
    for (int j = threadIdx.x; j < vocab; j += blockDim.x) {
        float e = expf(z[j] - max);
        sum += e;
        weighted += (double)e * z[j];
    }
    sum = block_sum_double(sum, scratch_double);
    weighted = block_sum_double(weighted, scratch_double);   // ends with __syncthreads: all reads of z are done
    float log_sum_exp = (float)(max + log(sum));
    float entropy = (float)(max + log(sum) - weighted / sum);
    float a = d_log_probs[row], e = d_entropies == nullptr ? 0.0f : d_entropies[row];
    int target = targets[row];
    for (int j = threadIdx.x; j < vocab; j += blockDim.x) {
        float log_p = z[j] - log_sum_exp;
        float p = expf(log_p);
        dz[j] = -a * p - e * p * (log_p + entropy) + (j == target ? a : 0.0f);
    }
}
