package org.zerotir.engine.cuda;

import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

/**
 * Loads every module of {@link Kernel} into the current context, from the build's PTX when there is one for
 * this device (see {@link PtxSelection}) and otherwise from the kernel source through NVRTC, and resolves every
 * kernel once, so a missing entry fails at open rather than mid-training.
 */
final class KernelModules implements AutoCloseable {
    private final List<CUmodule> modules = new ArrayList<>();
    private final Map<Kernel, CUfunction> functions = new EnumMap<>(Kernel.class);
    /** module to where its code came from, for the start-up report. */
    private final Map<String, String> origins = new LinkedHashMap<>();

    KernelModules(int major, int minor) throws CudaUnavailableException {
        for (String module : Kernel.modules()) {
            CUmodule loaded = new CUmodule();
            cuModuleLoadData(loaded, nullTerminated(ptxFor(module, major, minor)));
            modules.add(loaded);
            for (Kernel kernel : Kernel.values()) {
                if (!kernel.module.equals(module)) continue;
                CUfunction function = new CUfunction();
                cuModuleGetFunction(function, loaded, kernel.entry);
                functions.put(kernel, function);
            }
        }
    }

    CUfunction function(Kernel kernel) {
        return functions.get(kernel);
    }

    Map<String, String> origins() {
        return origins;
    }

    private String ptxFor(String module, int major, int minor) throws CudaUnavailableException {
        for (String resource : PtxSelection.ptxCandidates(module, major, minor)) {
            String ptx = readResource(resource);
            if (ptx != null) {
                origins.put(module, resource);
                return ptx;
            }
        }
        String source = readResource(PtxSelection.sourceResource(module));
        if (source == null) {
            throw new CudaUnavailableException("no kernels for sm_" + major + minor + ": neither PTX nor "
                    + PtxSelection.sourceResource(module) + " is on the class path");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        collectHeaders(source, headers);
        List<String> options = List.of(PtxSelection.nvrtcArchitectureOption(major, minor), "--std=c++17");
        try {
            String ptx = Nvrtc.compile(module + ".cu", source, headers, options);
            origins.put(module, "NVRTC from " + PtxSelection.sourceResource(module));
            return ptx;
        } catch (LinkageError e) {
            throw new CudaUnavailableException("no PTX for sm_" + major + minor + " and NVRTC could not be loaded: " + e, e);
        } catch (IllegalStateException e) {
            throw new CudaUnavailableException("NVRTC could not compile " + module + ".cu: " + e.getMessage(), e);
        }
    }

    /** Headers include headers (attention_online.cuh includes common.cuh): NVRTC needs the closure. */
    private static void collectHeaders(String source, Map<String, String> headers) throws CudaUnavailableException {
        for (String name : PtxSelection.localIncludes(source)) {
            if (headers.containsKey(name)) continue;
            String text = readResource(PtxSelection.headerResource(name));
            if (text == null) throw new CudaUnavailableException("kernel header " + PtxSelection.headerResource(name) + " is missing");
            headers.put(name, text);
            collectHeaders(text, headers);
        }
    }

    private static String readResource(String name) {
        try (InputStream in = KernelModules.class.getResourceAsStream(name)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    private static byte[] nullTerminated(String ptx) {
        byte[] text = ptx.getBytes(StandardCharsets.UTF_8);
        byte[] withNul = new byte[text.length + 1];
        System.arraycopy(text, 0, withNul, 0, text.length);
        return withNul;
    }

    @Override
    public void close() {
        for (CUmodule module : modules) cuModuleUnload(module);
        modules.clear();
    }
}
