package org.zerotir.runs;

import java.nio.file.Path;
import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the run service schedules and records runs. */
@ConfigMapping(prefix = "zerotir.runs")
public interface RunsConfig {

    /** How many runs train at once on this server; the others wait in the queue, oldest first. */
    @WithDefault("1")
    int concurrency();

    /** Where each run keeps its checkpoints and log: {@code <directory>/<run id>/}. */
    Path directory();

    /**
     * Steps whose metrics may wait in memory while the database cannot be written. Past this the run
     * pauses (the training thread waits) until the database is back: a run never drops metrics.
     */
    @WithDefault("100")
    int metricsBufferSteps();

    /** How long to wait between attempts to write to a database that failed. */
    @WithDefault("1s")
    Duration databaseRetry();
}
