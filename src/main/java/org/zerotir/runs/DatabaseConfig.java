package org.zerotir.runs;

import java.nio.file.Path;

import io.smallrye.config.ConfigMapping;

/** Where Zerotir keeps its own PostgreSQL when no external database is configured. */
@ConfigMapping(prefix = "zerotir.database")
public interface DatabaseConfig {

    /**
     * Directory of the embedded PostgreSQL server: its data directory, its server log and the lock
     * that keeps two Zerotir processes from sharing it. Kept across restarts so runs survive them.
     */
    Path embeddedDir();
}
