package org.zerotir.serve;

import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.zerotir.analysis.ScalingAnalysis;
import org.zerotir.runs.ApiError;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * {@code GET /api/scaling?run=a&run=b}: the scaling view of several runs side by side (ZeroTIR beside ZeroRL), each as
 * {@code GET /api/runs/{id}/scaling} gives it. Reads need a key only when the run API's do; errors are the §7 body.
 */
@Path("/api/scaling")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "scaling", description = "Metrics against training step: linear, logarithmic and power-law fits, correlations")
public class ScalingResource {

    /** Several runs' views, in the order asked. */
    public record Comparison(List<ScalingService.RunScaling> runs) {}

    private final ScalingService scaling;

    public ScalingResource(ScalingService scaling) {
        this.scaling = scaling;
    }

    @GET
    @Operation(summary = "The scaling view of several runs (run repeats), e.g. ZeroTIR beside ZeroRL")
    public Comparison runs(@QueryParam("run") List<String> run, @QueryParam("metric") List<String> metric,
                           @QueryParam("heldOut") @DefaultValue("" + ScalingAnalysis.DEFAULT_HELD_OUT) double heldOut) {
        if (run == null || run.isEmpty()) throw ApiError.invalid("run", "name at least one run: /api/scaling?run=<id>&run=<id>");
        List<ScalingService.RunScaling> views = new ArrayList<>();
        for (String id : new LinkedHashSet<>(run)) {
            views.add(scaling.scaling(ScalingService.runId(id), metric == null ? List.of() : metric, heldOut));
        }
        return new Comparison(views);
    }
}
