package org.zerotir.serve;

import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.zerotir.analysis.ScalingAnalysis;

import java.util.List;

/**
 * {@code GET /api/runs/{id}/scaling}: one run's scaling-law fits for the dashboard. A root of its own (not a method of
 * the run resource, which another feature owns); Quarkus REST picks it for this path as the longer literal match.
 */
@Path("/api/runs/{id}/scaling")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "scaling", description = "Metrics against training step: linear, logarithmic and power-law fits, correlations")
public class RunScalingResource {
    private final ScalingService scaling;

    public RunScalingResource(ScalingService scaling) {
        this.scaling = scaling;
    }

    @GET
    @Operation(summary = "Fit each metric (metric may repeat; default: accuracy, code use, calls, length, reward and every eval/*) "
            + "against step; the best form by error on the last heldOut share of steps; correlations of step, code use, length, accuracy")
    public ScalingService.RunScaling run(@PathParam("id") String id, @QueryParam("metric") List<String> metric,
                                         @QueryParam("heldOut") @DefaultValue("" + ScalingAnalysis.DEFAULT_HELD_OUT) double heldOut) {
        return scaling.scaling(ScalingService.runId(id), metric == null ? List.of() : metric, heldOut);
    }
}
