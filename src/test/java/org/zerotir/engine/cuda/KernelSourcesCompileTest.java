package org.zerotir.engine.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kernel source compiles with nvcc to PTX for sm_80 and sm_90, ptxas assembles that PTX, and the PTX of
 * each module has exactly the entries {@link Kernel} launches. Skipped, with a line saying so, where the machine
 * has no nvcc; the checks that need only the sources run everywhere.
 */
class KernelSourcesCompileTest {

    private static Path nvcc;
    private static Path ptxas;

    @BeforeAll
    static void findToolkit() {
        nvcc = KernelSources.nvcc();
        ptxas = nvcc == null ? null : KernelSources.ptxas(nvcc);
    }

    private static void requireToolkit() {
        if (nvcc == null || ptxas == null) System.out.println("no nvcc/ptxas on this machine: kernel compilation not checked");
        Assumptions.assumeTrue(nvcc != null && ptxas != null, "no nvcc/ptxas on this machine");
    }

    @Test
    void everyKernelCompilesForSm80AndSm90AndItsPtxAssembles(@TempDir Path out) throws IOException {
        requireToolkit();
        List<String> failures = new ArrayList<>();
        Map<String, Set<String>> expected = Arrays.stream(Kernel.values())
                .collect(Collectors.groupingBy(k -> k.module, Collectors.mapping(k -> k.entry, Collectors.toCollection(TreeSet::new))));
        for (int architecture : PtxSelection.BUILT_ARCHITECTURES) {
            for (String module : KernelSources.modules()) {
                Path ptx = out.resolve("sm_" + architecture).resolve(module + ".ptx");
                Files.createDirectories(ptx.getParent());
                KernelSources.Run compiled = KernelSources.run(List.of(nvcc.toString(), "-ptx", "-arch=sm_" + architecture,
                        "-I", KernelSources.DIRECTORY.toString(), "-o", ptx.toString(), KernelSources.DIRECTORY.resolve(module + ".cu").toString()));
                if (compiled.exitCode() != 0) {
                    failures.add("nvcc sm_" + architecture + " " + module + ".cu:\n" + compiled.output());
                    continue;
                }
                KernelSources.Run assembled = KernelSources.run(List.of(ptxas.toString(), "-arch=sm_" + architecture, "-v",
                        "-o", out.resolve(module + ".cubin").toString(), ptx.toString()));
                if (assembled.exitCode() != 0) failures.add("ptxas sm_" + architecture + " " + module + ".ptx:\n" + assembled.output());
                if (assembled.output().matches("(?s).*[1-9]\\d* bytes spill stores.*")) {
                    System.out.println("register spills in " + module + " (sm_" + architecture + "):\n" + assembled.output());
                }
                Set<String> entries = new TreeSet<>(KernelSources.ptxEntries(Files.readString(ptx)));
                Set<String> wanted = expected.getOrDefault(module, Set.of());
                if (!entries.equals(wanted)) {
                    failures.add("sm_" + architecture + " " + module + ".ptx has entries " + entries + ", the Java side launches " + wanted);
                }
                System.out.printf("sm_%d %-20s %7d bytes of PTX, %d entries%n", architecture, module, Files.size(ptx), entries.size());
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void everyModuleTheJavaSideLoadsHasASourceAndEverySourceIsLoaded() {
        assertEquals(new TreeSet<>(KernelSources.modules()), new TreeSet<>(Kernel.modules()));
    }

    @Test
    void everyKernelTheJavaSideLaunchesIsDefinedInItsSource() {
        for (Kernel kernel : Kernel.values()) {
            assertTrue(KernelSources.signatures(kernel.module).containsKey(kernel.entry),
                    kernel + ": no extern \"C\" __global__ " + kernel.entry + " in native-kernels/" + kernel.module + ".cu");
        }
    }

    /** The issue asks for the simple version beside each fast one; these fast kernels share one reference. */
    private static final Map<String, String> SHARED_REFERENCES = Map.of(
            "attention_forward_flash", "attention_forward_ref",
            "attention_backward_dq", "attention_backward_ref",
            "attention_backward_dkdv", "attention_backward_ref");

    @Test
    void everyFastKernelHasItsReferenceTwin() {
        Set<String> entries = Arrays.stream(Kernel.values()).map(k -> k.entry).collect(Collectors.toSet());
        for (String entry : entries) {
            if (entry.endsWith("_ref")) continue;
            String twin = SHARED_REFERENCES.getOrDefault(entry, entry + "_ref");
            assertTrue(entries.contains(twin), entry + " has no reference twin " + twin);
        }
    }

    @Test
    void everyQuotedIncludeIsAHeaderInNativeKernels() {
        for (String module : KernelSources.modules()) {
            List<String> pending = new ArrayList<>(PtxSelection.localIncludes(KernelSources.read(module + ".cu")));
            Set<String> seen = new TreeSet<>();
            while (!pending.isEmpty()) {
                String header = pending.removeLast();
                if (!seen.add(header)) continue;
                assertTrue(Files.isRegularFile(KernelSources.DIRECTORY.resolve(header)), module + ".cu includes missing " + header);
                pending.addAll(PtxSelection.localIncludes(KernelSources.read(header)));
            }
        }
    }
}
