package org.zerotir.engine.cuda;

import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.javacpp.FloatPointer;

import static org.bytedeco.cuda.global.cublas.CUBLAS_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_T;
import static org.bytedeco.cuda.global.cublas.CUBLAS_STATUS_SUCCESS;
import static org.bytedeco.cuda.global.cublas.cublasCreate_v2;
import static org.bytedeco.cuda.global.cublas.cublasDestroy_v2;
import static org.bytedeco.cuda.global.cublas.cublasGetStatusString;
import static org.bytedeco.cuda.global.cublas.cublasSetMathMode;
import static org.bytedeco.cuda.global.cublas.cublasSetStream_v2;
import static org.bytedeco.cuda.global.cublas.cublasSgemm_v2;

/**
 * fp32 matrix products of a linear layer through cuBLAS (JavaCPP), on the backend's stream and therefore in its
 * context: cuBLAS is built on the runtime API, which adopts the context current on the calling thread, and the
 * backend makes its primary context current before every call.
 *
 * <p>cuBLAS is column-major. A row-major (R,C) matrix is, read column-major, its (C,R) transpose, so every product
 * below is written for the transposes: out^T = W inp^T and so on, with the leading dimension the row length.
 */
final class Cublas implements AutoCloseable {
    private final cublasContext handle = new cublasContext();
    private final FloatPointer one = new FloatPointer(1f);
    private final FloatPointer zero = new FloatPointer(0f);

    Cublas(DevicePointers.Stream stream) {
        check(cublasCreate_v2(handle), "cublasCreate");
        check(cublasSetStream_v2(handle, DevicePointers.cublasStream(stream)), "cublasSetStream");
        // Plain fp32 (no TF32 tensor cores): the parity check against the CPU holds to ~1e-5, TF32 would not.
        check(cublasSetMathMode(handle, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
    }

    /** out (N,OC) = inp (N,IC) @ weight (OC,IC)^T (+ out, when accumulateIntoOut: the bias already broadcast there). */
    void linearForward(long out, long inp, long weight, int n, int inChannels, int outChannels, boolean accumulateIntoOut) {
        // column-major: out^T (OC,N) = W (OC,IC) inp^T (IC,N); W read column-major is W^T, hence OP_T.
        check(cublasSgemm_v2(handle, CUBLAS_OP_T, CUBLAS_OP_N, outChannels, n, inChannels, one,
                floats(weight, (long) outChannels * inChannels), inChannels,
                floats(inp, (long) n * inChannels), inChannels,
                accumulateIntoOut ? one : zero, floats(out, (long) n * outChannels), outChannels), "cublasSgemm (forward)");
    }

    /** dinp (N,IC) += dout (N,OC) @ weight (OC,IC). */
    void linearBackwardInput(long dinp, long dout, long weight, int n, int inChannels, int outChannels) {
        // column-major: dinp^T (IC,N) = W^T (IC,OC) dout^T (OC,N); both read as stored.
        check(cublasSgemm_v2(handle, CUBLAS_OP_N, CUBLAS_OP_N, inChannels, n, outChannels, one,
                floats(weight, (long) outChannels * inChannels), inChannels,
                floats(dout, (long) n * outChannels), outChannels,
                one, floats(dinp, (long) n * inChannels), inChannels), "cublasSgemm (input gradient)");
    }

    /** dweight (OC,IC) += dout (N,OC)^T @ inp (N,IC). */
    void linearBackwardWeight(long dweight, long dout, long inp, int n, int inChannels, int outChannels) {
        // column-major: dW^T (IC,OC) = inp^T (IC,N) dout (N,OC); dout read column-major is dout^T, hence OP_T.
        check(cublasSgemm_v2(handle, CUBLAS_OP_N, CUBLAS_OP_T, inChannels, outChannels, n, one,
                floats(inp, (long) n * inChannels), inChannels,
                floats(dout, (long) n * outChannels), outChannels,
                one, floats(dweight, (long) outChannels * inChannels), inChannels), "cublasSgemm (weight gradient)");
    }

    private static FloatPointer floats(long address, long count) {
        return new DevicePointers.DeviceFloats(address, count);
    }

    static void check(int status, String what) {
        if (status != CUBLAS_STATUS_SUCCESS) {
            String text;
            try {
                text = cublasGetStatusString(status).getString();
            } catch (RuntimeException | LinkageError e) {
                text = "status " + status;
            }
            throw new IllegalStateException(what + " failed: " + text);
        }
    }

    @Override
    public void close() {
        cublasDestroy_v2(handle);
        one.close();
        zero.close();
    }
}
