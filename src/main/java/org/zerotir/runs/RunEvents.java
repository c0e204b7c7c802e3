package org.zerotir.runs;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * Live events for SSE subscribers: per run, each step's metrics once they are stored ({@code event: step},
 * {@code id: <step>}), evaluations and status changes; for everyone, every run's status changes.
 *
 * <p>Publishing never blocks the training thread: sinks write asynchronously. A subscriber that resumes
 * with {@code Last-Event-ID} first gets the stored steps after that id (read from the database) while live
 * events wait in its queue; then the queue drains, skipping steps it already sent, so nothing is lost or
 * sent twice across the switch.
 */
@ApplicationScoped
public class RunEvents {

    /** What goes out: {@code id} is the step for per-run events (so Last-Event-ID resumes), null otherwise. */
    public record Event(String name, Integer step, Object data) {}

    private static final Logger LOG = Logger.getLogger(RunEvents.class);

    @Inject
    ObjectMapper json;

    private final Map<UUID, Set<Subscriber>> perRun = new ConcurrentHashMap<>();
    private final Set<Subscriber> allRuns = ConcurrentHashMap.newKeySet();
    private final AtomicLong sent = new AtomicLong(), failed = new AtomicLong();

    /** A subscriber that queues live events until {@link Subscriber#goLive()}. */
    public final class Subscriber {
        private final SseEventSink sink;
        private final Sse sse;
        private final UUID runId;
        private final ReentrantLock lock = new ReentrantLock();
        private final ArrayDeque<Event> pending = new ArrayDeque<>();
        private boolean live;
        private int lastStep;

        private Subscriber(SseEventSink sink, Sse sse, UUID runId, int lastStep) {
            this.sink = sink;
            this.sse = sse;
            this.runId = runId;
            this.lastStep = lastStep;
        }

        /** Sends now, during the replay; live events keep waiting. */
        public void replay(Event event) {
            lock.lock();
            try {
                send(event);
            } finally {
                lock.unlock();
            }
        }

        /** Ends the replay: what arrived meanwhile goes out, then events go out as they come. */
        public void goLive() {
            lock.lock();
            try {
                while (!pending.isEmpty()) send(pending.poll());
                live = true;
            } finally {
                lock.unlock();
            }
        }

        private void offer(Event event) {
            lock.lock();
            try {
                if (live) send(event);
                else pending.add(event);
            } finally {
                lock.unlock();
            }
        }

        private void send(Event event) {
            if (sink.isClosed()) {
                unsubscribe(this);
                return;
            }
            if ("step".equals(event.name()) && event.step() != null) {
                if (event.step() <= lastStep) return;
                lastStep = event.step();
            }
            String data = event.data() instanceof String json ? json : serialise(event.data());
            OutboundSseEvent.Builder builder = sse.newEventBuilder().name(event.name()).data(data);
            if (event.step() != null) builder.id(String.valueOf(event.step()));
            sink.send(builder.build()).whenComplete((ignored, error) -> {
                if (error == null) {
                    sent.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                    unsubscribe(this);
                }
            });
        }
    }

    /** Registers a subscriber to one run's events that have a step after {@code lastStep}. */
    public Subscriber subscribe(UUID runId, SseEventSink sink, Sse sse, int lastStep) {
        Subscriber subscriber = new Subscriber(sink, sse, runId, lastStep);
        perRun.computeIfAbsent(runId, id -> ConcurrentHashMap.newKeySet()).add(subscriber);
        return subscriber;
    }

    /** Registers a subscriber to every run's status changes. */
    public Subscriber subscribeAll(SseEventSink sink, Sse sse) {
        Subscriber subscriber = new Subscriber(sink, sse, null, Integer.MAX_VALUE);
        allRuns.add(subscriber);
        return subscriber;
    }

    void unsubscribe(Subscriber subscriber) {
        if (subscriber.runId == null) {
            allRuns.remove(subscriber);
        } else {
            Set<Subscriber> subscribers = perRun.get(subscriber.runId);
            if (subscribers != null) subscribers.remove(subscriber);
        }
    }

    public void publishStep(UUID runId, int step, Map<String, Double> metrics) {
        publish(runId, new Event("step", step, Map.of("runId", runId, "step", step, "metrics", metrics)));
    }

    public void publishEvaluation(UUID runId, int step, Map<String, Double> metrics) {
        publish(runId, new Event("evaluation", step, Map.of("runId", runId, "step", step, "metrics", metrics)));
    }

    public void publishStatus(RunView run) {
        Event event = new Event("status", run.currentStep(), statusData(run));
        publish(run.id(), event);
        Event global = new Event("status", null, serialise(event.data()));
        for (Subscriber subscriber : allRuns) subscriber.offer(global);
    }

    static Map<String, Object> statusData(RunView run) {
        java.util.LinkedHashMap<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("runId", run.id());
        data.put("name", run.name());
        data.put("status", run.status());
        data.put("currentStep", run.currentStep());
        data.put("errorMessage", run.errorMessage());
        return data;
    }

    private void publish(UUID runId, Event event) {
        Set<Subscriber> subscribers = perRun.get(runId);
        if (subscribers == null || subscribers.isEmpty()) return;
        // serialised once for every subscriber
        Event serialised = new Event(event.name(), event.step(), serialise(event.data()));
        for (Subscriber subscriber : subscribers) subscriber.offer(serialised);
    }

    /** Events handed to sinks that reported success, and those that failed (a client went away). */
    public long sentEvents() {
        return sent.get();
    }

    public long failedEvents() {
        return failed.get();
    }

    public int subscribers() {
        return allRuns.size() + perRun.values().stream().mapToInt(Set::size).sum();
    }

    private String serialise(Object data) {
        try {
            return json.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            LOG.warn("An event did not serialise", e);
            return "{}";
        }
    }
}
