package org.zerotir.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiLanguageModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingLanguageModel;
import dev.langchain4j.model.output.Response;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The /v1 endpoints on the real engine, tokenizer and sandbox, with a model whose every token is known in
 * advance ({@link TestModels}): exact texts, stops, lengths, usage, streams, code execution inside the answer,
 * 32 simultaneous streams, a client that hangs up, and the LRU of loaded models.
 */
@QuarkusTest
@TestProfile(ServeTestProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenAiEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTH = "Bearer " + ServeTestProfile.KEY;

    @TestHTTPResource("/v1")
    URL v1;

    @Inject
    ModelRegistry registry;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(v1 + path)).header("Authorization", AUTH)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The JSON objects of an event stream, checking its framing; the last line must be data: [DONE]. */
    private static List<JsonNode> events(String stream) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        String[] blocks = stream.split("\n\n");
        assertEquals("data: [DONE]", blocks[blocks.length - 1], stream);
        for (int i = 0; i < blocks.length - 1; i++) {
            assertTrue(blocks[i].startsWith("data: {"), blocks[i]);
            events.add(JSON.readTree(blocks[i].substring("data: ".length())));
        }
        return events;
    }

    private static String streamedText(List<JsonNode> events, int index) {
        StringBuilder text = new StringBuilder();
        for (JsonNode e : events) {
            for (JsonNode c : e.path("choices")) {
                if (c.path("index").asInt() != index) continue;
                text.append(c.has("delta") ? c.path("delta").path("content").asText("") : c.path("text").asText(""));
            }
        }
        return text.toString();
    }

    @Test
    @Order(1)
    void listsConfiguredModelsAndRunCheckpointsBehindTheApiKey() {
        given().get(v1 + "/models").then().statusCode(401).body("error.code", equalTo("invalid_api_key"))
                .body("error.type", equalTo("invalid_request_error"));
        given().header("Authorization", "Bearer wrong").get(v1 + "/models").then().statusCode(401);
        given().header("Authorization", "Bearer second-key").get(v1 + "/models").then().statusCode(200);
        given().header("Authorization", AUTH).get(v1 + "/models").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data.id", hasItems("counter", "counter-b", "counter-c", "r1", "r1/step-2"))
                .body("data[0].object", equalTo("model"));
    }

    @Test
    @Order(2)
    void completionsFollowTheModelWithUsageStopsAndLengths() throws Exception {
        JsonNode plain = JSON.readTree(post("/completions", "{\"model\":\"counter\",\"prompt\":\"Count: one\",\"max_tokens\":50}").body());
        assertEquals("text_completion", plain.path("object").asText(), plain.toString());
        assertEquals(TestModels.countFrom(0), plain.at("/choices/0/text").asText());
        assertEquals("stop", plain.at("/choices/0/finish_reason").asText());
        int promptTokens = plain.at("/usage/prompt_tokens").asInt();
        assertTrue(promptTokens >= 3, plain.toString());
        assertEquals(10, plain.at("/usage/completion_tokens").asInt(), "nine words and the end of text");
        assertEquals(promptTokens + 10, plain.at("/usage/total_tokens").asInt());
        assertTrue(plain.at("/choices/0/executions").isArray() && plain.at("/choices/0/executions").isEmpty());

        JsonNode length = JSON.readTree(post("/completions", "{\"model\":\"counter\",\"prompt\":\"Count: one\",\"max_tokens\":3}").body());
        assertEquals(" two three four", length.at("/choices/0/text").asText());
        assertEquals("length", length.at("/choices/0/finish_reason").asText());
        assertEquals(3, length.at("/usage/completion_tokens").asInt());

        JsonNode stopped = JSON.readTree(post("/completions",
                "{\"model\":\"counter\",\"prompt\":\"Count: one\",\"stop\":[\"fiv\", \"zzz\"],\"max_tokens\":50}").body());
        assertEquals(" two three four ", stopped.at("/choices/0/text").asText(), "ends before the stop string, without it");
        assertEquals("stop", stopped.at("/choices/0/finish_reason").asText());

        JsonNode several = JSON.readTree(post("/completions",
                "{\"model\":\"counter\",\"prompt\":[\"Count: six\"],\"n\":3,\"temperature\":1.5,\"seed\":4,\"max_tokens\":50}").body());
        assertEquals(3, several.path("choices").size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i, several.at("/choices/" + i + "/index").asInt());
            assertEquals(TestModels.countFrom(5), several.at("/choices/" + i + "/text").asText());
        }
        assertEquals(15, several.at("/usage/completion_tokens").asInt(), "three choices of four words and the end of text");

        // a run's checkpoint answers under its run's name, with the run's template for chat
        JsonNode run = JSON.readTree(post("/chat/completions",
                "{\"model\":\"r1/step-2\",\"messages\":[{\"role\":\"user\",\"content\":\"count\"}],\"max_completion_tokens\":50}").body());
        assertEquals("chat.completion", run.path("object").asText(), run.toString());
        assertEquals("assistant", run.at("/choices/0/message/role").asText());
        assertEquals(TestModels.countFrom(-1), run.at("/choices/0/message/content").asText());
    }

    @Test
    @Order(3)
    void badRequestsAreRefusedInOpenAisErrorShape() throws Exception {
        record Case(String path, String body, int status, String param) {}
        List<Case> cases = List.of(
                new Case("/completions", "{\"prompt\":\"x\"}", 400, "model"),
                new Case("/completions", "{\"model\":\"nope\",\"prompt\":\"x\"}", 404, "model"),
                new Case("/completions", "{\"model\":\"counter\"}", 400, "prompt"),
                new Case("/completions", "{\"model\":\"counter\",\"prompt\":\"x\",\"max_tokens\":4001}", 400, "max_tokens"),
                new Case("/completions", "{\"model\":\"counter\",\"prompt\":\"x\",\"max_tokens\":0}", 400, "max_tokens"),
                new Case("/completions", "{\"model\":\"counter\",\"prompt\":\"x\",\"temperature\":3}", 400, "temperature"),
                new Case("/completions", "{\"model\":\"counter\",\"prompt\":\"x\",\"n\":17}", 400, "n"),
                new Case("/completions", "{\"model\":\"counter\",\"prompt\":\"x\",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", 400, "stop"),
                new Case("/completions", "{\"model\":\"counter\",\"prompt\":\"x\",\"stream_options\":{\"include_usage\":true}}", 400, "stream_options"),
                new Case("/completions", "{\"model\":\"counter\",\"prompt\":\"x\",\"logprobs\":5}", 400, "logprobs"),
                new Case("/completions", "{\"model\":\"counter\",\"prompt\":\"" + "one ".repeat(600) + "\"}", 400, "prompt"),
                new Case("/chat/completions", "{\"model\":\"counter\",\"messages\":[]}", 400, "messages"),
                new Case("/chat/completions", "{\"model\":\"counter\",\"messages\":[{\"role\":\"user\"}]}", 400, "messages[0].content"),
                new Case("/chat/completions", "{\"model\":\"counter\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_completion_tokens\":-1}",
                        400, "max_completion_tokens"),
                new Case("/completions", "{not json", 400, null),
                new Case("/completions", "[1,2]", 400, null));
        for (Case c : cases) {
            HttpResponse<String> response = post(c.path(), c.body());
            assertEquals(c.status(), response.statusCode(), c.body() + " -> " + response.body());
            JsonNode error = JSON.readTree(response.body()).path("error");
            assertTrue(error.path("message").asText().length() > 5, response.body());
            assertTrue(error.has("type") && error.has("param") && error.has("code"), response.body());
            if (c.param() != null) assertEquals(c.param(), error.path("param").asText(), response.body());
            else assertTrue(error.path("param").isNull(), response.body());
        }
        HttpResponse<String> large = post("/completions", "{\"model\":\"counter\",\"prompt\":\"" + "x".repeat(70_000) + "\"}");
        assertEquals(413, large.statusCode(), large.body());
        assertEquals("request_too_large", JSON.readTree(large.body()).at("/error/code").asText());
    }

    @Test
    @Order(4)
    void streamsServerSentEventsWithUsageAndDone() throws Exception {
        HttpResponse<String> response = post("/chat/completions", "{\"model\":\"counter\",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"count\"}],\"stop\":\"nine\"}");
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        List<JsonNode> events = events(response.body());
        assertEquals("assistant", events.getFirst().at("/choices/0/delta/role").asText());
        String expected = TestModels.countFrom(-1);
        assertEquals(expected.substring(0, expected.indexOf("nine")), streamedText(events, 0));
        assertTrue(events.size() > 5, "one chunk per token, not one at the end: " + events.size());
        JsonNode finish = events.get(events.size() - 2);
        assertEquals("stop", finish.at("/choices/0/finish_reason").asText());
        JsonNode usage = events.getLast();
        assertEquals(0, usage.path("choices").size());
        assertEquals(9, usage.at("/usage/completion_tokens").asInt(), " one .. nine: nine sampled tokens, the last cut by the stop");
        for (JsonNode e : events) {
            assertEquals("chat.completion.chunk", e.path("object").asText());
            assertEquals(events.getFirst().path("id").asText(), e.path("id").asText());
        }
    }

    @Test
    @Order(5)
    void aRealOpenAiClientGetsPlainAndStreamedCompletions() throws Exception {
        String base = v1.toString();
        OpenAiLanguageModel language = OpenAiLanguageModel.builder().baseUrl(base).apiKey(ServeTestProfile.KEY).modelName("counter")
                .temperature(0.0).timeout(Duration.ofSeconds(60)).build();
        Response<String> completion = language.generate("Count: three");
        assertEquals(TestModels.countFrom(2), completion.content());
        assertEquals(8, completion.tokenUsage().outputTokenCount());

        OpenAiStreamingLanguageModel streamingLanguage = OpenAiStreamingLanguageModel.builder().baseUrl(base).apiKey(ServeTestProfile.KEY)
                .modelName("counter").temperature(0.7).timeout(Duration.ofSeconds(60)).build();
        StringBuilder pieces = new StringBuilder();
        CompletableFuture<Response<String>> done = new CompletableFuture<>();
        streamingLanguage.generate("Count: seven", new StreamingResponseHandler<>() {
            @Override public void onNext(String token) { pieces.append(token); }
            @Override public void onComplete(Response<String> response) { done.complete(response); }
            @Override public void onError(Throwable error) { done.completeExceptionally(error); }
        });
        Response<String> streamed = done.get(60, TimeUnit.SECONDS);
        assertEquals(TestModels.countFrom(6), pieces.toString());
        assertEquals(TestModels.countFrom(6), streamed.content());

        OpenAiChatModel chat = OpenAiChatModel.builder().baseUrl(base).apiKey(ServeTestProfile.KEY).modelName("counter")
                .maxTokens(4).seed(3).timeout(Duration.ofSeconds(60)).build();
        ChatResponse answer = chat.chat(dev.langchain4j.data.message.UserMessage.from("count"));
        assertEquals(" one two three four", answer.aiMessage().text());
        assertEquals(dev.langchain4j.model.output.FinishReason.LENGTH, answer.finishReason());

        OpenAiStreamingChatModel streamingChat = OpenAiStreamingChatModel.builder().baseUrl(base).apiKey(ServeTestProfile.KEY)
                .modelName("counter").timeout(Duration.ofSeconds(60)).build();
        List<String> partials = new ArrayList<>();
        CompletableFuture<ChatResponse> chatDone = new CompletableFuture<>();
        streamingChat.chat("count", new StreamingChatResponseHandler() {
            @Override public void onPartialResponse(String partial) { partials.add(partial); }
            @Override public void onCompleteResponse(ChatResponse response) { chatDone.complete(response); }
            @Override public void onError(Throwable error) { chatDone.completeExceptionally(error); }
        });
        ChatResponse streamedChat = chatDone.get(60, TimeUnit.SECONDS);
        assertEquals(TestModels.countFrom(-1), String.join("", partials));
        assertEquals(TestModels.countFrom(-1), streamedChat.aiMessage().text());
        assertTrue(partials.size() >= 10, "a partial per word: " + partials);
        assertEquals(11, streamedChat.tokenUsage().outputTokenCount(), "ten words and the end of text");
    }

    @Test
    @Order(6)
    void codeTheModelClosesRunsInTheSandboxAndItsOutputIsStreamed() throws Exception {
        String prompt = "Compute it in Python.\\n```python\\nprint(6*7)\\n";
        HttpResponse<String> response = post("/completions", "{\"model\":\"counter\",\"stream\":true,\"max_tokens\":20,\"prompt\":\"" + prompt + "\"}");
        assertEquals(200, response.statusCode(), response.body());
        List<JsonNode> events = events(response.body());
        String text = streamedText(events, 0);
        assertEquals("```\n```output\n42\n```\n", text, "the model closes the fence; the server appends the real output");
        // the client sees the closing fence before the output, and the execution as its own event
        int fence = -1, output = -1, execution = -1;
        for (int i = 0; i < events.size(); i++) {
            String piece = events.get(i).at("/choices/0/text").asText("");
            if (fence < 0 && piece.contains("```") && !piece.contains("output")) fence = i;
            if (output < 0 && piece.contains("```output")) output = i;
            if (events.get(i).at("/choices/0/executions").size() == 1) execution = i;
        }
        assertTrue(fence >= 0 && fence < output && output < execution, events.toString());
        JsonNode run = events.get(execution).at("/choices/0/executions/0");
        assertEquals("print(6*7)", run.path("code").asText());
        assertEquals("42", run.path("output").asText().strip());
        assertEquals("ok", run.path("status").asText());
        assertTrue(run.path("duration_ms").asLong() >= 0);

        JsonNode plain = JSON.readTree(post("/completions", "{\"model\":\"counter\",\"max_tokens\":20,\"prompt\":\"" + prompt + "\"}").body());
        assertEquals("```\n```output\n42\n```\n", plain.at("/choices/0/text").asText());
        assertEquals("42", plain.at("/choices/0/executions/0/output").asText().strip());
        // with code execution off (or no calls left) the fence is just text
        JsonNode off = JSON.readTree(post("/completions", "{\"model\":\"counter\",\"max_tokens\":20,\"code_execution\":false,\"prompt\":\""
                + prompt + "\"}").body());
        assertEquals("```", off.at("/choices/0/text").asText());
        assertEquals(0, off.at("/choices/0/executions").size());
        JsonNode budget = JSON.readTree(post("/completions", "{\"model\":\"counter\",\"max_tokens\":20,\"max_code_calls\":0,\"prompt\":\""
                + prompt + "\"}").body());
        assertEquals("```", budget.at("/choices/0/text").asText());
    }

    @Test
    @Order(7)
    void thirtyTwoSimultaneousStreamsAllCompleteCorrectly() throws Exception {
        int clients = 32;
        List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            String body;
            if (i % 2 == 0) {
                int from = i / 2 % 9;
                body = "{\"model\":\"counter\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"max_tokens\":60,\"prompt\":\"Count:"
                        + TestModels.WORDS[from] + "\"}";
                expected.add(TestModels.countFrom(from));
            } else {
                body = "{\"model\":\"counter\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"max_tokens\":60,\"prompt\":\"Say ping\"}";
                expected.add(" pong ping".repeat(30));
            }
            futures.add(http.sendAsync(HttpRequest.newBuilder(URI.create(v1 + "/completions")).header("Authorization", AUTH)
                    .timeout(Duration.ofSeconds(180)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < clients; i++) {
            HttpResponse<String> response = futures.get(i).get(180, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode(), response.body());
            List<JsonNode> events = events(response.body());
            assertEquals(expected.get(i), streamedText(events, 0), "client " + i);
            String finish = events.get(events.size() - 2).at("/choices/0/finish_reason").asText();
            assertEquals(i % 2 == 0 ? "stop" : "length", finish, "client " + i);
            int completionTokens = events.getLast().at("/usage/completion_tokens").asInt();
            assertEquals(i % 2 == 0 ? 10 - i / 2 % 9 : 60, completionTokens, "client " + i);
        }
        InferenceEngine engine = registry.load(registry.find("counter")).engine();
        assertTrue(engine.peakBatch() >= 16, "requests were decoded together: peak batch " + engine.peakBatch());
    }

    @Test
    @Order(8)
    void aClientThatHangsUpFreesItsSlot() throws Exception {
        InferenceEngine engine = registry.load(registry.find("counter")).engine();
        String body = "{\"model\":\"counter\",\"stream\":true,\"max_tokens\":4000,\"prompt\":\"Say ping\"}";
        try (Socket socket = new Socket(v1.getHost(), v1.getPort())) {
            OutputStream out = socket.getOutputStream();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + AUTH + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.write(bytes);
            out.flush();
            InputStream in = socket.getInputStream();
            String seen = "";
            byte[] buffer = new byte[4096];
            while (!seen.contains("pong")) {
                int n = in.read(buffer);
                assertTrue(n > 0, "the stream ended early: " + seen);
                seen += new String(buffer, 0, n, StandardCharsets.UTF_8);
            }
            assertEquals(1, engine.inFlight());
        }
        long closed = System.nanoTime();
        while (engine.inFlight() > 0 && System.nanoTime() - closed < 5_000_000_000L) Thread.sleep(5);
        assertEquals(0, engine.inFlight(), "the slot was freed");
        long tokens = engine.generatedTokens();
        Thread.sleep(300);
        assertEquals(tokens, engine.generatedTokens(), "nothing is generated for a client that left");
    }

    @Test
    @Order(9)
    void modelsLoadOnFirstUseAndTheLeastRecentlyUsedIsUnloaded() throws Exception {
        assertEquals(200, post("/completions", "{\"model\":\"counter-b\",\"prompt\":\"Count: one\"}").statusCode());
        assertEquals(List.of("counter", "counter-b"), registry.loadedIds().stream().filter(id -> id.startsWith("counter")).toList());
        assertEquals(200, post("/completions", "{\"model\":\"counter-c\",\"prompt\":\"Count: one\"}").statusCode());
        assertEquals(List.of("counter-b", "counter-c"), registry.loadedIds());
        assertEquals(200, post("/completions", "{\"model\":\"counter-b\",\"prompt\":\"Count: one\"}").statusCode());
        assertEquals(200, post("/completions", "{\"model\":\"counter\",\"prompt\":\"Count: one\"}").statusCode());
        assertEquals(List.of("counter-b", "counter"), registry.loadedIds());
    }
}
