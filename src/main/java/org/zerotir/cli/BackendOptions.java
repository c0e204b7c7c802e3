package org.zerotir.cli;

import org.zerotir.engine.Backend;
import org.zerotir.engine.BackendChoice;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/**
 * {@code --backend} and {@code --device} of the commands that compute, mixed into each. Their defaults come from the
 * environment variables the server reads ({@code ZEROTIR_ENGINE_BACKEND}, {@code ZEROTIR_ENGINE_DEVICE}), so that a
 * machine set up for one is set up for both.
 */
final class BackendOptions {

    @Option(names = "--backend", defaultValue = "${env:ZEROTIR_ENGINE_BACKEND:-" + BackendChoice.DEFAULT + "}",
            description = "cpu, cuda or auto: CUDA when it opens here, else the CPU, saying why (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--device", defaultValue = "${env:ZEROTIR_ENGINE_DEVICE:-0}",
            description = "CUDA device ordinal for --backend cuda or auto (default: ${DEFAULT-VALUE})")
    int device;

    /** The flags, checked: a wrong one is named before any work. */
    BackendChoice choice() {
        if (device < 0) throw new IllegalArgumentException("--device must be a CUDA device ordinal 0, 1, ..., got " + device);
        return BackendChoice.parse(backend, device, "--backend");
    }

    /**
     * The backend for {@code command}, {@code cpuThreads} threads on the CPU; one line on {@code err} says which and,
     * when auto fell back to the CPU, why.
     *
     * @throws org.zerotir.engine.BackendUnavailableException for --backend cuda where CUDA cannot run
     */
    Backend open(String command, int cpuThreads, PrintWriter err) {
        BackendChoice.Opened opened = choice().open(cpuThreads);
        err.printf("%s: backend %s%n", command, opened.resolved().describe());
        err.flush();
        return opened.backend();
    }
}
