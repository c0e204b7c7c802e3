// AdamW with decoupled weight decay (Loshchilov & Hutter), fused: one pass reads p, g, m, v and writes p, m, v.
// The host computes decay = 1 - lr*wd and the bias corrections 1 - beta^step exactly as the CPU backend does,
// so both backends round the same scalars. PyTorch's order: decay the weight, then take the Adam step.
#include "common.cuh"

__device__ __forceinline__ void adamw_element(float* params, const float* grads, float* m, float* v, long long i,
                                              float learning_rate, float beta1, float beta2, float eps, float decay,
                                              float correction1, float correction2) {
    float grad = grads[i];
    float mi = beta1 * m[i] + (1.0f - beta1) * grad;
    float vi = beta2 * v[i] + (1.0f - beta2) * grad * grad;
    m[i] = mi;
    v[i] = vi;
    params[i] = params[i] * decay - learning_rate * (mi / correction1) / (sqrtf(vi / correction2) + eps);
}

extern "C" __global__ void adamw_ref(float* params, const float* grads, float* m, float* v, long long n,
                                     float learning_rate, float beta1, float beta2, float eps, float decay,
                                     float correction1, float correction2) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) adamw_element(params, grads, m, v, i, learning_rate, beta1, beta2, eps, decay, correction1, correction2);
}

extern "C" __global__ void adamw(float* params, const float* grads, float* m, float* v, long long n,
                                 float learning_rate, float beta1, float beta2, float eps, float decay,
                                 float correction1, float correction2) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        adamw_element(params, grads, m, v, i, learning_rate, beta1, beta2, eps, decay, correction1, correction2);
    }
}
