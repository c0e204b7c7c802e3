package org.zerotir.engine.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * OpenBLAS's {@code cblas_sgemm}, from JavaCPP's {@code org.bytedeco:openblas} natives, called through the
 * Foreign Function API as a "critical" downcall. Why not JavaCPP's own binding: for a Java float[] argument it
 * goes through JNI's Get/ReleaseFloatArrayElements, which on HotSpot copies the whole array on every call
 * (a 545 MB copy for Qwen2.5-0.5B's embedding); a critical downcall hands OpenBLAS the heap array itself.
 */
final class Blas {
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    private static final MethodHandle SGEMM;
    private static final MethodHandle SGEMV;
    private static final MethodHandle SET_NUM_THREADS;

    static {
        // JavaCPP extracts libopenblas_nolapack.so.0 from the jar and loads it; dlopen by soname then finds
        // that already-loaded copy, whatever class loader asks.
        org.bytedeco.javacpp.Loader.load(org.bytedeco.openblas.global.openblas_nolapack.class);
        SymbolLookup openblas = SymbolLookup.libraryLookup("libopenblas_nolapack.so.0", Arena.global());
        Linker linker = Linker.nativeLinker();
        SGEMM = linker.downcallHandle(openblas.find("cblas_sgemm").orElseThrow(),
                FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_FLOAT,
                        ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT),
                Linker.Option.critical(true));
        SGEMV = linker.downcallHandle(openblas.find("cblas_sgemv").orElseThrow(),
                FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT,
                        ADDRESS, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT),
                Linker.Option.critical(true));
        SET_NUM_THREADS = linker.downcallHandle(openblas.find("openblas_set_num_threads").orElseThrow(),
                FunctionDescriptor.ofVoid(JAVA_INT));
    }

    private Blas() {}

    static void setThreads(int threads) {
        try {
            SET_NUM_THREADS.invokeExact(threads);
        } catch (Throwable e) {
            throw new IllegalStateException("openblas_set_num_threads failed", e);
        }
    }

    /**
     * Row-major C (m,n) = alpha * op(A) @ op(B) + beta * C, with op(A) (m,k) and op(B) (k,n); lda, ldb, ldc are
     * the row strides of the arrays as stored.
     */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                      float beta, float[] c, int cOffset, int ldc) {
        if (m == 0 || n == 0) return;
        try {
            SGEMM.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
                    at(a, aOffset), lda, at(b, bOffset), ldb, beta, at(c, cOffset), ldc);
        } catch (Throwable e) {
            throw new IllegalStateException("cblas_sgemm failed", e);
        }
    }

    /** Row-major y (m) = alpha * A (m,n) @ x (n) + beta * y, with lda the row stride of A as stored. */
    static void sgemv(int m, int n, float alpha, float[] a, int aOffset, int lda, float[] x, int xOffset,
                      float beta, float[] y, int yOffset) {
        if (m == 0) return;
        try {
            SGEMV.invokeExact(ROW_MAJOR, NO_TRANS, m, n, alpha, at(a, aOffset), lda, at(x, xOffset), 1, beta,
                    at(y, yOffset), 1);
        } catch (Throwable e) {
            throw new IllegalStateException("cblas_sgemv failed", e);
        }
    }

    private static MemorySegment at(float[] array, int offset) {
        return MemorySegment.ofArray(array).asSlice((long) offset * Float.BYTES);
    }
}
