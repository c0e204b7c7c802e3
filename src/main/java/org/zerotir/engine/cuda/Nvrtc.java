package org.zerotir.engine.cuda;

import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

import java.util.List;
import java.util.Map;

import static org.bytedeco.cuda.global.nvrtc.NVRTC_SUCCESS;
import static org.bytedeco.cuda.global.nvrtc.nvrtcCompileProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcCreateProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcDestroyProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetErrorString;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetPTX;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetPTXSize;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetProgramLog;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetProgramLogSize;

/** Compiles one kernel source to PTX at run time, for machines whose build had no nvcc (JavaCPP's NVRTC binding). */
final class Nvrtc {
    private Nvrtc() {}

    /** headers: the name the source includes it by, to its text (NVRTC has no file system of its own). */
    static String compile(String name, String source, Map<String, String> headers, List<String> options) {
        _nvrtcProgram program = new _nvrtcProgram();
        String[] headerNames = headers.keySet().toArray(String[]::new);
        String[] headerTexts = headers.values().toArray(String[]::new);
        try (PointerPointer<BytePointer> texts = new PointerPointer<>(headerTexts);
             PointerPointer<BytePointer> names = new PointerPointer<>(headerNames);
             PointerPointer<BytePointer> optionPointers = new PointerPointer<>(options.toArray(String[]::new))) {
            check(nvrtcCreateProgram(program, new BytePointer(source), new BytePointer(name), headerNames.length,
                    headerNames.length == 0 ? null : texts, headerNames.length == 0 ? null : names), "nvrtcCreateProgram", null);
            int status = nvrtcCompileProgram(program, options.size(), optionPointers);
            check(status, "compiling " + name, program);
            try (SizeTPointer size = new SizeTPointer(1)) {
                check(nvrtcGetPTXSize(program, size), "nvrtcGetPTXSize", null);
                try (BytePointer ptx = new BytePointer(size.get())) {
                    check(nvrtcGetPTX(program, ptx), "nvrtcGetPTX", null);
                    return ptx.getString();
                }
            }
        } finally {
            nvrtcDestroyProgram(program);
        }
    }

    private static void check(int status, String what, _nvrtcProgram programForLog) {
        if (status == NVRTC_SUCCESS) return;
        String message = what + " failed: " + nvrtcGetErrorString(status).getString();
        if (programForLog != null) {
            try (SizeTPointer size = new SizeTPointer(1)) {
                nvrtcGetProgramLogSize(programForLog, size);
                try (BytePointer log = new BytePointer(size.get())) {
                    nvrtcGetProgramLog(programForLog, log);
                    message += "\n" + log.getString();
                }
            }
        }
        throw new IllegalStateException(message);
    }
}
