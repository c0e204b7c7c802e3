package org.zerotir.rollout;

import org.zerotir.engine.Transformer;
import org.zerotir.engine.generate.Generator;
import org.zerotir.engine.generate.SamplingParams;
import org.zerotir.engine.generate.SlotGenerator;
import org.zerotir.engine.generate.StopReason;
import org.zerotir.engine.generate.StopRules;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Generation interleaved with code execution, over many responses at once. A response that closes a
 * ```python block pauses; its code goes to the sandbox while the other slots keep generating; the result
 * comes back as an ```output block whose tokens are appended with mask 0, and the response resumes. The ids
 * the policy sampled are kept exactly: decoding is only used to find fences and stop strings.
 */
public final class ToolRollout {
    public static final String CODE_OPEN = "```python";
    public static final String FENCE = "```";
    public static final String OUTPUT_OPEN = "```output";

    /** Makes the batched generator for a rollout: slots and context length. */
    @FunctionalInterface
    public interface Generators {
        SlotGenerator create(int slots, int contextLength);
    }

    private final Generators generators;
    private final int maxContext;
    private final TextCodec codec;
    private final CodeRunner runner;
    private final RolloutSettings settings;

    public ToolRollout(Transformer policy, TextCodec codec, CodeRunner runner, RolloutSettings settings) {
        this((slots, context) -> new Generator(policy, slots, context), policy.config().maxPositions(), codec, runner, settings);
    }

    public ToolRollout(Generators generators, int maxContext, TextCodec codec, CodeRunner runner, RolloutSettings settings) {
        this.generators = generators;
        this.maxContext = maxContext;
        this.codec = codec;
        this.runner = runner;
        this.settings = settings;
    }

    /** One response being generated. */
    private final class Active {
        final int problemIndex, sample;
        final int[] promptIds;
        final IntList response = new IntList();
        final List<Boolean> trainable = new ArrayList<>();
        final FloatList logProbs = new FloatList();
        final List<CodeRunner.Execution> executions = new ArrayList<>();
        final String session;
        int segmentStart;      // first response token the model wrote after the last tool output
        boolean infraFailure;

        Active(int problemIndex, int sample, int[] promptIds) {
            this.problemIndex = problemIndex;
            this.sample = sample;
            this.promptIds = promptIds;
            this.session = settings.sessionMode() ? "rollout-" + settings.sampling().seed() + "-" + problemIndex + "-" + sample : null;
        }

        String segmentText() {
            return codec.decode(response.array(), segmentStart, response.size());
        }

        boolean mayCallTool() {
            return settings.toolEnabled() && executions.size() < settings.callBudget();
        }
    }

    /** A finished execution waiting to be appended to its slot. */
    private record Done(int slot, CodeRunner.Execution execution) {}

