// SwiGLU: out (N,F) = silu(gate) * up. out may alias gate (decode reuses the gate buffer).
// Backward writes (does not accumulate) dgate and dup: d/dg [g sigma(g)] = sigma(g) (1 + g (1 - sigma(g))).
#include "common.cuh"

extern "C" __global__ void swiglu_forward_ref(float* out, const float* gate, const float* up, long long n) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float g = gate[i];
    out[i] = g / (1.0f + expf(-g)) * up[i];
}

extern "C" __global__ void swiglu_forward(float* out, const float* gate, const float* up, long long n) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        float g = gate[i];
        out[i] = g / (1.0f + expf(-g)) * up[i];
    }
}

extern "C" __global__ void swiglu_backward_ref(float* dgate, float* dup, const float* dout, const float* gate,
                                               const float* up, long long n) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float g = gate[i], sigmoid = 1.0f / (1.0f + expf(-g)), d = dout[i];
    dup[i] = d * g * sigmoid;
    dgate[i] = d * up[i] * sigmoid * (1.0f + g * (1.0f - sigmoid));
}

extern "C" __global__ void swiglu_backward(float* dgate, float* dup, const float* dout, const float* gate,
                                           const float* up, long long n) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        float g = gate[i], sigmoid = 1.0f / (1.0f + expf(-g)), d = dout[i];
        float u = up[i];
        dup[i] = d * g * sigmoid;
        dgate[i] = d * u * sigmoid * (1.0f + g * (1.0f - sigmoid));
    }
}
