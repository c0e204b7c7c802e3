package org.zerotir.runs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.zerotir.rl.RunConfig;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/** Runs over HTTP; the logic is in {@link RunService}. */
@Path("/api/runs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "runs", description = "RL training runs: lifecycle, metrics, rollouts, checkpoints, live events")
@SecurityScheme(securitySchemeName = "apiKey", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "An API key: configured with zerotir.api.keys, or generated and logged at the first start")
public class RunResource {

    @Inject
    RunService runs;

    @Inject
    RunEvents events;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a run from a configuration document (see /api/runs/schema); it is queued")
    @SecurityRequirement(name = "apiKey")
    @RequestBody(required = true, description = "The run's configuration; absent fields take their defaults",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RunConfig.class)))
    @APIResponse(responseCode = "201", description = "The queued run")
    @APIResponse(responseCode = "400", description = "{\"error\": {\"message\", \"field\", \"code\"}} naming the field")
    @APIResponse(responseCode = "401", description = "No or a wrong API key")
    public Response create(JsonNode config) {
        RunView run = runs.create(config);
        return Response.status(Response.Status.CREATED).header("Location", "/api/runs/" + run.id()).entity(run).build();
    }

    @GET
    @Operation(summary = "List runs, newest first; status may repeat or be comma-separated, name matches a substring")
    public RunService.RunPage list(@QueryParam("status") List<String> status, @QueryParam("name") String name,
                                   @QueryParam("page") @DefaultValue("0") int page, @QueryParam("size") @DefaultValue("50") int size) {
        List<RunStatus> statuses = new ArrayList<>();
        for (String value : split(status)) {
            try {
                statuses.add(RunStatus.valueOf(value.toUpperCase()));
            } catch (IllegalArgumentException e) {
                throw ApiError.invalid("status", "status must be one of " + Arrays.toString(RunStatus.values()) + ", got " + value);
            }
        }
        return runs.list(statuses, name, page, size);
    }

    @GET
    @Path("schema")
    @Operation(summary = "The JSON Schema of a run's configuration, with its defaults")
    public ObjectNode schema() {
        return RunConfigSchema.schema();
    }

    @GET
    @Path("{id}")
    @Operation(summary = "One run")
    public RunView get(@PathParam("id") String id) {
        return runs.get(uuid(id));
    }

    @POST
    @Path("{id}/stop")
    @Operation(summary = "Stop a queued run now, or a running one after its current step")
    @SecurityRequirement(name = "apiKey")
    public RunView stop(@PathParam("id") String id) {
        return runs.stop(uuid(id));
    }

    @POST
    @Path("{id}/resume")
    @Operation(summary = "Queue a stopped or failed run again; it continues from its latest checkpoint")
    @SecurityRequirement(name = "apiKey")
    public RunView resume(@PathParam("id") String id) {
        return runs.resume(uuid(id));
    }

    @POST
    @Path("{id}/clone")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "A new run: this run's configuration with a JSON merge patch (RFC 7396) applied")
    @SecurityRequirement(name = "apiKey")
    public Response cloneRun(@PathParam("id") String id, JsonNode patch) {
        RunView run = runs.cloneRun(uuid(id), patch);
        return Response.status(Response.Status.CREATED).header("Location", "/api/runs/" + run.id()).entity(run).build();
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Delete a run that is not running, with its metrics, rollouts and files")
    @SecurityRequirement(name = "apiKey")
    public Response delete(@PathParam("id") String id) {
        runs.delete(uuid(id));
        return Response.noContent().build();
    }

    @GET
    @Path("{id}/metrics")
    @Operation(summary = "Per-step metrics from..to (inclusive), optionally only the given names (repeat or comma-separate)")
    public List<RunService.StepMetrics> metrics(@PathParam("id") String id, @QueryParam("from") Integer from,
                                                @QueryParam("to") Integer to, @QueryParam("names") List<String> names) {
        return runs.metrics(uuid(id), from, to, split(names), false);
    }

    @GET
    @Path("{id}/evaluations")
    @Operation(summary = "Held-out evaluations (eval/<benchmark>/... metrics) by step")
    public List<RunService.StepMetrics> evaluations(@PathParam("id") String id) {
        return runs.metrics(uuid(id), null, null, List.of(), true);
    }

    @GET
    @Path("{id}/rollouts")
    @Operation(summary = "Sampled responses of a step (default: the latest step that has some), with code and outputs")
    public List<RunService.RolloutView> rollouts(@PathParam("id") String id, @QueryParam("step") Integer step) {
        return runs.rollouts(uuid(id), step);
    }

    @GET
    @Path("{id}/checkpoints")
    @Operation(summary = "Checkpoints the run wrote")
    public List<RunService.CheckpointView> checkpoints(@PathParam("id") String id) {
        return runs.checkpoints(uuid(id));
    }

    @GET
    @Path("{id}/log")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "The last lines of the run's log")
    public String log(@PathParam("id") String id, @QueryParam("lines") @DefaultValue("100") int lines) throws IOException {
        List<String> tail = runs.logTail(uuid(id), lines);
        return tail.isEmpty() ? "" : String.join("\n", tail) + "\n";
    }

    @GET
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Live events of one run: 'step' (id = step, data = metrics), 'evaluation', 'status';"
            + " reconnecting with Last-Event-ID replays the steps after it")
    public void runEvents(@PathParam("id") String id, @HeaderParam("Last-Event-ID") String lastEventId,
                          @Context SseEventSink sink, @Context Sse sse) {
        UUID runId = uuid(id);
        RunView run = runs.get(runId);
        int after;
        try {
            after = lastEventId == null || lastEventId.isBlank() ? 0 : Integer.parseInt(lastEventId.strip());
        } catch (NumberFormatException e) {
            throw ApiError.invalid("Last-Event-ID", "Last-Event-ID must be a step number, got " + lastEventId);
        }
        RunEvents.Subscriber subscriber = events.subscribe(runId, sink, sse, after);
        // live events queue in the subscriber while the stored steps after Last-Event-ID go out
        subscriber.replay(new RunEvents.Event("status", null, RunEvents.statusData(run)));
        int from = after + 1;
        while (true) {
            List<RunService.StepMetrics> stored = runs.metrics(runId, from, from + 499, List.of(), false);
            for (RunService.StepMetrics step : stored) {
                var training = new java.util.LinkedHashMap<String, Double>();
                step.metrics().forEach((name, value) -> {
                    if (!name.startsWith("eval/")) training.put(name, value);
                });
                if (!training.isEmpty()) {
                    subscriber.replay(new RunEvents.Event("step", step.step(),
                            java.util.Map.of("runId", runId, "step", step.step(), "metrics", training)));
                }
            }
            if (stored.isEmpty() || stored.getLast().step() < from + 499) break;
            from += 500;
        }
        subscriber.goLive();
    }

    private static List<String> split(List<String> values) {
        if (values == null) return List.of();
        List<String> parts = new ArrayList<>();
        for (String value : values) {
            for (String part : value.split(",")) if (!part.isBlank()) parts.add(part.strip());
        }
        return parts;
    }

    static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiError.notFound("no run " + id + " (run ids are UUIDs)");
        }
    }
}
