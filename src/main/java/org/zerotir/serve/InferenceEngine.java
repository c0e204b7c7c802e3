package org.zerotir.serve;

import org.jboss.logging.Logger;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.generate.Generator;
import org.zerotir.engine.generate.SamplingParams;
import org.zerotir.engine.generate.StopReason;
import org.zerotir.engine.generate.StopRules;
import org.zerotir.rollout.CodeRunner;
import org.zerotir.rollout.ToolRollout;
import org.zerotir.rollout.TokenizerCodec;
import org.zerotir.tokenizer.Tokenizer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded model serving many requests at once. A single loop thread owns a {@link Generator} with many KV-cache
 * slots (continuous batching): between two decode steps it admits waiting sequences into free slots, frees the
 * slots of finished or abandoned ones, and appends the outputs of finished code executions. A sequence that
 * closes a ```python block pauses while its code runs in the sandbox, its output is appended as an ```output
 * block and it resumes without recomputing its prefix: the fences, output block, output cap and call budget of
 * training ({@link ToolRollout}). Everything a request hears comes from the loop thread, in order.
 */
public final class InferenceEngine implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(InferenceEngine.class);

    /** What the loop tells one sequence's caller; all calls come from the loop thread. */
    public interface Listener {
        /** The sequence's first token was sampled (time to first token; its text may need more tokens to show). */
        default void firstToken() {}

        /** Text the response gained: the model's tokens as they decode, and appended output blocks. */
        void text(String delta);

        /** A code block ran; its output block has just been sent through {@link #text}. */
        void executed(CodeRunner.Execution execution);

        /** finishReason: "stop" or "length" (OpenAI's words); completionTokens: tokens the model sampled. */
        void finished(String finishReason, int completionTokens, int toolOutputTokens);

        void failed(String message);
    }

    /**
     * One sequence to generate.
     *
     * @param openCode       code the prompt leaves inside an unclosed ```python block ("prefill"), null when none:
     *                       when the model closes the fence that code runs as if the model had written it
     * @param stopStrings    the caller's stop strings: the response ends before them and they are not returned
     * @param templateStops  the template's stop strings: the response ends after them, as in training
     */
    public record Sequence(int[] promptIds, String openCode, SamplingParams sampling, int maxTokens, List<String> stopStrings,
                           List<String> templateStops, boolean toolEnabled, int callBudget) {}

    /** Lets the caller abandon a sequence; its slot is freed before the next decode step. */
    public interface Handle {
        void cancel();
    }

    private final String name;
    private final Transformer model;
    private final Tokenizer tokenizer;
    private final TokenizerCodec codec;
    private final Set<Integer> stopTokens;
    private final CodeRunner runner;
    private final int maxOutputTokens;
    private final Generator generator;
    private final Thread loop;
    private final BlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
    private final Deque<Active> waiting = new ArrayDeque<>();
    private final Active[] slots;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger generatedTokens = new AtomicInteger();
    private volatile int peakBatch;
    private volatile boolean closing, retired;
    private final AutoCloseable resources;

    /** resources (the model's backend) are closed with the engine, after the model. */
    public InferenceEngine(String name, Transformer model, Tokenizer tokenizer, Set<Integer> stopTokens, CodeRunner runner,
                           int slotCount, int contextLength, int maxOutputTokens, AutoCloseable resources) {
        this.name = name;
        this.model = model;
        this.tokenizer = tokenizer;
        this.codec = new TokenizerCodec(tokenizer);
        this.stopTokens = Set.copyOf(stopTokens);
        this.runner = runner;
        this.maxOutputTokens = maxOutputTokens;
        this.resources = resources;
        this.generator = new Generator(model, slotCount, Math.min(contextLength, model.config().maxPositions()));
        this.slots = new Active[slotCount];
        this.loop = Thread.ofPlatform().name("inference-" + name).daemon().start(this::run);
    }

    public String name() {
        return name;
    }

    public int contextLength() {
        return generator.maxSequenceLength();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** Sequences admitted or waiting and not yet finished. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Starts a sequence; its listener hears everything from the loop thread. */
    public synchronized Handle submit(Sequence sequence, Listener listener) {
        if (closing || retired) throw new IllegalStateException("model " + name + " is being unloaded");
        if (sequence.promptIds().length + 1 >= generator.maxSequenceLength()) {
            throw new IllegalArgumentException("the prompt has " + sequence.promptIds().length + " tokens; model " + name
                    + " has a context of " + generator.maxSequenceLength());
        }
        Active active = new Active(sequence, new Guarded(listener));
        inFlight.incrementAndGet();
        inbox.add(() -> waiting.add(active));
        return () -> inbox.add(() -> cancel(active));
    }

    /** Unloads once the sequences in flight have finished (a replaced checkpoint's answers are not cut short). */
    public void retire() {
        retired = true;
        inbox.add(() -> { });
    }

    /**
     * Unloads at once if no sequence is in flight, else does nothing and says so. Synchronized with {@link #submit},
     * so a request cannot slip in between the check and the retirement (the LRU never evicts a busy model).
     */
    public synchronized boolean retireIfIdle() {
        if (closing) return true; // its loop already ended (a failure): nothing left to wait for
        if (retired || inFlight.get() > 0) return false;
        retire();
        return true;
    }

    @Override
    public void close() {
        closing = true;
        loop.interrupt();
        try {
            loop.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One response being generated. */
    private final class Active {
        final Sequence sequence;
        final Listener listener;
        final List<Integer> response = new ArrayList<>();
        final Tokenizer.StreamDecoder decoder = tokenizer.streamDecoder(true);
        final StringBuilder text = new StringBuilder();   // the response's text so far
        final StringBuilder segment = new StringBuilder(); // text since the last output block (and the prompt's open code)
        int emitted;                                       // characters of text already sent
        int sampled, toolOutputTokens, calls;
        int slot = -1;
        boolean done, executing;

        Active(Sequence sequence, Listener listener) {
            this.sequence = sequence;
            this.listener = listener;
            if (sequence.openCode() != null) segment.append(ToolRollout.CODE_OPEN).append('\n').append(sequence.openCode());
        }
    }

    private void run() {
        try {
            while (!closing) {
                drainInbox();
                admit();
                if (generator.hasRunning()) {
                    List<Generator.Sampled> step = generator.step();
                    generatedTokens.addAndGet(step.size());
                    if (step.size() > peakBatch) peakBatch = step.size();
                    for (Generator.Sampled s : step) onSampled(slots[s.slot()], s);
                } else {
                    if (retired && inFlight.get() == 0) break;
                    Runnable next = inbox.poll(1, TimeUnit.SECONDS);
                    if (next != null) next.run();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.errorf(e, "inference loop of model %s failed", name);
            failAll("the inference engine of model " + name + " failed: " + e);
        } finally {
            if (!closing) failAll("model " + name + " was unloaded");
            closing = true;
            failAll("the server is shutting down");
            try {
                model.close();
                if (resources != null) resources.close();
            } catch (Exception e) {
                LOG.warnf(e, "closing model %s", name);
            }
        }
    }

    private void drainInbox() {
        for (Runnable r; (r = inbox.poll()) != null; ) r.run();
    }

    private void admit() {
        for (int slot = 0; slot < slots.length && !waiting.isEmpty(); slot++) {
            if (slots[slot] != null) continue;
            Active a = waiting.poll();
            Sequence s = a.sequence;
            try {
                generator.start(slot, s.promptIds(), s.sampling(), new StopRules(stopTokens, List.of(), s.maxTokens(), null));
            } catch (IllegalArgumentException e) {
                end(a);
                a.listener.failed(e.getMessage());
                continue;
            }
            a.slot = slot;
            slots[slot] = a;
        }
    }

    private void onSampled(Active a, Generator.Sampled s) {
        a.response.add(s.token());
        if (a.sampled++ == 0) a.listener.firstToken();
        StopReason reason = s.stopReason();
        String piece = a.decoder.push(s.token());
        a.text.append(piece);
        a.segment.append(piece);
        if (reason == StopReason.STOP_TOKEN) {
            finish(a, "stop");
            return;
        }
        // the caller's stop strings: the text ends before the first one, which is never sent
        int cut = firstStop(a);
        if (cut >= 0) {
            a.text.setLength(cut);
            finish(a, "stop", true);
            return;
        }
        for (String stop : a.sequence.templateStops()) {
            if (a.segment.indexOf(stop) >= 0) {
                finish(a, "stop");
                return;
            }
        }
        if (reason == StopReason.MAX_TOKENS || reason == StopReason.CONTEXT_FULL) {
            finish(a, "length");
            return;
        }
        String code = a.sequence.toolEnabled() && a.calls < a.sequence.callBudget() ? ToolRollout.closedCode(a.segment.toString()) : null;
        if (code != null) {
            flush(a, a.text.length());
            generator.pause(a.slot);
            execute(a, code);
            return;
        }
        flush(a, a.text.length() - heldBack(a));
    }

    /** Where the first of the caller's stop strings starts in the text, or -1. */
    private static int firstStop(Active a) {
        int best = -1;
        for (String stop : a.sequence.stopStrings()) {
            int from = Math.max(0, a.emitted - stop.length());
            int at = a.text.indexOf(stop, from);
            if (at >= 0 && (best < 0 || at < best)) best = at;
        }
        return best;
    }

    /** Characters at the end of the text that could begin a stop string: held until it is clear they do not. */
    private static int heldBack(Active a) {
        int held = 0;
        for (String stop : a.sequence.stopStrings()) {
            for (int n = Math.min(stop.length() - 1, a.text.length() - a.emitted); n > held; n--) {
                if (a.text.substring(a.text.length() - n).equals(stop.substring(0, n))) {
                    held = n;
                    break;
                }
            }
        }
        return held;
    }

    private void flush(Active a, int upTo) {
        if (upTo > a.emitted) {
            a.listener.text(a.text.substring(a.emitted, upTo));
            a.emitted = upTo;
        }
    }

    private void execute(Active a, String code) {
        a.executing = true;
        a.calls++;
        CompletableFuture<CodeRunner.Execution> future;
        try {
            future = runner.run(code, null);
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        future.whenComplete((execution, error) -> inbox.add(() -> appendOutput(a, error == null ? execution
                : new CodeRunner.Execution(code, "sandbox error: " + error.getMessage(), CodeRunner.Status.INFRASTRUCTURE, 0))));
    }

    private void appendOutput(Active a, CodeRunner.Execution execution) {
        a.executing = false;
        if (a.done) return; // the caller went away while the code ran
        int[] written = a.response.stream().mapToInt(Integer::intValue).toArray();
        String block = ToolRollout.outputBlock(codec, execution.output(), maxOutputTokens,
                ToolRollout.endsWithNewline(codec, written, written.length));
        int[] ids = codec.encode(block);
        int used = a.sequence.promptIds().length + a.response.size();
        if (used + ids.length >= generator.maxSequenceLength() - 1) {
            finish(a, "length");
            return;
        }
        String held = a.decoder.finish();
        a.text.append(held);
        flush(a, a.text.length());
        for (int id : ids) a.response.add(id);
        a.toolOutputTokens += ids.length;
        a.text.append(block);
        a.segment.setLength(0);
        flush(a, a.text.length());
        a.listener.executed(execution);
        generator.append(a.slot, ids);
        generator.resume(a.slot);
    }

    private void finish(Active a, String finishReason) {
        finish(a, finishReason, false);
    }

    /** cutAtStop: the text already ends where a stop string began; nothing held back belongs to it. */
    private void finish(Active a, String finishReason, boolean cutAtStop) {
        if (!cutAtStop) {
            a.text.append(a.decoder.finish());
            int cut = firstStop(a);
            if (cut >= 0) a.text.setLength(cut);
        }
        flush(a, a.text.length());
        end(a);
        a.listener.finished(finishReason, a.sampled, a.toolOutputTokens);
    }

    private void cancel(Active a) {
        if (a.done) return;
        waiting.remove(a);
        end(a);
    }

    /** Frees the sequence's slot (if it has one) at once. */
    private void end(Active a) {
        if (a.done) return;
        a.done = true;
        inFlight.decrementAndGet();
        if (a.slot >= 0) {
            generator.free(a.slot);
            slots[a.slot] = null;
        }
    }

    private void failAll(String message) {
        List<Active> all = new ArrayList<>(waiting);
        waiting.clear();
        for (Active a : slots) if (a != null) all.add(a);
        drainCancels();
        for (Active a : all) {
            if (a.done) continue;
            end(a);
            a.listener.failed(message);
        }
    }

    private void drainCancels() {
        // submissions still in the inbox never reach a slot: fail them too
        List<Runnable> rest = new ArrayList<>();
        inbox.drainTo(rest);
        for (Runnable r : rest) r.run();
        while (!waiting.isEmpty()) {
            Active a = waiting.poll();
            if (a.done) continue;
            end(a);
            a.listener.failed("model " + name + " was unloaded");
        }
    }

    /** The most sequences that sampled a token in one decode step: how much batching the traffic allowed. */
    public int peakBatch() {
        return peakBatch;
    }

    /** Tokens sampled since the engine started (for throughput figures). */
    public long generatedTokens() {
        return generatedTokens.get();
    }

    /** A listener whose failures (a write to a closed connection) never reach the loop. */
    private record Guarded(Listener inner) implements Listener {
        @Override public void firstToken() { guard(inner::firstToken); }
        @Override public void text(String delta) { guard(() -> inner.text(delta)); }
        @Override public void executed(CodeRunner.Execution execution) { guard(() -> inner.executed(execution)); }
        @Override public void finished(String reason, int completion, int toolOutput) { guard(() -> inner.finished(reason, completion, toolOutput)); }
        @Override public void failed(String message) { guard(() -> inner.failed(message)); }

        private static void guard(Runnable call) {
            try {
                call.run();
            } catch (RuntimeException e) {
                LOG.debugf(e, "a request's listener failed");
            }
        }
    }
}
