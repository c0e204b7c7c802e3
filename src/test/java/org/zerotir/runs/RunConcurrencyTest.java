package org.zerotir.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.zerotir.runs.RunsTestSupport.awaitStatus;
import static org.zerotir.runs.RunsTestSupport.create;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;

/**
 * zerotir.runs.concurrency=2: two runs train side by side and a third waits for one of them. (With the default
 * of one, the second run stays QUEUED while the first trains: RunLifecycleTest#runsWaitInTheQueueOneAtATime.)
 */
@QuarkusTest
@TestProfile(RunConcurrencyTest.TwoAtOnce.class)
class RunConcurrencyTest {

    public static final class TwoAtOnce implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("zerotir.runs.concurrency", "2");
        }
    }

    @Inject
    RunService service;

    @AfterEach
    void release() {
        TinyRunEnvironment.pauseAtStep = 0;
    }

    @Test
    void twoRunsTrainAtOnceAndTheThirdWaits() throws Exception {
        assertEquals(2, service.concurrency());
        // every run holds at its first step until released, so that all three are in flight together
        TinyRunEnvironment.pauseAtStep = 1;
        UUID first = create(TinyRunEnvironment.config("first", 3, 3));
        UUID second = create(TinyRunEnvironment.config("second", 3, 3));
        UUID third = create(TinyRunEnvironment.config("third", 3, 3));
        awaitStatus(first, "RUNNING");
        awaitStatus(second, "RUNNING");
        Thread.sleep(500);
        assertEquals("QUEUED", RunsTestSupport.run(third).getString("status"), "the third waits for a free place");
        assertEquals(2, service.activeRuns());
        assertEquals(1, service.queuedRuns());
        TinyRunEnvironment.pauseAtStep = 0;
        awaitStatus(first, "COMPLETED");
        awaitStatus(second, "COMPLETED");
        awaitStatus(third, "COMPLETED");
    }
}
