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

    private EmbeddedDatabase database;
    private Path directory;

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
        return database.datasourceProperties();
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
