package org.zerotir.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.zerotir.engine.generate.SamplingParams;
import org.zerotir.rollout.CodeRunner;
import org.zerotir.rollout.ToolRollout;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The OpenAI-compatible API: {@code GET /v1/models}, {@code POST /v1/completions}, {@code POST /v1/chat/completions},
 * answering as JSON or, with {@code stream: true}, as server-sent events ({@code data: {...}} chunks, then
 * {@code data: [DONE]}). Routes on Quarkus's Vert.x router rather than JAX-RS resources because one request
 * answers either JSON or an event stream depending on its body, and a client that goes away must free its
 * slots at once (the connection's close handler cancels its sequences). Each choice carries an extension field
 * {@code executions}: the code blocks run in the answer (code, output, status, duration_ms).
 */
@ApplicationScoped
public class OpenAiRoutes {
    private static final Logger LOG = Logger.getLogger(OpenAiRoutes.class);

    private final ModelRegistry registry;
    private final ServeConfig config;
    private final ApiKeys apiKeys;
    private final ObjectMapper json;

    public OpenAiRoutes(ModelRegistry registry, ServeConfig config, ApiKeys apiKeys, ObjectMapper json) {
        this.registry = registry;
        this.config = config;
        this.apiKeys = apiKeys;
        this.json = json;
    }

    void routes(@Observes Router router) {
        router.route("/v1/*").order(-10).handler(this::authenticate).failureHandler(this::failure);
        router.get("/v1/models").order(-9).handler(this::models);
        // the body handler refuses a body over the limit (by its Content-Length, or as it arrives) with 413
        BodyHandler body = BodyHandler.create(false).setBodyLimit(config.maxRequestBytes());
        for (String path : List.of("/v1/completions", "/v1/chat/completions")) {
            boolean chat = path.endsWith("chat/completions");
            router.route(HttpMethod.POST, path).order(-9).handler(body).handler(ctx -> complete(ctx, chat))
                    .failureHandler(this::failure);
        }
    }

    private void authenticate(RoutingContext ctx) {
        String refusal = apiKeys.refusal(ctx.request().getHeader("Authorization"));
        if (refusal != null) {
            error(ctx, new OpenAiException(401, "invalid_request_error", refusal, null, "invalid_api_key"));
            return;
        }
        ctx.next();
    }

    private OpenAiException tooLarge() {
        return new OpenAiException(413, "invalid_request_error", "the request is larger than " + config.maxRequestBytes() + " bytes",
                null, "request_too_large");
    }

    private void failure(RoutingContext ctx) {
        if (ctx.response().headWritten()) {
            ctx.response().end();
            return;
        }
        if (ctx.failure() instanceof OpenAiException e) {
            error(ctx, e);
        } else if (ctx.statusCode() == 413) {
            error(ctx, tooLarge());
        } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
            error(ctx, new OpenAiException(ctx.statusCode(), "invalid_request_error", "bad request", null, null));
        } else {
            LOG.error("a /v1 request failed", ctx.failure());
            error(ctx, new OpenAiException(500, "server_error", "internal error: " + ctx.failure(), null, null));
        }
    }

    private void error(RoutingContext ctx, OpenAiException e) {
        if (ctx.response().ended()) return;
        ctx.response().setStatusCode(e.status()).putHeader("Content-Type", "application/json").end(write(e.body(json)));
    }

    private void models(RoutingContext ctx) {
        ObjectNode list = json.createObjectNode().put("object", "list");
        ArrayNode data = list.putArray("data");
        for (ModelRegistry.Servable s : registry.list()) {
            data.addObject().put("id", s.id()).put("object", "model").put("created", s.created()).put("owned_by", s.ownedBy());
        }
        ctx.response().putHeader("Content-Type", "application/json").end(write(list));
    }

    /** Parsing, model loading and tokenizing may block: they run on a worker; generation runs on the model's loop. */
    private void complete(RoutingContext ctx, boolean chat) {
        String raw = ctx.body().asString();
        ctx.vertx().<Prepared>executeBlocking(() -> prepare(raw, chat), false).onComplete(result -> {
            if (result.failed()) {
                Throwable cause = result.cause();
                if (cause instanceof OpenAiException e) {
                    error(ctx, e);
                } else {
                    LOG.error("preparing a completion failed", cause);
                    error(ctx, new OpenAiException(500, "server_error", "internal error: " + cause, null, null));
                }
                return;
            }
            new Exchange(ctx, result.result()).start();
        });
    }

    /** A request ready to generate: its model and the sequences' common settings. */
    private record Prepared(CompletionRequest request, ModelRegistry.Loaded model, int[] promptIds, String openCode, List<String> templateStops) {}

    private Prepared prepare(String raw, boolean chat) {
        if (raw == null || raw.isBlank()) throw OpenAiException.invalid(null, "the request has no body");
        JsonNode body;
        try {
            body = json.readTree(raw);
        } catch (JsonProcessingException e) {
            throw OpenAiException.invalid(null, "the body is not valid JSON: " + e.getOriginalMessage());
        }
        CompletionRequest request = CompletionRequest.parse(body, chat, config);
        ModelRegistry.Loaded model = registry.load(registry.find(request.model()));
        String promptText;
        String openCode = null;
        List<String> templateStops;
        if (chat) {
            var template = model.format().template();
            if (template.isChat()) {
                promptText = template.renderChat(request.messages(), true);
            } else {
                // a plain template (the ZeroTIR prompt) frames one problem: the last user message
                String problem = null;
                for (var m : request.messages()) if (m.role().equals("user")) problem = m.content();
                if (problem == null) throw OpenAiException.invalid("messages", "the conversation has no user message");
                promptText = template.render(problem);
            }
            templateStops = model.format().stopStrings();
        } else {
            promptText = request.prompt();
            openCode = openCode(promptText);
            templateStops = List.of();
        }
        if (promptText.isEmpty()) throw OpenAiException.invalid(chat ? "messages" : "prompt", "the prompt is empty");
        int[] ids = model.engine().tokenizer().encode(promptText);
        int limit = Math.min(config.maxPromptTokens(), model.engine().contextLength() - 2);
        if (ids.length > limit) {
            throw new OpenAiException(400, "invalid_request_error", "the prompt has " + ids.length + " tokens; this server takes at most "
                    + limit, chat ? "messages" : "prompt", "context_length_exceeded");
        }
        if (ids.length == 0) throw OpenAiException.invalid(chat ? "messages" : "prompt", "the prompt is empty");
        return new Prepared(request, model, ids, openCode, templateStops);
    }

    /** The code of a ```python block the prompt opens and leaves open (the model is to close it), or null. */
    static String openCode(String prompt) {
        int open = prompt.lastIndexOf(ToolRollout.CODE_OPEN);
        if (open < 0) return null;
        int body = open + ToolRollout.CODE_OPEN.length();
        if (prompt.indexOf(ToolRollout.FENCE, body) >= 0) return null;
        return prompt.substring(body).stripLeading();
    }

    private String write(JsonNode node) {
        try {
            return json.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One request's answer: n sequences on the model's engine, written as JSON or as events. */
    private final class Exchange {
        final RoutingContext ctx;
        final CompletionRequest request;
        final Prepared prepared;
        final String id;
        final long created = System.currentTimeMillis() / 1000;
        final StringBuilder[] texts;
        final List<List<CodeRunner.Execution>> executions = new ArrayList<>();
        final String[] finishReasons;
        final List<InferenceEngine.Handle> handles = new ArrayList<>();
        int completionTokens, finished;
        boolean ended;

        Exchange(RoutingContext ctx, Prepared prepared) {
            this.ctx = ctx;
            this.prepared = prepared;
            this.request = prepared.request();
            this.id = (request.chat() ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
            this.texts = new StringBuilder[request.n()];
            this.finishReasons = new String[request.n()];
            for (int i = 0; i < request.n(); i++) {
                texts[i] = new StringBuilder();
                executions.add(new ArrayList<>());
            }
        }

        void start() {
            InferenceEngine engine = prepared.model().engine();
            if (engine.inFlight() + request.n() > config.slots() + config.maxWaiting()) {
                ctx.response().putHeader("Retry-After", "1");
                fail(new OpenAiException(503, "server_error", "model " + prepared.model().servable().id() + " is busy: "
                        + engine.inFlight() + " sequences are being generated or waiting; retry shortly", null, "engine_overloaded"));
                return;
            }
            // a client that goes away frees its slots before the next decode step
            ctx.response().closeHandler(v -> cancelAll());
            ctx.request().connection().closeHandler(v -> cancelAll());
            if (request.stream()) {
                ctx.response().setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
                if (request.chat()) {
                    for (int i = 0; i < request.n(); i++) {
                        ObjectNode chunk = chunk();
                        ObjectNode choice = ((ArrayNode) chunk.get("choices")).addObject().put("index", i);
                        choice.putObject("delta").put("role", "assistant").put("content", "");
                        choice.putNull("logprobs");
                        choice.putNull("finish_reason");
                        event(chunk);
                    }
                }
            }
            long baseSeed = request.seed() != null ? request.seed() : ThreadLocalRandom.current().nextLong();
            synchronized (this) {
                for (int i = 0; i < request.n(); i++) {
                    SamplingParams sampling = new SamplingParams(request.temperature(), request.topP(), 0, baseSeed * 1_000_003L + i);
                    var sequence = new InferenceEngine.Sequence(prepared.promptIds(), prepared.openCode(), sampling, request.maxTokens(),
                            request.stop(), prepared.templateStops(), request.codeExecution(), request.callBudget());
                    try {
                        handles.add(engine.submit(sequence, listener(i)));
                    } catch (IllegalStateException | IllegalArgumentException e) {
                        cancelAll();
                        fail(new OpenAiException(503, "server_error", e.getMessage(), "model", "model_unavailable"));
                        return;
                    }
                }
            }
        }

        synchronized void cancelAll() {
            for (InferenceEngine.Handle h : handles) h.cancel();
        }

        InferenceEngine.Listener listener(int index) {
            return new InferenceEngine.Listener() {
                @Override
                public void text(String delta) {
                    texts[index].append(delta);
                    if (request.stream()) event(deltaChunk(index, delta, null, null));
                }

                @Override
                public void executed(CodeRunner.Execution execution) {
                    executions.get(index).add(execution);
                    if (request.stream()) event(deltaChunk(index, "", null, execution));
                }

                @Override
                public void finished(String finishReason, int tokens, int toolOutputTokens) {
                    finishReasons[index] = finishReason;
                    completionTokens += tokens;
                    if (request.stream()) event(deltaChunk(index, null, finishReason, null));
                    if (++finished == request.n()) done();
                }

                @Override
                public void failed(String message) {
                    cancelAll();
                    fail(new OpenAiException(503, "server_error", message, null, "generation_failed"));
                }
            };
        }

        ObjectNode chunk() {
            ObjectNode chunk = json.createObjectNode().put("id", id).put("object", request.chat() ? "chat.completion.chunk" : "text_completion")
                    .put("created", created).put("model", prepared.model().servable().id());
            chunk.putArray("choices");
            return chunk;
        }

        ObjectNode deltaChunk(int index, String text, String finishReason, CodeRunner.Execution execution) {
            ObjectNode chunk = chunk();
            ObjectNode choice = ((ArrayNode) chunk.get("choices")).addObject().put("index", index);
            if (request.chat()) {
                ObjectNode delta = choice.putObject("delta");
                if (text != null) delta.put("content", text);
            } else {
                choice.put("text", text == null ? "" : text);
            }
            choice.putNull("logprobs");
            if (finishReason == null) choice.putNull("finish_reason"); else choice.put("finish_reason", finishReason);
            if (execution != null) executionsNode(choice.putArray("executions"), List.of(execution));
            return chunk;
        }

        void executionsNode(ArrayNode array, List<CodeRunner.Execution> list) {
            for (CodeRunner.Execution e : list) {
                array.addObject().put("code", e.code()).put("output", e.output()).put("status", e.status().name().toLowerCase())
                        .put("duration_ms", e.durationMillis());
            }
        }

        ObjectNode usage() {
            ObjectNode usage = json.createObjectNode();
            usage.put("prompt_tokens", prepared.promptIds().length);
            usage.put("completion_tokens", completionTokens);
            usage.put("total_tokens", prepared.promptIds().length + completionTokens);
            return usage;
        }

        void done() {
            if (request.stream()) {
                if (request.includeUsage()) {
                    ObjectNode chunk = chunk();
                    chunk.set("usage", usage());
                    event(chunk);
                }
                end("data: [DONE]\n\n");
                return;
            }
            ObjectNode body = json.createObjectNode().put("id", id).put("object", request.chat() ? "chat.completion" : "text_completion")
                    .put("created", created).put("model", prepared.model().servable().id());
            ArrayNode choices = body.putArray("choices");
            for (int i = 0; i < request.n(); i++) {
                ObjectNode choice = choices.addObject().put("index", i);
                if (request.chat()) {
                    choice.putObject("message").put("role", "assistant").put("content", texts[i].toString()).putNull("refusal");
                } else {
                    choice.put("text", texts[i].toString());
                }
                choice.putNull("logprobs");
                choice.put("finish_reason", finishReasons[i]);
                executionsNode(choice.putArray("executions"), executions.get(i));
            }
            body.set("usage", usage());
            if (!ended) {
                ended = true;
                ctx.response().putHeader("Content-Type", "application/json").end(write(body));
            }
        }

        void event(ObjectNode chunk) {
            if (ended) return;
            ctx.response().write("data: " + write(chunk) + "\n\n");
        }

        void end(String last) {
            if (ended) return;
            ended = true;
            ctx.response().end(last);
        }

        void fail(OpenAiException e) {
            if (ended) return;
            if (request.stream() && ctx.response().headWritten()) {
                end("data: " + write(e.body(json)) + "\n\n");
            } else {
                ended = true;
                error(ctx, e);
            }
        }
    }
}
