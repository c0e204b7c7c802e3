package org.zerotir.build;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * src/build/build-ptx, which Maven runs in process-resources: kernel sources are always packaged, PTX for sm_80 and
 * sm_90 is compiled where nvcc is, a kernel that does not compile fails, and an unchanged kernel is not compiled again.
 * The kernels here are throwaway ones in a temporary directory.
 */
class BuildPtxTest {
    private static final Path SCRIPT = Path.of("src/build/build-ptx");

    private static final String HEADER = "__device__ inline float plus_one(float v) { return v + 1.0f; }\n";
    private static final String KERNEL = """
            #include "plus_one.cuh"
            extern "C" __global__ void add_one(float* x, int n) {
                int i = blockIdx.x * blockDim.x + threadIdx.x;
                if (i < n) x[i] = plus_one(x[i]);
            }
            """;

    private record Result(int code, String output) {}

    private static Result buildPtx(Path sources, Path out, String nvcc) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString(), sources.toString(), out.toString()).redirectErrorStream(true);
        if (nvcc != null) builder.environment().put("NVCC", nvcc);
        builder.environment().put("BUILD_PTX_STAMP", out.resolveSibling(out.getFileName() + ".stamp").toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }

    private static boolean nvccHere() {
        try {
            Process p = new ProcessBuilder("nvcc", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static Path kernels(Path tmp) throws IOException {
        Path sources = Files.createDirectories(tmp.resolve("native-kernels"));
        Files.writeString(sources.resolve("plus_one.cuh"), HEADER);
        Files.writeString(sources.resolve("add_one.cu"), KERNEL);
        return sources;
    }

    private static List<String> tree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void withoutNvccTheSourcesArePackagedAndTheBuildGoesOn(@TempDir Path tmp) throws Exception {
        Path sources = kernels(tmp), out = tmp.resolve("classes/native-kernels");
        Result result = buildPtx(sources, out, "nvcc-that-is-not-installed");
        assertEquals(0, result.code(), result.output());
        assertTrue(result.output().contains("nvcc not found"), result.output());
        assertEquals(List.of("add_one.cu", "plus_one.cuh"), tree(out));
        assertEquals(KERNEL, Files.readString(out.resolve("add_one.cu")));
        // a kernel removed from the tree is not packaged any more
        Files.delete(sources.resolve("add_one.cu"));
        assertEquals(0, buildPtx(sources, out, "nvcc-that-is-not-installed").code());
        assertEquals(List.of("plus_one.cuh"), tree(out));
        // no native-kernels directory at all (a checkout without kernels): nothing to do, no failure
        Result none = buildPtx(tmp.resolve("absent"), tmp.resolve("out2"), null);
        assertEquals(0, none.code(), none.output());
    }

    @Test
    void nvccCompilesEachKernelForBothArchitecturesOnlyWhenItChanged(@TempDir Path tmp) throws Exception {
        assumeTrue(nvccHere(), "nvcc is not on the PATH: PTX compilation is not checked on this machine");
        Path sources = kernels(tmp), out = tmp.resolve("classes/native-kernels");
        Result first = buildPtx(sources, out, null);
        assertEquals(0, first.code(), first.output());
        assertEquals(List.of("add_one.cu", "plus_one.cuh", "sm_80/add_one.ptx", "sm_90/add_one.ptx"), tree(out));
        for (String arch : List.of("sm_80", "sm_90")) {
            String ptx = Files.readString(out.resolve(arch + "/add_one.ptx"));
            assertTrue(ptx.contains(".target " + arch), arch + ": " + ptx.lines().limit(15).toList());
            assertTrue(ptx.contains(".entry add_one("), "extern \"C\" keeps the name the backend looks up");
        }
        assertTrue(first.output().contains("2 PTX compiled, 0 up to date"), first.output());

        Result again = buildPtx(sources, out, null);
        assertTrue(again.output().contains("0 PTX compiled, 2 up to date"), again.output());

        // a header newer than the PTX recompiles (headers are not tracked kernel by kernel)
        Files.setLastModifiedTime(sources.resolve("plus_one.cuh"), FileTime.from(Instant.now().plusSeconds(5)));
        Result header = buildPtx(sources, out, null);
        assertTrue(header.output().contains("2 PTX compiled"), header.output());

        // a kernel changed where nvcc is gone: its PTX no longer matches and goes (NVRTC compiles the source)
        Files.setLastModifiedTime(sources.resolve("add_one.cu"), FileTime.from(Instant.now().plusSeconds(10)));
        assertEquals(0, buildPtx(sources, out, "nvcc-that-is-not-installed").code());
        assertEquals(List.of("add_one.cu", "plus_one.cuh"), tree(out));
        // and a kernel removed takes its PTX with it
        assertEquals(0, buildPtx(sources, out, null).code());
        assertEquals(List.of("add_one.cu", "plus_one.cuh", "sm_80/add_one.ptx", "sm_90/add_one.ptx"), tree(out));
        Files.delete(sources.resolve("add_one.cu"));
        Result removed = buildPtx(sources, out, null);
        assertEquals(0, removed.code(), removed.output());
        assertEquals(List.of("plus_one.cuh"), tree(out));
    }

    @Test
    void aKernelThatDoesNotCompileFailsTheBuildAndLeavesNoPtx(@TempDir Path tmp) throws Exception {
        assumeTrue(nvccHere(), "nvcc is not on the PATH: a broken kernel cannot be noticed at build time here");
        Path sources = kernels(tmp), out = tmp.resolve("classes/native-kernels");
        Files.writeString(sources.resolve("broken.cu"), "extern \"C\" __global__ void broken(float* x) { x[0] = not_declared; }\n");
        Result result = buildPtx(sources, out, null);
        assertNotEquals(0, result.code(), result.output());
        assertTrue(result.output().contains("not_declared"), "nvcc's own error is shown: " + result.output());
        assertTrue(result.output().contains("nvcc failed on: broken.cu (sm_80) broken.cu (sm_90)"), result.output());
        List<String> left = new ArrayList<>(tree(out));
        assertFalse(left.stream().anyMatch(f -> f.contains("broken.ptx")), left.toString());
        assertTrue(left.contains("sm_80/add_one.ptx"), "the kernels that compile still do: " + left);
    }

    /** Maven ran the step before the tests: every kernel of the tree sits in target/classes (and its PTX, where nvcc is). */
    @Test
    void theBuildPutTheTreesKernelsBesideTheClasses() throws Exception {
        Path packaged = Path.of("target/classes/native-kernels");
        assertTrue(Files.isDirectory(packaged), "process-resources runs src/build/build-ptx into " + packaged);
        Path tree = Path.of("native-kernels");
        if (!Files.isDirectory(tree)) return;
        boolean nvcc = nvccHere();
        try (Stream<Path> kernels = Files.list(tree)) {
            for (Path kernel : kernels.filter(p -> p.toString().endsWith(".cu") || p.toString().endsWith(".cuh")).toList()) {
                String name = kernel.getFileName().toString();
                assertTrue(Files.isRegularFile(packaged.resolve(name)), name + " is packaged for NVRTC");
                if (nvcc && name.endsWith(".cu")) {
                    for (String arch : List.of("sm_80", "sm_90")) {
                        Path ptx = packaged.resolve(arch).resolve(name.replace(".cu", ".ptx"));
                        assertTrue(Files.isRegularFile(ptx), ptx + " (nvcc is here)");
                    }
                }
            }
        }
    }
}
