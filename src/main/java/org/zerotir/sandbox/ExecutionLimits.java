package org.zerotir.sandbox;

/**
 * What one execution may use.
 *
 * @param wallMillis     wall-clock time, after which the whole process tree is killed
 * @param cpuSeconds     CPU time (RLIMIT_CPU)
 * @param memoryBytes    address space the code may add to the preloaded interpreter (RLIMIT_AS is set to the
 *                       worker's own size plus this, so the limit means the same whatever numpy maps)
 * @param fileSizeBytes  largest file the code may write (RLIMIT_FSIZE)
 * @param processes      processes and threads of the sandbox user (RLIMIT_NPROC; only where the worker can
 *                       switch to a uid of its own, i.e. runs as root)
 * @param outputBytes    stdout and stderr each keep their first and last outputBytes/2 bytes; a program that
 *                       prints more than 4x this (at least 1 MiB more) is stopped with OUTPUT_LIMIT
 */
public record ExecutionLimits(long wallMillis, int cpuSeconds, long memoryBytes, long fileSizeBytes, int processes,
                              int outputBytes) {

    public static final ExecutionLimits DEFAULTS = new ExecutionLimits(10_000, 10, 1L << 30, 16L << 20, 64, 64 << 10);
    /** The largest value a request may ask for, unless the configuration says otherwise. */
    public static final ExecutionLimits MAXIMA = new ExecutionLimits(600_000, 600, 16L << 30, 1L << 30, 1024, 16 << 20);

    /** Checks this request's limits against maxima; the exception names the offending field. */
    public ExecutionLimits checkWithin(ExecutionLimits max, String prefix) {
        check(prefix + "wallMillis", wallMillis, 1, max.wallMillis);
        check(prefix + "cpuSeconds", cpuSeconds, 1, max.cpuSeconds);
        check(prefix + "memoryBytes", memoryBytes, 16L << 20, max.memoryBytes);
        check(prefix + "fileSizeBytes", fileSizeBytes, 0, max.fileSizeBytes);
        check(prefix + "processes", processes, 1, max.processes);
        check(prefix + "outputBytes", outputBytes, 16, max.outputBytes);
        return this;
    }

    private static void check(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new SandboxRequestException(field, field + " must be between " + min + " and " + max + ", got " + value);
        }
    }

    /** These limits with the fields the caller set (non-null) replaced. */
    public ExecutionLimits with(Long wallMillis, Integer cpuSeconds, Long memoryBytes, Long fileSizeBytes,
                                Integer processes, Integer outputBytes) {
        return new ExecutionLimits(
                wallMillis != null ? wallMillis : this.wallMillis,
                cpuSeconds != null ? cpuSeconds : this.cpuSeconds,
                memoryBytes != null ? memoryBytes : this.memoryBytes,
                fileSizeBytes != null ? fileSizeBytes : this.fileSizeBytes,
                processes != null ? processes : this.processes,
                outputBytes != null ? outputBytes : this.outputBytes);
    }
}
