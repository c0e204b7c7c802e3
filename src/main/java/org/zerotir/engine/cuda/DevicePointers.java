package org.zerotir.engine.cuda;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The seam between the two native bindings. Device memory is allocated by JCuda's driver API (cuMemAlloc into a
 * CUdeviceptr) and read by our kernels (launched by JCuda) and by cuBLAS (called through JavaCPP). Both bindings
 * keep the raw address in a protected field of their pointer class and neither offers a public constructor from
 * a number, so each side gets a small subclass:
 * <ul>
 *   <li>{@link Allocation} extends JCuda's CUdeviceptr and reads back the address cuMemAlloc stored
 *       ({@code NativePointerObject.getNativePointer()}, protected).</li>
 *   <li>{@link DeviceFloats} extends JavaCPP's FloatPointer and sets {@code Pointer.address} (protected), the field
 *       JavaCPP's generated JNI code reads (plus {@code position}, kept 0) when it passes the pointer to C.</li>
 * </ul>
 * Kernel arguments need neither: a pointer parameter is a 64-bit value, so it goes as {@code Pointer.to(long[])}.
 * The stream is shared the same way: the CUstream that cuStreamCreate filled is read as an address and
 * handed to cublasSetStream as a JavaCPP CUstream_st. A CUstream and a cudaStream_t are the same C object.
 * Nothing here owns memory on the JavaCPP side: no deallocator is attached, JCuda's cuMemFree releases it.
 */
final class DevicePointers {
    private DevicePointers() {}

    /** A cuMemAlloc'd block whose address Java can read. */
    static final class Allocation extends CUdeviceptr {
        long address() {
            return getNativePointer();
        }
    }

    /** A stream whose CUstream_st* Java can read, for cuBLAS. */
    static final class Stream extends CUstream {
        long address() {
            return getNativePointer();
        }
    }

    /** A JavaCPP view of device floats at a raw address, for cuBLAS arguments. */
    static final class DeviceFloats extends FloatPointer {
        DeviceFloats(long address, long floats) {
            this.address = address;
            this.position = 0;
            this.limit = floats;
            this.capacity = floats;
        }
    }

    /** A JavaCPP opaque pointer at a raw address (stream handles). */
    private static final class RawAddress extends Pointer {
        RawAddress(long address) {
            this.address = address;
        }
    }

    static CUstream_st cublasStream(Stream stream) {
        return new CUstream_st(new RawAddress(stream.address()));
    }
}
