package org.zerotir.cli;

import java.io.IOException;
import java.util.Optional;

import org.jboss.logging.Logger;
import org.zerotir.runs.DatabaseConfig;
import org.zerotir.runs.EmbeddedDatabase;
import org.zerotir.runs.EngineBackends;
import org.zerotir.sandbox.SandboxServerMode;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.quarkus.runtime.logging.LoggingSetupRecorder;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.SmallRyeConfig;

/**
 * Starts the Zerotir server, or runs one command of {@link Commands} when the first argument names one. Without {@code quarkus.datasource.jdbc.url} it first starts an embedded
 * PostgreSQL, so that one command runs Zerotir on a machine with nothing installed.
 */
@QuarkusMain
public final class Main {

    /**
     * Set to the embedded server's JDBC URL once it runs. Dev mode calls {@code main} again on every
     * live reload, in a fresh class loader, so only a system property remembers that the URL it now
     * finds configured is our own server's and not an external one.
     */
    private static final String EMBEDDED_URL_PROPERTY = "org.zerotir.embedded-database.jdbc-url";
    private static final Logger LOG = Logger.getLogger(Main.class);

    public static void main(String... args) {
        if (Commands.isCommand(args)) {
            // a command (pretrain, train, ...) runs without the server, its database or its port
            System.exit(Commands.run(args));
        }
        if (args.length > 0 && args[0].equals(SandboxServerMode.SUBCOMMAND)) {
            // a sandbox replica: the HTTP sandbox alone, with no database to choose
            SandboxServerMode.properties().forEach(System::setProperty);
            SandboxServerMode.missingToken(EmbeddedDatabase.configBeforeStart(LaunchMode.current()))
                    .ifPresent(message -> failBeforeStart(new IllegalStateException(message)));
            Quarkus.run(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        // before the database: a server that cannot compute where it was told to says so at once, in one line
        EngineBackends.refusal(EmbeddedDatabase.configBeforeStart(LaunchMode.current()))
                .ifPresent(message -> failBeforeStart(new IllegalStateException(message)));
        try {
            chooseDatabase();
        } catch (IllegalStateException | ConfigValidationException e) {
            failBeforeStart(e);
        }
        Quarkus.run(args);
    }

    private static void chooseDatabase() {
        SmallRyeConfig config = EmbeddedDatabase.configBeforeStart(LaunchMode.current());
        Optional<String> configuredUrl = EmbeddedDatabase.configuredJdbcUrl(config);
        String embeddedUrl = System.getProperty(EMBEDDED_URL_PROPERTY);
        if (configuredUrl.isPresent() && configuredUrl.get().equals(embeddedUrl)) {
            LOG.infof("Database: embedded PostgreSQL at %s, still running from before this live reload", embeddedUrl);
        } else if (configuredUrl.isPresent()) {
            LOG.infof("Database: external PostgreSQL at %s", configuredUrl.get());
        } else {
            EmbeddedDatabase database = EmbeddedDatabase.start(config.getConfigMapping(DatabaseConfig.class).embeddedDir());
            // The hook also keeps the database reachable: were it collected, its lock file's channel
            // would be closed and another Zerotir process could take the directory from under us.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    database.close();
                } catch (IOException e) {
                    LOG.warn("Could not release the embedded database directory", e);
                }
            }, "embedded-postgres-stop"));
            database.datasourceProperties().forEach(System::setProperty);
            System.setProperty(EMBEDDED_URL_PROPERTY, database.jdbcUrl());
        }
    }

    /**
     * Quarkus has not configured logging yet, so everything logged so far, down to TRACE, is still
     * queued and would be dumped raw on exit; set logging up the way Quarkus does when its own start
     * fails this early, so that the user reads the one line that says what to fix.
     */
    private static void failBeforeStart(RuntimeException e) {
        LoggingSetupRecorder.handleFailedStart();
        LOG.error(e.getMessage());
        System.exit(1);
    }
}