    /**
     * Generates samplesPerPrompt responses to each prompt (already in its template). Trajectories come back in
     * prompt order, samples of one prompt together.
     */
    public List<Trajectory> generate(List<String> prompts, int samplesPerPrompt) {
        if (samplesPerPrompt < 1) throw new IllegalArgumentException("samplesPerPrompt must be >= 1, got " + samplesPerPrompt);
        List<int[]> encoded = prompts.stream().map(codec::encode).toList();
        int longestPrompt = encoded.stream().mapToInt(p -> p.length).max().orElse(1);
        int context = longestPrompt + settings.maxResponseTokens() + settings.callBudget() * (settings.maxOutputTokens() + 16) + 1;
        context = Math.min(context, maxContext);
        Deque<int[]> queue = new ArrayDeque<>();
        for (int p = 0; p < prompts.size(); p++) for (int s = 0; s < samplesPerPrompt; s++) queue.add(new int[] {p, s});
        Trajectory[] results = new Trajectory[prompts.size() * samplesPerPrompt];
        int slots = Math.min(settings.slots(), queue.size());
        SlotGenerator generator = generators.create(slots, context);
        Active[] active = new Active[slots];
        BlockingQueue<Done> finished = new LinkedBlockingQueue<>();
        int executing = 0;
        while (!queue.isEmpty() || anyActive(active)) {
            for (int slot = 0; slot < slots && !queue.isEmpty(); slot++) {
                if (active[slot] != null) continue;
                int[] next = queue.poll();
                Active a = new Active(next[0], next[1], encoded.get(next[0]));
                if (a.promptIds.length >= context) {
                    throw new IllegalArgumentException("prompt " + next[0] + " has " + a.promptIds.length + " tokens, more than the context of " + context);
                }
                active[slot] = a;
                generator.start(slot, a.promptIds, samplingFor(a), rulesFor(a));
            }
            if (generator.hasRunning()) {
                for (Generator.Sampled s : generator.step()) {
                    Active a = active[s.slot()];
                    a.response.add(s.token());
                    a.trainable.add(true);
                    a.logProbs.add(s.logProb());
                    if (s.stopReason() == null) continue;
                    if (handleStop(generator, s.slot(), a, s.stopReason(), finished)) {
                        executing++;
                    } else {
                        results[index(a, samplesPerPrompt)] = finish(a, s.stopReason());
                        generator.free(s.slot());
                        active[s.slot()] = null;
                    }
                }
            } else if (executing > 0) {
                awaitOne(finished);
            }
            for (Done done; (done = finished.poll()) != null; ) {
                executing--;
                appendOutput(generator, done.slot(), active[done.slot()], done.execution(), results, active, samplesPerPrompt);
            }
        }
        return Arrays.asList(results);
    }

    private int index(Active a, int samplesPerPrompt) {
        return a.problemIndex * samplesPerPrompt + a.sample;
    }

    private static boolean anyActive(Active[] active) {
        for (Active a : active) if (a != null) return true;
        return false;
    }

    private SamplingParams samplingFor(Active a) {
        SamplingParams base = settings.sampling();
        // Each response draws from its own stream: the same seed gives the same response whatever shares the batch.
        long seed = base.seed() * 1_000_003L + a.problemIndex * 10_007L + a.sample;
        return new SamplingParams(base.temperature(), base.topP(), base.topK(), seed);
    }

    private StopRules rulesFor(Active a) {
        return new StopRules(settings.stopTokens(), List.of(), settings.maxResponseTokens(),
                (tokens, responseStart, end) -> shouldPause(a, tokens, end));
    }

    /** Checked after every sampled token; cheap unless the token could complete a fence or a stop string. */
    private boolean shouldPause(Active a, int[] tokens, int end) {
        String last = codec.decode(tokens, end - 1, end);
        if (!couldComplete(last)) return false;
        // a.response lags by the token being checked: look at the generator's copy
        String segment = codec.decode(tokens, a.promptIds.length + a.segmentStart, end);
        return stopStringIn(segment) != null || (a.mayCallTool() && closedCode(segment) != null);
    }

    private boolean couldComplete(String tokenText) {
        if (tokenText.indexOf('`') >= 0) return true;
        for (String stop : settings.stopStrings()) {
            for (int i = 0; i < tokenText.length(); i++) if (stop.indexOf(tokenText.charAt(i)) >= 0) return true;
        }
        return false;
    }

    private String stopStringIn(String segment) {
        for (String stop : settings.stopStrings()) if (segment.contains(stop)) return stop;
        return null;
    }

    /** The code of the first ```python block of the segment that has been closed, or null. */
    public static String closedCode(String segment) {
        int open = segment.indexOf(CODE_OPEN);
        if (open < 0) return null;
        int bodyStart = open + CODE_OPEN.length();
        int close = segment.indexOf(FENCE, bodyStart);
        if (close < 0) return null;
        return segment.substring(bodyStart, close).strip();
    }

