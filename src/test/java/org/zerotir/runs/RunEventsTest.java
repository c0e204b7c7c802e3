package org.zerotir.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.zerotir.runs.RunsTestSupport.awaitStatus;
import static org.zerotir.runs.RunsTestSupport.create;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** The live streams: a run's steps with ids that Last-Event-ID resumes from, and every run's status changes. */
@QuarkusTest
class RunEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL server;

    record Event(String name, String id, JsonNode data) {}

    /** Reads an SSE stream on its own thread; {@link #close} cancels it. */
    static final class SseClient implements AutoCloseable {
        private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        private final InputStream body;
        private final Thread reader;

        SseClient(URI uri, String lastEventId) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
            if (lastEventId != null) request.header("Last-Event-ID", lastEventId);
            HttpResponse<InputStream> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
            body = response.body();
            reader = Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                    String name = null, id = null;
                    StringBuilder data = new StringBuilder();
                    for (String line; (line = lines.readLine()) != null;) {
                        if (line.isEmpty()) {
                            if (!data.isEmpty()) events.add(new Event(name, id, JSON.readTree(data.toString())));
                            name = null;
                            id = null;
                            data.setLength(0);
                        } else if (line.startsWith("event:")) {
                            name = line.substring(6).strip();
                        } else if (line.startsWith("id:")) {
                            id = line.substring(3).strip();
                        } else if (line.startsWith("data:")) {
                            data.append(line.substring(5).strip());
                        }
                    }
                } catch (Exception e) {
                    // closed by the test
                }
            });
        }

        Event next() throws InterruptedException {
            Event event = events.poll(60, TimeUnit.SECONDS);
            assertNotNull(event, "no event within 60 s");
            return event;
        }

        /** The next event called {@code name}, skipping others. */
        Event next(String name) throws InterruptedException {
            for (Event event = next(); ; event = next()) if (name.equals(event.name())) return event;
        }

        @Override
        public void close() throws Exception {
            body.close();
            reader.interrupt();
        }
    }

    @AfterEach
    void noDelay() {
        TinyRunEnvironment.stepDelayMillis = 0;
    }

    @Test
    void aRunStreamsItsStepsAndResumesAfterLastEventId() throws Exception {
        try (SseClient all = new SseClient(server.toURI().resolve("api/events"), null)) {
            TinyRunEnvironment.stepDelayMillis = 150;
            UUID id = create(TinyRunEnvironment.config("streamed", 6, 3));
            URI stream = server.toURI().resolve("api/runs/" + id + "/events");
            try (SseClient live = new SseClient(stream, null)) {
                Event status = live.next();
                assertEquals("status", status.name());
                assertEquals(id.toString(), status.data().get("runId").asText());
                List<Integer> steps = new ArrayList<>();
                while (steps.size() < 3) {
                    Event step = live.next("step");
                    assertEquals(step.id(), step.data().get("step").asText(), "the event id is the step");
                    assertTrue(step.data().get("metrics").has("accuracy"), step.data().toString());
                    steps.add(Integer.parseInt(step.id()));
                }
                assertEquals(List.of(steps.get(0), steps.get(0) + 1, steps.get(0) + 2), steps, "consecutive steps, none twice");
            }
            TinyRunEnvironment.stepDelayMillis = 0;
            awaitStatus(id, "COMPLETED");

            try (SseClient resumed = new SseClient(stream, "2")) {
                Event status = resumed.next();
                assertEquals("status", status.name());
                assertEquals("COMPLETED", status.data().get("status").asText());
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 4; i++) ids.add(resumed.next("step").id());
                assertEquals(List.of("3", "4", "5", "6"), ids, "the stored steps after Last-Event-ID, in order");
            }

            List<String> statuses = new ArrayList<>();
            while (!statuses.contains("COMPLETED")) {
                Event event = all.next("status");
                if (event.data().get("runId").asText().equals(id.toString())) statuses.add(event.data().get("status").asText());
            }
            assertEquals(List.of("QUEUED", "RUNNING", "COMPLETED"), statuses);
        }
    }

    @Test
    void aBadLastEventIdIsRefused() throws Exception {
        UUID id = create(TinyRunEnvironment.config("bad-last-id", 1, 1));
        awaitStatus(id, "COMPLETED");
        io.restassured.RestAssured.given().header("Last-Event-ID", "abc").when().get("/api/runs/" + id + "/events")
                .then().statusCode(400).body("error.field", org.hamcrest.Matchers.equalTo("Last-Event-ID"));
    }
}
