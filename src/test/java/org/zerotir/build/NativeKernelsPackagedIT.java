package org.zerotir.build;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The packaged application carries the kernels: every native-kernels/*.cu and *.cuh of the tree (for NVRTC) and, when
 * nvcc was on the PATH at build time, each kernel's PTX for sm_80 and sm_90; nothing else under native-kernels/.
 */
class NativeKernelsPackagedIT {

    @Test
    void theApplicationJarHoldsEveryKernelAndItsPtx() throws IOException, InterruptedException {
        Path quarkusApp = Path.of(System.getProperty("zerotir.it.jar", "target/quarkus-app/quarkus-run.jar")).getParent();
        Path jar;
        try (Stream<Path> jars = Files.list(quarkusApp.resolve("app"))) {
            List<Path> found = jars.filter(p -> p.getFileName().toString().endsWith(".jar")).toList();
            assertEquals(1, found.size(), "one application jar in " + quarkusApp.resolve("app") + ": " + found);
            jar = found.getFirst();
        }
        Set<String> packaged = new TreeSet<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            file.stream().map(e -> e.getName()).filter(n -> n.startsWith("native-kernels/") && !n.endsWith("/")).forEach(packaged::add);
        }
        Set<String> expected = new TreeSet<>();
        boolean nvcc = new ProcessBuilder("bash", "-c", "command -v nvcc").start().waitFor() == 0;
        Path tree = Path.of("native-kernels");
        if (Files.isDirectory(tree)) {
            try (Stream<Path> sources = Files.list(tree)) {
                for (Path source : sources.toList()) {
                    String name = source.getFileName().toString();
                    if (!name.endsWith(".cu") && !name.endsWith(".cuh")) continue;
                    expected.add("native-kernels/" + name);
                    if (nvcc && name.endsWith(".cu")) {
                        for (String arch : List.of("sm_80", "sm_90")) expected.add("native-kernels/" + arch + "/" + name.replace(".cu", ".ptx"));
                    }
                }
            }
        }
        System.out.printf("NativeKernelsPackagedIT: %s holds %d kernel files (nvcc %s)%n", jar.getFileName(), packaged.size(),
                nvcc ? "on the PATH" : "absent: sources only");
        assertEquals(expected, packaged);
    }
}
