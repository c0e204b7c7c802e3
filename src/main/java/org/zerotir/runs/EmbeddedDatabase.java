package org.zerotir.runs;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jboss.logging.Logger;

import com.sun.security.auth.module.UnixSystem;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.smallrye.config.SmallRyeConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;

/**
 * A PostgreSQL server that this process owns, so that Zerotir runs with nothing installed.
 *
 * <p>The directory holds {@code data/} (the cluster, kept across restarts), {@code postgres.log} (the
 * server's own log) and {@code zerotir.lock}, held for as long as the server is ours.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    public static final String DATABASE_NAME = "zerotir";

    private static final String JDBC_URL_KEY = "quarkus.datasource.jdbc.url";
    private static final String USERNAME_KEY = "quarkus.datasource.username";
    // initdb -A trust: any local connection is accepted, so there is no password to hand over.
    private static final String SUPERUSER = "postgres";
    // Generous because crash recovery of a large cluster on a busy two-core machine is slow.
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
    private static final Duration ORPHAN_STOP_WAIT = Duration.ofSeconds(30);
    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);
    private static final Set<Path> DIRECTORIES_IN_USE = ConcurrentHashMap.newKeySet();

    private final Path directory;
    private final FileChannel lockChannel;
    private final EmbeddedPostgres postgres;
    private final String jdbcUrl;

    private EmbeddedDatabase(Path directory, FileChannel lockChannel, EmbeddedPostgres postgres) {
        this.directory = directory;
        this.lockChannel = lockChannel;
        this.postgres = postgres;
        this.jdbcUrl = "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + DATABASE_NAME;
    }

    /**
     * The JDBC URL of the operator's own PostgreSQL, read the way Quarkus will read it (system
     * properties, {@code QUARKUS_DATASOURCE_JDBC_URL}, {@code application.properties}, the profile of
     * {@code launchMode}). Empty means Zerotir has to bring its own database.
     */
    public static Optional<String> configuredJdbcUrl(SmallRyeConfig config) {
        return config.getOptionalValue(JDBC_URL_KEY, String.class).filter(url -> !url.isBlank());
    }

    /** Quarkus' configuration as it will be for {@code launchMode}, readable before Quarkus starts. */
    public static SmallRyeConfig configBeforeStart(LaunchMode launchMode) {
        return ConfigUtils.configBuilder(launchMode).withMapping(DatabaseConfig.class).build();
    }

    /**
     * Starts (and on first use creates) the server in {@code directory}.
     *
     * @throws IllegalStateException with a message that names the directory and what to do about it
     */
    public static EmbeddedDatabase start(Path directory) {
        return start(directory, 0);
    }

    /**
     * The same on a given port (0: any free one). A server restarted on its directory and its port is, to the
     * connection pools of running servers, the same database come back (the outage tests rely on it).
     */
    public static EmbeddedDatabase start(Path directory, int port) {
        Path root = directory.toAbsolutePath().normalize();
        checkPostgresCanRun();
        Path dataDir = root.resolve("data");
        Path serverLog = root.resolve("postgres.log");
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new IllegalStateException("zerotir.database.embedded-dir=" + root
                    + " cannot be created (" + e + "); point it at a writable directory", e);
        }
        // A second channel on the lock file would release the first one's lock when it closes (see
        // FileLock), so a directory this JVM already uses is refused before the file is opened.
        if (!DIRECTORIES_IN_USE.add(root)) {
            throw inUse(root);
        }
        FileChannel lockChannel;
        try {
            lockChannel = lockDirectory(root);
        } catch (RuntimeException e) {
            DIRECTORIES_IN_USE.remove(root);
            throw e;
        }
        EmbeddedPostgres postgres = null;
        try {
            stopOrphanedServer(dataDir);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
            if (port > 0) builder.setPort(port);
            postgres = builder
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setLocaleConfig("locale", "C")
                    .setServerConfig("listen_addresses", "localhost")
                    // Zonky turns this off for speed; runs and metrics must survive a crash once committed.
                    .setServerConfig("synchronous_commit", "on")
                    .setOutputRedirector(Redirect.appendTo(serverLog.toFile()))
                    .setErrorRedirector(Redirect.appendTo(serverLog.toFile()))
                    .setPGStartupWait(STARTUP_WAIT)
                    .start();
            String version = createDatabaseIfMissing(postgres);
            EmbeddedDatabase database = new EmbeddedDatabase(root, lockChannel, postgres);
            LOG.infof("Database: embedded PostgreSQL %s at %s, data in %s (set QUARKUS_DATASOURCE_JDBC_URL to use"
                    + " an external PostgreSQL instead)", version, database.jdbcUrl, dataDir);
            return database;
        } catch (IOException | SQLException | RuntimeException e) {
            closeQuietly(postgres);
            closeQuietly(lockChannel);
            DIRECTORIES_IN_USE.remove(root);
            throw new IllegalStateException("The embedded PostgreSQL in " + dataDir + " did not start: " + e.getMessage()
                    + " (server log: " + serverLog + ")", e);
        }
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public int port() {
        return postgres.getPort();
    }

    public String username() {
        return SUPERUSER;
    }

    /** The datasource settings Quarkus needs to connect to this server. */
    public Map<String, String> datasourceProperties() {
        return Map.of(JDBC_URL_KEY, jdbcUrl, USERNAME_KEY, SUPERUSER);
    }

    /** Stops the server and releases the directory; the data stays for the next start. */
    @Override
    public void close() throws IOException {
        try {
            postgres.close();
        } finally {
            lockChannel.close();
            DIRECTORIES_IN_USE.remove(directory);
        }
    }

    /**
     * PostgreSQL refuses to run as root. Zonky copes by starting initdb and pg_ctl under
     * {@code unshare -U}: in a fresh user namespace root is unmapped and so appears as {@code nobody},
     * while files it creates still belong to the real user. That needs user namespaces, which some
     * container runtimes forbid; say so instead of failing later with initdb's own message.
     */
    private static void checkPostgresCanRun() {
        if (new UnixSystem().getUid() == 0 && !LinuxUtils.isUnshareAvailable()) {
            throw new IllegalStateException("PostgreSQL cannot run as root, and this machine does not allow"
                    + " 'unshare -U' (user namespaces), which the embedded PostgreSQL uses to run as root."
                    + " Run Zerotir as a non-root user, or set QUARKUS_DATASOURCE_JDBC_URL,"
                    + " QUARKUS_DATASOURCE_USERNAME and QUARKUS_DATASOURCE_PASSWORD to use an external PostgreSQL.");
        }
    }

    private static FileChannel lockDirectory(Path root) {
        Path lockFile = root.resolve("zerotir.lock");
        FileChannel channel;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IllegalStateException("zerotir.database.embedded-dir=" + root + " is not writable (" + e
                    + "); point it at a writable directory", e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException e) {
            closeQuietly(channel);
            throw new IllegalStateException("Cannot lock " + lockFile + ": " + e.getMessage(), e);
        }
        if (lock == null) {
            closeQuietly(channel);
            throw inUse(root);
        }
        return channel;
    }

    private static IllegalStateException inUse(Path root) {
        return new IllegalStateException("The embedded database in " + root + " is in use by another Zerotir"
                + " server. Stop that server, or give this one its own directory with"
                + " zerotir.database.embedded-dir (ZEROTIR_DATABASE_EMBEDDED_DIR).");
    }

    /**
     * pg_ctl detaches the server from the JVM, so a Zerotir process that was killed (not stopped)
     * leaves its server running, and that server would refuse the next start. We hold the directory's
     * lock, so no living Zerotir process owns it: stop it the way pg_ctl would.
     */
    private static void stopOrphanedServer(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty() || !lines.getFirst().strip().matches("\\d+")) {
            return;
        }
        long pid = Long.parseLong(lines.getFirst().strip());
        Optional<ProcessHandle> server = ProcessHandle.of(pid)
                .filter(process -> process.info().command().map(command -> command.endsWith("/postgres")).orElse(false));
        if (server.isEmpty()) {
            return;
        }
        LOG.warnf("Stopping PostgreSQL (pid %d) left running in %s by a Zerotir process that did not shut down",
                pid, dataDir);
        // SIGTERM is PostgreSQL's smart shutdown; the killed process' sessions are already gone.
        server.get().destroy();
        try {
            server.get().onExit().get(ORPHAN_STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IOException("PostgreSQL (pid " + pid + ") left running in " + dataDir
                    + " did not stop within " + ORPHAN_STOP_WAIT.toSeconds() + " s; stop it by hand", e);
        } catch (ExecutionException e) {
            throw new IOException("Waiting for PostgreSQL (pid " + pid + ") to stop failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while waiting for PostgreSQL (pid " + pid + ") to stop", e);
        }
    }

    /** Returns the server version. */
    private static String createDatabaseIfMissing(EmbeddedPostgres postgres) throws SQLException {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            boolean exists;
            try (ResultSet rows = statement.executeQuery(
                    "SELECT 1 FROM pg_database WHERE datname = '" + DATABASE_NAME + "'")) {
                exists = rows.next();
            }
            if (!exists) {
                statement.execute("CREATE DATABASE " + DATABASE_NAME);
            }
            try (ResultSet rows = statement.executeQuery("SHOW server_version")) {
                rows.next();
                return rows.getString(1);
            }
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.debug("Ignored while cleaning up a failed start", e);
        }
    }
}
