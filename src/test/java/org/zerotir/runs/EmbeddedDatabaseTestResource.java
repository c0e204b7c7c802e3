package org.zerotir.runs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/**
 * Gives every {@code @QuarkusTest} the database that {@code Main} gives the server: the operator's
 * PostgreSQL when {@code quarkus.datasource.jdbc.url} is set, else an embedded one, here in a
 * temporary directory that is deleted afterwards.
 */
@WithTestResource(value = EmbeddedDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
public class EmbeddedDatabaseTestResource implements QuarkusTestResourceLifecycleManager {

    /** The resource of this test JVM's Quarkus, for tests that take the database away and bring it back. */
    private static volatile EmbeddedDatabaseTestResource current;

    private volatile EmbeddedDatabase database;
    private Path directory;
    private int port;

    @Override
    public Map<String, String> start() {
        if (EmbeddedDatabase.configuredJdbcUrl(EmbeddedDatabase.configBeforeStart(LaunchMode.TEST)).isPresent()) {
            return Map.of();
        }
        try {
            directory = Files.createTempDirectory("zerotir-test-db");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        database = EmbeddedDatabase.start(directory);
        port = database.port();
        current = this;
        return database.datasourceProperties();
    }

    /** True when the tests run on the embedded PostgreSQL (not an operator's), which {@link #stopDatabase} can stop. */
    static boolean databaseIsEmbedded() {
        return current != null && current.database != null;
    }

    /** Stops the PostgreSQL server as a crash or a maintenance would; its data directory stays. */
    static synchronized void stopDatabase() throws IOException {
        current.database.close();
    }

    /** Starts it again on the same data directory and port, so that the server's pool reconnects to it. */
    static synchronized void startDatabase() {
        current.database = EmbeddedDatabase.start(current.directory, current.port);
    }

    @Override
    public void stop() {
        if (database == null) {
            return;
        }
        try {
            database.close();
            deleteRecursively(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
