package org.zerotir.runs;

/**
 * Where a run is in its life: QUEUED -> RUNNING -> COMPLETED | FAILED | STOPPED (DESIGN.md §5). The
 * names are stored as they are; the CHECK on {@code runs.status} lists the same five.
 */
public enum RunStatus {
    QUEUED,
    RUNNING,
    COMPLETED,
    FAILED,
    STOPPED
}
