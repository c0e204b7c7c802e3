package org.zerotir.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.zerotir.runs.RunsTestSupport.assertGapFreeAndUnique;
import static org.zerotir.runs.RunsTestSupport.awaitStatus;
import static org.zerotir.runs.RunsTestSupport.count;
import static org.zerotir.runs.RunsTestSupport.create;

import java.time.Duration;
import java.util.UUID;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/**
 * The database really goes away while a run trains: the embedded PostgreSQL server is stopped, then started
 * again on the same data directory and port. The run keeps its steps in memory up to the bound, waits there,
 * and once the server is back writes them all; every step's metrics are stored exactly once.
 */
@QuarkusTest
class DatabaseRestartTest {

    @Inject
    DataSource dataSource;

    @Inject
    RunService service;

    @AfterEach
    void cleanUp() {
        TinyRunEnvironment.pauseAtStep = 0;
    }

    @Test
    void aRunSurvivesThePostgresServerStoppingAndStartingAgain() throws Exception {
        assumeTrue(EmbeddedDatabaseTestResource.databaseIsEmbedded(), "only the tests' own PostgreSQL can be stopped");
        TinyRunEnvironment.pauseAtStep = 3;
        UUID id = create(TinyRunEnvironment.config("postgres-restart", 12, 100));
        RunsTestSupport.awaitPaused(id);
        assertEquals(2, count(dataSource, "SELECT count(*) FROM metrics WHERE run_id = ? AND name = 'accuracy'", id));

        EmbeddedDatabaseTestResource.stopDatabase();
        try {
            TinyRunEnvironment.pauseAtStep = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            // the bound is 3 steps (%test.zerotir.runs.metrics-buffer-steps): the 4th waiting step pauses the run
            while (service.bufferedSteps(id) < 4 && System.nanoTime() < deadline) Thread.sleep(50);
            assertEquals(4, service.bufferedSteps(id), "steps 3..6 wait in memory while PostgreSQL is down");
            Thread.sleep(1500);
            assertEquals(4, service.bufferedSteps(id), "the run waits at the bound: nothing trained past it, nothing dropped");
            assertTrue(service.isExecuting(id), "the run is paused, not failed");
        } finally {
            EmbeddedDatabaseTestResource.startDatabase();
        }

        JsonPath done = awaitStatus(id, "COMPLETED");
        assertEquals(12, done.getInt("currentStep"));
        assertGapFreeAndUnique(dataSource, id, 12);
        assertEquals(0, service.bufferedSteps(id));
        // the rollouts of the buffered steps were kept too (3 per step)
        assertEquals(3L * 12, count(dataSource, "SELECT count(*) FROM rollouts WHERE run_id = ?", id));
        assertEquals(1, count(dataSource, "SELECT count(*) FROM checkpoints WHERE run_id = ? AND step = 12", id));
    }
}
