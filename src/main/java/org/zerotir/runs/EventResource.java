package org.zerotir.runs;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/** One stream of every run's status changes, for the runs list. */
@Path("/api/events")
@Tag(name = "runs")
public class EventResource {

    @Inject
    RunEvents events;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Every run's status changes: 'status' events with runId, name, status, currentStep, errorMessage")
    public void all(@Context SseEventSink sink, @Context Sse sse) {
        events.subscribeAll(sink, sse).goLive();
    }
}
