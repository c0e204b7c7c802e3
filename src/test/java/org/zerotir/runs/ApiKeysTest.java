package org.zerotir.runs;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.zerotir.runs.RunsTestSupport.count;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;

/** With no key configured and none stored, the first start generates one and stores only its hash. */
@QuarkusTest
class ApiKeysTest {

    @Inject
    ApiKeys keys;

    @Inject
    DataSource dataSource;

    @Test
    void aKeyIsGeneratedOnceStoredHashedAndAccepted() throws Exception {
        try {
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("DELETE FROM api_keys");
            }
            Optional<String> generated = keys.load(Optional.empty());
            assertTrue(generated.isPresent(), "no key configured or stored: one is generated");
            String key = generated.get();
            assertTrue(key.startsWith("zt_") && key.length() > 40, key);
            assertEquals(1, count(dataSource, "SELECT count(*) FROM api_keys WHERE key_sha256 = ?", ApiKeys.sha256(key)));
            assertEquals(0, count(dataSource, "SELECT count(*) FROM api_keys WHERE key_sha256 = ? OR name = ?", key, key),
                    "the key itself is nowhere in the table");
            assertFalse(keys.accepts(RunsTestSupport.KEY), "only the generated key is accepted now");
            given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body("{}").when().post("/api/runs")
                    .then().statusCode(400);
            given().header("Authorization", "Bearer " + RunsTestSupport.KEY).contentType(ContentType.JSON).body("{}").when().post("/api/runs")
                    .then().statusCode(401);

            assertTrue(keys.load(Optional.empty()).isEmpty(), "the stored key counts: nothing is generated at the next start");
            assertTrue(keys.accepts(key));
            assertEquals(1, count(dataSource, "SELECT count(*) FROM api_keys"));
        } finally {
            keys.load(Optional.of(List.of(RunsTestSupport.KEY)));
        }
    }
}
