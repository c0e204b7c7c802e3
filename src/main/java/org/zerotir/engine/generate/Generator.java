package org.zerotir.engine.generate;

import org.zerotir.engine.KvCache;
import org.zerotir.engine.Transformer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Batched generation over a fixed set of KV-cache slots. Each call to {@link #step()} feeds every running
 * slot's pending tokens (a prompt, appended tool output, or its last sample) through the model in one batch
 * and samples one token per slot whose input is complete. A slot that stops (stop token, sequence, condition,
 * length, or an explicit pause) keeps its cache, so the caller can {@link #append} tokens it did not sample
 * (tool output) and {@link #resume} it without recomputing the prefix, or {@link #free} it for a new sequence.
 */
public final class Generator implements SlotGenerator {

    /** One sampled token; stopReason is non-null when the slot stopped after it. */
    public record Sampled(int slot, int token, float logProb, StopReason stopReason) {}

    private enum State { FREE, RUNNING, STOPPED }

    private static final class Slot {
        State state = State.FREE;
        StopReason stopReason;
        int cached;             // tokens already in the KV cache
        int[] tokens = new int[64];
        int length;             // prompt + everything after it
        int promptLength;
        int sampledCount;
        Sampler sampler;
        StopRules rules;

        void push(int token) {
            if (length == tokens.length) tokens = Arrays.copyOf(tokens, tokens.length * 2);
            tokens[length++] = token;
        }
    }

    private final Transformer model;
    private final KvCache cache;
    private final Slot[] slots;
    private final int maxBatchTokens;
    private final int vocab;
    private float[] logits = new float[0];

    /**
     * @param maxBatchTokens most tokens fed in one step; long prompts are fed in chunks across steps so that
     *                       a batch of prefills does not blow the activation memory
     */
    public Generator(Transformer model, int slotCount, int maxSequenceLength, int maxBatchTokens) {
        if (maxBatchTokens < slotCount) {
            throw new IllegalArgumentException("maxBatchTokens (" + maxBatchTokens + ") must be at least the slot count (" + slotCount + ")");
        }
        this.model = model;
        this.cache = new KvCache(model.backend(), model.config(), slotCount, maxSequenceLength);
        this.slots = new Slot[slotCount];
        for (int i = 0; i < slotCount; i++) slots[i] = new Slot();
        this.maxBatchTokens = maxBatchTokens;
        this.vocab = model.config().vocabSize();
    }

    public Generator(Transformer model, int slotCount, int maxSequenceLength) {
        this(model, slotCount, maxSequenceLength, Math.max(slotCount, 2048));
    }

    @Override
    public int slotCount() {
        return slots.length;
    }

    @Override
    public int maxSequenceLength() {
        return cache.length();
    }

    /** Index of a free slot, or -1 when all are taken. */
    public int freeSlot() {
        for (int i = 0; i < slots.length; i++) if (slots[i].state == State.FREE) return i;
        return -1;
    }

    /** Starts a sequence in a free slot; its prompt is fed at the next step. */
    @Override
    public void start(int slot, int[] prompt, SamplingParams sampling, StopRules rules) {
        Slot s = slot(slot);
        if (s.state != State.FREE) throw new IllegalStateException("slot " + slot + " is in use");
        if (prompt.length == 0) throw new IllegalArgumentException("a prompt needs at least one token");
        if (prompt.length >= cache.length()) {
            throw new IllegalArgumentException("prompt of " + prompt.length + " tokens does not fit a context of " + cache.length());
        }
        for (int token : prompt) checkToken(token);
        s.length = 0;
        s.cached = 0;
        for (int token : prompt) s.push(token);
        s.promptLength = prompt.length;
        s.sampledCount = 0;
        s.sampler = new Sampler(sampling);
        s.rules = rules;
        s.state = State.RUNNING;
        s.stopReason = null;
    }

    /** Stops sampling for a slot until {@link #resume}; its cache is kept. */
    public void pause(int slot) {
        Slot s = inUse(slot);
        if (s.state == State.RUNNING) {
            s.state = State.STOPPED;
            s.stopReason = StopReason.PAUSED;
        }
    }

    /** Adds tokens the model did not sample (tool output) to a stopped slot; they are fed at the next step. */
    @Override
    public void append(int slot, int[] tokens) {
        Slot s = inUse(slot);
        if (s.state != State.STOPPED) throw new IllegalStateException("slot " + slot + " must be stopped or paused to append");
        for (int token : tokens) checkToken(token);
        if (s.length + tokens.length >= cache.length()) {
            throw new IllegalArgumentException("appending " + tokens.length + " tokens to slot " + slot + " would exceed its context of " + cache.length());
        }
        for (int token : tokens) s.push(token);
    }

    @Override
    public void resume(int slot) {
        Slot s = inUse(slot);
        s.state = State.RUNNING;
        s.stopReason = null;
    }

    @Override
    public void free(int slot) {
        Slot s = slot(slot);
        s.state = State.FREE;
        s.stopReason = null;
        s.length = 0;
        s.cached = 0;
    }

    public boolean isRunning(int slot) {
        return slot(slot).state == State.RUNNING;
    }

    public StopReason stopReason(int slot) {
        return slot(slot).stopReason;
    }

    /** Every token of the slot: prompt, then sampled and appended tokens in order. */
    public int[] tokens(int slot) {
        Slot s = slot(slot);
        return Arrays.copyOf(s.tokens, s.length);
    }

    public int promptLength(int slot) {
        return slot(slot).promptLength;
    }

    @Override
    public boolean hasRunning() {
        for (Slot s : slots) if (s.state == State.RUNNING) return true;
        return false;
    }

    /**
     * Feeds pending tokens of all running slots and samples the next token of each slot whose pending tokens
     * all fit this step. Returns the tokens sampled (empty when nothing is running).
     */
    @Override
    public List<Sampled> step() {
        int budget = maxBatchTokens;
        int rows = 0;
        int[] rowTokens = new int[maxBatchTokens], rowSlots = new int[maxBatchTokens], rowPositions = new int[maxBatchTokens];
        int[] samplingSlots = new int[slots.length], logitRows = new int[slots.length];
        int sampling = 0;
        List<Sampled> out = new ArrayList<>();
        // Decode tokens (one pending) go first so that a long prefill never starves running sequences.
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < slots.length; i++) {
                Slot s = slots[i];
                if (s.state != State.RUNNING) continue;
                int pending = s.length - s.cached;
                if ((pending <= 1) != (pass == 0)) continue;
                if (pending == 0) {
                    // resumed without new input: the last token is re-fed to get its logits again
                    s.cached--;
                    pending = 1;
                }
                if (s.length >= cache.length()) {
                    s.state = State.STOPPED;
                    s.stopReason = StopReason.CONTEXT_FULL;
                    continue;
                }
                int take = Math.min(pending, budget);
                if (take == 0) continue;
                for (int t = 0; t < take; t++) {
                    rowTokens[rows] = s.tokens[s.cached + t];
                    rowSlots[rows] = i;
                    rowPositions[rows] = s.cached + t;
                    rows++;
                }
                budget -= take;
                s.cached += take;
                if (take == pending) {
                    samplingSlots[sampling] = i;
                    logitRows[sampling] = rows - 1;
                    sampling++;
                }
            }
        }
        if (rows == 0) return out;
        int[] requested = Arrays.copyOf(logitRows, sampling);
        if (logits.length < sampling * vocab) logits = new float[sampling * vocab];
        model.decode(cache, rowTokens, rowSlots, rowPositions, rows, requested, logits);
        for (int r = 0; r < sampling; r++) {
            int index = samplingSlots[r];
            Slot s = slots[index];
            Sampler.Choice choice = s.sampler.sample(logits, r * vocab, vocab);
            s.push(choice.token());
            s.sampledCount++;
            StopReason reason = stopAfter(s, choice.token());
            if (reason != null) {
                s.state = State.STOPPED;
                s.stopReason = reason;
            }
            out.add(new Sampled(index, choice.token(), choice.logProb(), reason));
        }
        return out;
    }

    private StopReason stopAfter(Slot s, int token) {
        StopRules rules = s.rules;
        if (rules.stopTokens().contains(token)) return StopReason.STOP_TOKEN;
        for (int[] sequence : rules.stopSequences()) {
            if (endsWith(s, sequence)) return StopReason.STOP_SEQUENCE;
        }
        if (rules.condition() != null) {
            if (rules.condition().shouldStop(s.tokens, s.promptLength, s.length)) return StopReason.CONDITION;
        }
        if (s.sampledCount >= rules.maxNewTokens()) return StopReason.MAX_TOKENS;
        if (s.length >= cache.length()) return StopReason.CONTEXT_FULL;
        return null;
    }

    private static boolean endsWith(Slot s, int[] sequence) {
        if (s.length - s.promptLength < sequence.length) return false;
        for (int i = 0; i < sequence.length; i++) {
            if (s.tokens[s.length - sequence.length + i] != sequence[i]) return false;
        }
        return true;
    }

    private Slot slot(int slot) {
        if (slot < 0 || slot >= slots.length) throw new IllegalArgumentException("no slot " + slot + " (have " + slots.length + ")");
        return slots[slot];
    }

    private Slot inUse(int slot) {
        Slot s = slot(slot);
        if (s.state == State.FREE) throw new IllegalStateException("slot " + slot + " is free");
        return s;
    }

    private void checkToken(int token) {
        if (token < 0 || token >= vocab) throw new IllegalArgumentException("token " + token + " is outside the vocabulary of " + vocab);
    }
}
