package org.zerotir.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.zerotir.eval.EvalResult;
import org.zerotir.eval.Reports;

import java.util.List;
import java.util.UUID;

/**
 * {@code POST /api/evaluations} starts a benchmark evaluation of a servable model (202, the stored row);
 * {@code GET /api/evaluations} lists them newest first, {@code GET /api/evaluations/{id}} shows one with its
 * summary once COMPLETED, {@code GET /api/evaluations/{id}/responses} pages through its judged responses and
 * {@code GET /api/evaluations/headline?zerotir=..&zerorl=..} puts evaluations side by side as the paper's table. Every call needs the API key. Errors: {@code {"error": {"message", "field", "code"}}}.
 */
@Path("/api/evaluations")
@Produces(MediaType.APPLICATION_JSON)
public class EvaluationResource {
    private static final List<String> FIELDS = List.of("model", "benchmark", "limit", "samples", "temperature", "topP", "seed", "tool",
            "maxResponseTokens", "callBudget");

    private static final int MAX_PAGE_SIZE = 500;

    private final EvaluationService service;
    private final EvaluationResponses responses;
    private final ApiKeys keys;

    public EvaluationResource(EvaluationService service, EvaluationResponses responses, ApiKeys keys) {
        this.service = service;
        this.responses = responses;
        this.keys = keys;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(@HeaderParam("Authorization") String authorization, JsonNode body) {
        authorize(authorization);
        if (body == null || !body.isObject()) throw error(400, "the body must be a JSON object", null, "invalid");
        body.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) throw error(400, "unknown field " + name + "; known: " + FIELDS, name, "unknown_field");
        });
        EvaluationService.Request request = new EvaluationService.Request(text(body, "model"), text(body, "benchmark"),
                integer(body, "limit", 0), body.hasNonNull("samples") ? integer(body, "samples", 1) : null,
                body.hasNonNull("temperature") ? number(body, "temperature", 0) : null, number(body, "topP", 1.0),
                integer(body, "seed", 1), !body.has("tool") || bool(body, "tool"), integer(body, "maxResponseTokens", 1024),
                integer(body, "callBudget", 2));
        try {
            Evaluation created = service.submit(request);
            return Response.status(202).entity(service.view(created)).build();
        } catch (EvaluationService.InvalidField e) {
            throw error(400, e.getMessage(), e.field, "invalid");
        }
    }

    @GET
    public ArrayNode list(@HeaderParam("Authorization") String authorization) {
        authorize(authorization);
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (Evaluation e : Evaluation.<Evaluation>list("order by createdAt desc")) out.add(service.view(e));
        return out;
    }

    @GET
    @Path("{id}")
    public ObjectNode get(@HeaderParam("Authorization") String authorization, @PathParam("id") String id) {
        authorize(authorization);
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw error(404, "no evaluation " + id, "id", "not_found");
        }
        Evaluation e = Evaluation.findById(uuid);
        if (e == null) throw error(404, "no evaluation " + id, "id", "not_found");
        return service.view(e);
    }

    /** The judged responses of an evaluation, in benchmark order; correct=true|false keeps only right or only wrong ones. */
    @GET
    @Path("{id}/responses")
    public EvaluationResponses.Page responses(@HeaderParam("Authorization") String authorization, @PathParam("id") String id,
                                              @QueryParam("page") @DefaultValue("0") int page, @QueryParam("size") @DefaultValue("50") int size,
                                              @QueryParam("correct") Boolean correct) {
        ObjectNode evaluation = get(authorization, id);
        if (page < 0) throw error(400, "page must be >= 0, got " + page, "page", "invalid");
        if (size < 1 || size > MAX_PAGE_SIZE) throw error(400, "size must be in [1, " + MAX_PAGE_SIZE + "], got " + size, "size", "invalid");
        return responses.page(UUID.fromString(evaluation.get("id").asText()), correct, page, size);
    }

    /**
     * The paper's headline table from stored evaluations: each zerotir evaluation (the tool-trained model, with its
     * tool) beside the zerorl one of the same benchmark (no tool), as Markdown (default) or CSV.
     */
    @GET
    @Path("headline")
    @Produces({"text/markdown", "text/csv", MediaType.APPLICATION_JSON})
    public Response headline(@HeaderParam("Authorization") String authorization, @QueryParam("zerotir") List<String> zeroTir,
                             @QueryParam("zerorl") List<String> zeroRl, @QueryParam("format") @DefaultValue("markdown") String format) {
        authorize(authorization);
        if (!format.equals("markdown") && !format.equals("csv")) throw error(400, "format must be markdown or csv, got " + format, "format", "invalid");
        if (zeroTir == null || zeroTir.isEmpty()) throw error(400, "name the ZeroTIR evaluations: ?zerotir=<id>&zerorl=<id>", "zerotir", "invalid");
        List<EvalResult> tool = results(zeroTir, "zerotir"), baseline = results(zeroRl == null ? List.of() : zeroRl, "zerorl");
        String table = format.equals("csv") ? Reports.headlineCsv(tool, baseline) : Reports.headlineMarkdown(tool, baseline);
        return Response.ok(table, (format.equals("csv") ? "text/csv" : "text/markdown") + "; charset=utf-8").build();
    }

    private List<EvalResult> results(List<String> ids, String field) {
        List<EvalResult> results = new java.util.ArrayList<>();
        for (String id : ids) {
            UUID uuid;
            try {
                uuid = UUID.fromString(id);
            } catch (IllegalArgumentException e) {
                throw error(400, "no evaluation " + id + " (evaluation ids are UUIDs)", field, "invalid");
            }
            try {
                results.add(service.result(uuid, field));
            } catch (EvaluationService.InvalidField e) {
                throw error(400, e.getMessage(), e.field, "invalid");
            }
        }
        return results;
    }

    private void authorize(String authorization) {
        String refusal = keys.refusal(authorization);
        if (refusal != null) throw error(401, refusal, null, "unauthorized");
    }

    private static String text(JsonNode body, String field) {
        if (!body.path(field).isTextual() || body.get(field).asText().isBlank()) throw error(400, field + " is required (a string)", field, "invalid");
        return body.get(field).asText();
    }

    private static int integer(JsonNode body, String field, int otherwise) {
        if (!body.hasNonNull(field)) return otherwise;
        if (!body.get(field).canConvertToInt() || !body.get(field).isIntegralNumber()) throw error(400, field + " must be an integer", field, "invalid");
        return body.get(field).asInt();
    }

    private static double number(JsonNode body, String field, double otherwise) {
        if (!body.hasNonNull(field)) return otherwise;
        if (!body.get(field).isNumber()) throw error(400, field + " must be a number", field, "invalid");
        return body.get(field).asDouble();
    }

    private static boolean bool(JsonNode body, String field) {
        if (!body.get(field).isBoolean()) throw error(400, field + " must be true or false", field, "invalid");
        return body.get(field).asBoolean();
    }

    static WebApplicationException error(int status, String message, String field, String code) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putObject("error").put("message", message).put("field", field).put("code", code);
        return new WebApplicationException(Response.status(status).type(MediaType.APPLICATION_JSON).entity(body).build());
    }
}
