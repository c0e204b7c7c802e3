package org.zerotir.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.zerotir.tokenizer.PromptTemplate;

import java.util.ArrayList;
import java.util.List;

/**
 * A /v1/completions or /v1/chat/completions body, checked field by field with OpenAI's names; the first field
 * that cannot work is named in the 400. Fields OpenAI defines that change nothing here (user, metadata, ...)
 * are accepted and ignored; ones whose effect we cannot give (logprobs, echo, best_of > 1, tools) are refused
 * rather than silently dropped. Extensions: {@code code_execution} (default true) and {@code max_code_calls}.
 */
public record CompletionRequest(boolean chat, String model, String prompt, List<PromptTemplate.Message> messages, int maxTokens,
                                double temperature, double topP, int n, Long seed, List<String> stop, boolean stream,
                                boolean includeUsage, boolean codeExecution, int callBudget) {

    public static CompletionRequest parse(JsonNode body, boolean chat, ServeConfig config) {
        if (!(body instanceof ObjectNode)) throw OpenAiException.invalid(null, "the request body must be a JSON object");
        String model = text(body, "model", true);
        String prompt = null;
        List<PromptTemplate.Message> messages = null;
        if (chat) {
            messages = messages(body.get("messages"));
        } else {
            prompt = prompt(body.get("prompt"));
        }
        int maxTokens = config.defaultMaxTokens();
        String tokensField = chat && present(body, "max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        if (present(body, tokensField)) {
            maxTokens = integer(body, tokensField);
            if (maxTokens < 1 || maxTokens > config.maxTokens()) {
                throw OpenAiException.invalid(tokensField, tokensField + " must be between 1 and " + config.maxTokens() + ", got " + maxTokens);
            }
        }
        double temperature = present(body, "temperature") ? number(body, "temperature") : 1.0;
        if (!(temperature >= 0 && temperature <= 2)) throw OpenAiException.invalid("temperature", "temperature must be between 0 and 2");
        double topP = present(body, "top_p") ? number(body, "top_p") : 1.0;
        if (!(topP > 0 && topP <= 1)) throw OpenAiException.invalid("top_p", "top_p must be in (0, 1]");
        int n = present(body, "n") ? integer(body, "n") : 1;
        if (n < 1 || n > config.maxN()) throw OpenAiException.invalid("n", "n must be between 1 and " + config.maxN() + ", got " + n);
        Long seed = present(body, "seed") ? longValue(body, "seed") : null;
        List<String> stop = stop(body.get("stop"));
        boolean stream = present(body, "stream") && bool(body, "stream");
        boolean includeUsage = false;
        if (present(body, "stream_options")) {
            JsonNode options = body.get("stream_options");
            if (!options.isObject()) throw OpenAiException.invalid("stream_options", "stream_options must be an object");
            if (!stream) throw OpenAiException.invalid("stream_options", "stream_options is only allowed when stream is true");
            includeUsage = present(options, "include_usage") && bool(options, "include_usage");
        }
        boolean code = !present(body, "code_execution") || bool(body, "code_execution");
        int budget = config.callBudget();
        if (present(body, "max_code_calls")) {
            budget = integer(body, "max_code_calls");
            if (budget < 0 || budget > config.maxCallBudget()) {
                throw OpenAiException.invalid("max_code_calls", "max_code_calls must be between 0 and " + config.maxCallBudget());
            }
        }
        refuseUnsupported(body, chat);
        return new CompletionRequest(chat, model, prompt, messages, maxTokens, temperature, topP, n, seed, stop, stream, includeUsage,
                code, budget);
    }

    private static void refuseUnsupported(JsonNode body, boolean chat) {
        if (present(body, "logprobs") && !(body.get("logprobs").isBoolean() && !body.get("logprobs").asBoolean())) {
            throw OpenAiException.invalid("logprobs", "logprobs are not supported by this server");
        }
        if (present(body, "echo") && bool(body, "echo")) throw OpenAiException.invalid("echo", "echo is not supported by this server");
        if (present(body, "best_of") && integer(body, "best_of") > 1) throw OpenAiException.invalid("best_of", "best_of is not supported");
        if (present(body, "suffix")) throw OpenAiException.invalid("suffix", "suffix is not supported by this server");
        if (chat && present(body, "tools") && body.get("tools").size() > 0) {
            throw OpenAiException.invalid("tools", "function tools are not supported; the model's Python tool runs inside the answer");
        }
        for (String penalty : List.of("presence_penalty", "frequency_penalty")) {
            if (present(body, penalty) && number(body, penalty) != 0) throw OpenAiException.invalid(penalty, penalty + " is not supported");
        }
    }

    private static boolean present(JsonNode body, String field) {
        return body.has(field) && !body.get(field).isNull();
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            if (required) throw OpenAiException.invalid(field, "you must provide a " + field + " parameter");
            return null;
        }
        if (!value.isTextual()) throw OpenAiException.invalid(field, field + " must be a string");
        return value.asText();
    }

    private static int integer(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (!value.isIntegralNumber() || !value.canConvertToInt()) throw OpenAiException.invalid(field, field + " must be an integer");
        return value.asInt();
    }

    private static long longValue(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) throw OpenAiException.invalid(field, field + " must be an integer");
        return value.asLong();
    }

    private static double number(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (!value.isNumber()) throw OpenAiException.invalid(field, field + " must be a number");
        return value.asDouble();
    }

    private static boolean bool(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (!value.isBoolean()) throw OpenAiException.invalid(field, field + " must be a boolean");
        return value.asBoolean();
    }

    private static String prompt(JsonNode prompt) {
        if (prompt == null || prompt.isNull()) throw OpenAiException.invalid("prompt", "you must provide a prompt parameter");
        if (prompt.isTextual()) return prompt.asText();
        if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) return prompt.get(0).asText();
        throw OpenAiException.invalid("prompt", "prompt must be a string (or an array of one string)");
    }

    private static List<PromptTemplate.Message> messages(JsonNode messages) {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw OpenAiException.invalid("messages", "messages must be a non-empty array");
        }
        List<PromptTemplate.Message> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String param = "messages[" + i + "]";
            if (!m.isObject() || !m.path("role").isTextual()) throw OpenAiException.invalid(param + ".role", "each message needs a role");
            String role = m.get("role").asText();
            if (!List.of("system", "developer", "user", "assistant").contains(role)) {
                throw OpenAiException.invalid(param + ".role", "unsupported role \"" + role + "\"");
            }
            JsonNode content = m.get("content");
            String text;
            if (content != null && content.isTextual()) {
                text = content.asText();
            } else if (content != null && content.isArray()) {
                StringBuilder joined = new StringBuilder();
                for (JsonNode part : content) {
                    if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                        throw OpenAiException.invalid(param + ".content", "only text content parts are supported");
                    }
                    joined.append(part.get("text").asText());
                }
                text = joined.toString();
            } else {
                throw OpenAiException.invalid(param + ".content", "each message needs a content string");
            }
            out.add(new PromptTemplate.Message(role.equals("developer") ? "system" : role, text));
        }
        return out;
    }

    private static List<String> stop(JsonNode stop) {
        if (stop == null || stop.isNull()) return List.of();
        List<String> out = new ArrayList<>();
        if (stop.isTextual()) {
            out.add(stop.asText());
        } else if (stop.isArray() && stop.size() <= 4) {
            for (JsonNode s : stop) {
                if (!s.isTextual()) throw OpenAiException.invalid("stop", "stop must be a string or an array of up to 4 strings");
                out.add(s.asText());
            }
        } else {
            throw OpenAiException.invalid("stop", "stop must be a string or an array of up to 4 strings");
        }
        for (String s : out) if (s.isEmpty()) throw OpenAiException.invalid("stop", "a stop string may not be empty");
        return List.copyOf(out);
    }
}
