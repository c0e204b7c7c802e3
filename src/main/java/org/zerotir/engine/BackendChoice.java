package org.zerotir.engine;

import org.zerotir.engine.cpu.CpuBackend;
import org.zerotir.engine.cuda.Cuda;
import org.zerotir.engine.cuda.CudaUnavailableException;

import java.util.Locale;

/**
 * Which backend to compute on, as a user asked for it: {@code cpu}, {@code cuda} (device {@code device}) or
 * {@code auto} (CUDA when it opens here, else the CPU, with the reason kept for the log and the health check).
 * {@code setting} names where the choice came from ({@code zerotir.engine.backend}, {@code --backend}), so that every
 * message points at what to change.
 */
public record BackendChoice(Kind kind, int device, String setting) {

    public enum Kind {
        CPU, CUDA, AUTO;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The default of every face: a GPU when there is one, and a machine without one still works. */
    public static final String DEFAULT = "auto";

    public BackendChoice {
        if (device < 0) throw new IllegalArgumentException("the CUDA device must be an ordinal 0, 1, ..., got " + device);
    }

    /** {@code value} as given for {@code setting}; a wrong one is refused naming the setting and the accepted values. */
    public static BackendChoice parse(String value, int device, String setting) {
        String given = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        for (Kind kind : Kind.values()) {
            if (kind.label().equals(given)) return new BackendChoice(kind, device, setting);
        }
        throw new IllegalArgumentException(setting + " must be cpu, cuda or auto, got \"" + value + "\"");
    }

    /**
     * Opens the backend: CPU with {@code cpuThreads} threads, or CUDA on {@link #device}. {@code auto} falls back to
     * the CPU when CUDA cannot run here; {@code cuda} does not, as a run the user sent to a GPU must not crawl on the
     * CPU unnoticed.
     *
     * @throws BackendUnavailableException for {@code cuda} where CUDA cannot run, with the reason
     */
    public Opened open(int cpuThreads) {
        if (kind == Kind.CPU) return new Opened(new CpuBackend(cpuThreads), new Resolved(this, Kind.CPU, null));
        try {
            return new Opened(Cuda.openBackend(device), new Resolved(this, Kind.CUDA, null));
        } catch (CudaUnavailableException | RuntimeException | LinkageError e) {
            String reason = reason(e);
            if (kind == Kind.CUDA) throw unavailable(reason, e);
            return new Opened(new CpuBackend(cpuThreads), new Resolved(this, Kind.CPU, reason));
        }
    }

    /**
     * What this choice comes to on this machine, found once by opening CUDA and closing it again (a server resolves at
     * start and then opens one backend per model or run). The CPU backend is never opened here: its thread count is
     * process-wide for OpenBLAS, so a probe would change it under a running model.
     *
     * @throws BackendUnavailableException for {@code cuda} where CUDA cannot run
     */
    public Resolved resolve() {
        if (kind == Kind.CPU) return new Resolved(this, Kind.CPU, null);
        try (Backend probe = Cuda.openBackend(device)) {
            return new Resolved(this, Kind.CUDA, null);
        } catch (CudaUnavailableException | RuntimeException | LinkageError e) {
            String reason = reason(e);
            if (kind == Kind.CUDA) throw unavailable(reason, e);
            return new Resolved(this, Kind.CPU, reason);
        }
    }

    /** "cpu", "cuda" or "auto", with the device when CUDA may be used. */
    @Override
    public String toString() {
        return kind == Kind.CPU ? kind.label() : kind.label() + " (device " + device + ")";
    }

    private BackendUnavailableException unavailable(String reason, Throwable cause) {
        return new BackendUnavailableException(setting + "=cuda but CUDA cannot run here: " + reason
                + " (" + setting + "=auto runs on the CPU instead)", cause);
    }

    /** The one-line reason: CudaUnavailableException carries it; anything else is a CUDA setup the backend did not expect. */
    private static String reason(Throwable e) {
        String message = e.getMessage() == null || e.getMessage().isBlank() ? "" : e.getMessage().lines().findFirst().orElse("");
        if (e instanceof CudaUnavailableException) return message;
        return e.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    }

    /** What a choice came to: the backend used ({@code CPU} or {@code CUDA}) and, when {@code auto} fell back, why. */
    public record Resolved(BackendChoice requested, Kind used, String fallback) {

        /**
         * A backend of the resolved kind, without falling back again: CUDA that worked at start and fails now is an
         * error of this model or run, not a reason to move it silently.
         */
        public Backend open(int cpuThreads) {
            if (used == Kind.CPU) return new CpuBackend(cpuThreads);
            try {
                return Cuda.openBackend(requested.device());
            } catch (CudaUnavailableException | RuntimeException | LinkageError e) {
                throw new BackendUnavailableException("CUDA device " + requested.device() + ", chosen at start (" + requested.setting()
                        + "=" + requested.kind().label() + "), cannot open now: " + reason(e), e);
            }
        }

        /** For a log line: "cpu", "cuda device 0", "cpu (auto: CUDA unavailable: ...)". */
        public String describe() {
            String backend = used == Kind.CUDA ? "cuda device " + requested.device() : used.label();
            if (fallback != null) return backend + " (" + requested.setting() + "=auto; CUDA unavailable: " + fallback + ")";
            return backend + " (" + requested.setting() + "=" + requested.kind().label() + ")";
        }
    }

    /** An open backend and how it was chosen. */
    public record Opened(Backend backend, Resolved resolved) {}
}
