package org.zerotir.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/**
 * Every hostile case again, as in a container that allows no namespaces (Docker without CAP_SYS_ADMIN): the
 * children still get their own uid, but no network namespace (sockets are refused instead) and no private mounts
 * (their files in the shared /tmp are removed by uid).
 */
class WorkerPoolWithoutNamespacesTest extends WorkerPoolHostileTest {

    @Override
    boolean namespaces() {
        return false;
    }

    @Test
    void reportsWhatItCouldNotIsolate() {
        assertEquals("socket-refusal", pool.isolation().path("network").asText());
        assertFalse(pool.isolation().path("mounts").asBoolean());
    }
}