    /** Returns true when an execution was started (the slot waits for it), false when the response is over. */
    private boolean handleStop(SlotGenerator generator, int slot, Active a, StopReason reason, BlockingQueue<Done> finished) {
        if (reason != StopReason.CONDITION) return false;
        String segment = a.segmentText();
        if (stopStringIn(segment) != null || !a.mayCallTool()) return false;
        String code = closedCode(segment);
        if (code == null) return false;
        CompletableFuture<CodeRunner.Execution> future;
        try {
            future = runner.run(code, a.session);
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        future.whenComplete((execution, error) -> finished.add(new Done(slot, error == null ? execution
                : new CodeRunner.Execution(code, "sandbox error: " + error.getMessage(), CodeRunner.Status.INFRASTRUCTURE, 0))));
        return true;
    }

    private void appendOutput(SlotGenerator generator, int slot, Active a, CodeRunner.Execution execution, Trajectory[] results,
                              Active[] active, int samplesPerPrompt) {
        a.executions.add(execution);
        if (execution.status() == CodeRunner.Status.INFRASTRUCTURE) a.infraFailure = true;
        int[] output = codec.encode(outputBlock(codec, execution.output(), settings.maxOutputTokens(),
                endsWithNewline(codec, a.response.array(), a.response.size())));
        int room = generator.maxSequenceLength() - 1 - (a.promptIds.length + a.response.size());
        if (output.length > room || a.response.size() + output.length >= settings.maxResponseTokens() + outputAllowance()) {
            results[index(a, samplesPerPrompt)] = finish(a, StopReason.MAX_TOKENS);
            generator.free(slot);
            active[slot] = null;
            return;
        }
        for (int token : output) {
            a.response.add(token);
            a.trainable.add(false);
            a.logProbs.add(0f);
        }
        a.segmentStart = a.response.size();
        generator.append(slot, output);
        generator.resume(slot);
    }

    /** Room for the tool outputs on top of the model's own token budget. */
    private int outputAllowance() {
        return settings.callBudget() * (settings.maxOutputTokens() + 16);
    }

    /**
     * The text appended after a closed code block: the execution's output in an ```output block, or the "output
     * too long" message in its place when the output has more than maxOutputTokens tokens. The server's
     * inference engine appends the same text, so a served model sees what it saw in training.
     */
    public static String outputBlock(TextCodec codec, String output, int maxOutputTokens, boolean afterNewline) {
        String trimmed = output.strip();
        String shown = codec.encode(trimmed).length > maxOutputTokens ? RolloutSettings.OUTPUT_TOO_LONG : trimmed;
        // The block starts on a new line. When the model's closing fence already ended one (a tokenizer may have
        // "```\n" as one token), a second newline would show the model a blank line it never saw before an
        // output block in its training text; small models then fail to read the output back.
        return (afterNewline ? "" : "\n") + OUTPUT_OPEN + "\n" + shown + "\n" + FENCE + "\n";
    }

    /** Whether ids[0, end) decodes to text ending in a newline. */
    public static boolean endsWithNewline(TextCodec codec, int[] ids, int end) {
        return end > 0 && codec.decode(ids, end - 1, end).endsWith("\n");
    }

    private Trajectory finish(Active a, StopReason reason) {
        if (a.session != null) runner.closeSession(a.session);
        int[] response = a.response.toArray();
        boolean[] trainable = new boolean[response.length];
        for (int i = 0; i < trainable.length; i++) trainable[i] = a.trainable.get(i);
        String text = codec.decode(response, 0, response.length);
        // Every output block must come from a real execution: more blocks than executions means the model wrote one.
        boolean fake = count(text, OUTPUT_OPEN) > a.executions.size();
        Trajectory.Ending ending = switch (reason) {
            case MAX_TOKENS, CONTEXT_FULL -> Trajectory.Ending.TRUNCATED;
            default -> Trajectory.Ending.STOPPED;
        };
        return new Trajectory(a.problemIndex, a.sample, a.promptIds, response, trainable, a.logProbs.toArray(),
                List.copyOf(a.executions), ending, fake, a.infraFailure, text);
    }

    static int count(String text, String needle) {
        int count = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length())) count++;
        return count;
    }

    private static void awaitOne(BlockingQueue<Done> finished) {
        try {
            Done done = finished.poll(60, TimeUnit.SECONDS);
            if (done == null) throw new IllegalStateException("no code execution finished within 60 s");
            finished.add(done);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for code execution", e);
        }
    }
}
