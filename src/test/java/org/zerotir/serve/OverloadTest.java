package org.zerotir.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With every slot busy and no room to wait, a request is refused at once (503, Retry-After), and served once a slot frees. */
@QuarkusTest
@TestProfile(OverloadTest.TwoSlots.class)
class OverloadTest {
    public static class TwoSlots extends ServeTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("zerotir.serve.slots", "2");
            config.put("zerotir.serve.max-waiting", "0");
            return config;
        }
    }

    @TestHTTPResource("/v1")
    URL v1;

    /** Opens a long streamed answer and reads until its first words arrive. */
    private Socket longStream() throws Exception {
        Socket socket = new Socket(v1.getHost(), v1.getPort());
        byte[] body = "{\"model\":\"counter\",\"stream\":true,\"max_tokens\":4000,\"prompt\":\"Say ping\"}".getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + ServeTestProfile.KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.write(body);
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder seen = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (seen.indexOf("pong") < 0) {
            int n = in.read(buffer);
            assertTrue(n > 0, "the stream ended early: " + seen);
            seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
        return socket;
    }

    @Test
    void aFullEngineRefusesAtOnceAndServesAgainWhenASlotFrees() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(v1 + "/completions")).header("Authorization", "Bearer " + ServeTestProfile.KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"counter\",\"prompt\":\"Count: one\"}")).build();
        List<Socket> busy = new ArrayList<>();
        try {
            busy.add(longStream());
            busy.add(longStream());
            HttpResponse<String> refused = http.send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(503, refused.statusCode(), refused.body());
            assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null));
            JsonNode error = new ObjectMapper().readTree(refused.body()).path("error");
            assertEquals("engine_overloaded", error.path("code").asText(), refused.body());
            busy.removeFirst().close();
            HttpResponse<String> served = null;
            for (int attempt = 0; attempt < 100; attempt++) {
                served = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (served.statusCode() != 503) break;
                Thread.sleep(20);
            }
            assertEquals(200, served.statusCode(), served.body());
            assertEquals(TestModels.countFrom(0), new ObjectMapper().readTree(served.body()).at("/choices/0/text").asText());
        } finally {
            for (Socket s : busy) s.close();
        }
    }
}
