package org.zerotir.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDatabaseTest {

    @Test
    void dataSurvivesARestart(@TempDir Path directory) throws Exception {
        try (EmbeddedDatabase database = EmbeddedDatabase.start(directory);
                Connection connection = connect(database);
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE survivors (name text)");
            statement.execute("INSERT INTO survivors VALUES ('run-1')");
        }
        try (EmbeddedDatabase database = EmbeddedDatabase.start(directory);
                Connection connection = connect(database);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT name FROM survivors")) {
            assertTrue(rows.next(), "the row written before the restart is still there");
            assertEquals("run-1", rows.getString(1));
            assertTrue(database.jdbcUrl().endsWith("/" + EmbeddedDatabase.DATABASE_NAME), database.jdbcUrl());
        }
        assertTrue(Files.size(directory.resolve("postgres.log")) > 0, "the server writes its log beside its data");
    }

    @Test
    void aSecondServerOnTheSameDirectoryIsRefusedWithAClearMessage(@TempDir Path directory) throws Exception {
        try (EmbeddedDatabase database = EmbeddedDatabase.start(directory)) {
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> EmbeddedDatabase.start(directory));
            assertTrue(refused.getMessage().contains("in use by another Zerotir server"), refused.getMessage());
            assertTrue(refused.getMessage().contains("zerotir.database.embedded-dir"), refused.getMessage());
            try (Connection connection = connect(database)) {
                assertTrue(connection.isValid(5), "the first server keeps running");
            }
        }
    }

    @Test
    void aDirectoryThatCannotBeCreatedIsNamedInTheError(@TempDir Path directory) throws Exception {
        Path file = Files.writeString(directory.resolve("not-a-directory"), "x");
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> EmbeddedDatabase.start(file.resolve("postgres")));
        assertTrue(refused.getMessage().startsWith("zerotir.database.embedded-dir=" + file.resolve("postgres")),
                refused.getMessage());
    }

    private static Connection connect(EmbeddedDatabase database) throws SQLException {
        return DriverManager.getConnection(database.jdbcUrl(), database.username(), "");
    }
}
