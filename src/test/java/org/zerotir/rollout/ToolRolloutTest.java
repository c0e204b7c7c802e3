package org.zerotir.rollout;

import org.junit.jupiter.api.Test;
import org.zerotir.engine.generate.Generator;
import org.zerotir.engine.generate.SamplingParams;
import org.zerotir.engine.generate.SlotGenerator;
import org.zerotir.engine.generate.StopReason;
import org.zerotir.engine.generate.StopRules;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rollout driven by a scripted policy (it writes known text) and a scripted sandbox. */
class ToolRolloutTest {
    private static final int EOS = 3;
    private static final String END = String.valueOf((char) EOS);

    /** One id per character: what the test writes is what the rollout sees. */
    private static final TextCodec CHARACTERS = new TextCodec() {
        @Override
        public int[] encode(String text) {
            return text.chars().toArray();
        }

        @Override
        public String decode(int[] ids, int from, int to) {
            StringBuilder text = new StringBuilder();
            for (int i = from; i < to; i++) text.append((char) ids[i]);
            return text.toString();
        }
    };

    /** Emits a fixed text per prompt, one character per step, honouring the stop rules as the real generator does. */
    private static final class ScriptedPolicy implements SlotGenerator {
        private final Map<String, String> scripts;
        private final int slots, context;
        private final int[][] tokens;
        private final int[] length, promptLength, written, sampled;
        private final String[] script;
        private final StopRules[] rules;
        private final boolean[] running;
        final Map<String, CountDownLatch> finishedPrompts;

        ScriptedPolicy(Map<String, String> scripts, int slots, int context, Map<String, CountDownLatch> finishedPrompts) {
            this.scripts = scripts;
            this.slots = slots;
            this.context = context;
            this.finishedPrompts = finishedPrompts;
            tokens = new int[slots][context];
            length = new int[slots];
            promptLength = new int[slots];
            written = new int[slots];
            sampled = new int[slots];
            script = new String[slots];
            rules = new StopRules[slots];
            running = new boolean[slots];
        }

        @Override public int slotCount() { return slots; }
        @Override public int maxSequenceLength() { return context; }

        @Override
        public void start(int slot, int[] prompt, SamplingParams sampling, StopRules stopRules) {
            System.arraycopy(prompt, 0, tokens[slot], 0, prompt.length);
            length[slot] = promptLength[slot] = prompt.length;
            script[slot] = scripts.get(CHARACTERS.decode(prompt, 0, prompt.length));
            written[slot] = sampled[slot] = 0;
            rules[slot] = stopRules;
            running[slot] = true;
        }

        @Override
        public List<Generator.Sampled> step() {
            List<Generator.Sampled> out = new ArrayList<>();
            for (int slot = 0; slot < slots; slot++) {
                if (!running[slot]) continue;
                int token = script[slot].charAt(written[slot]++);
                tokens[slot][length[slot]++] = token;
                sampled[slot]++;
                StopReason reason = null;
                if (rules[slot].stopTokens().contains(token)) reason = StopReason.STOP_TOKEN;
                else if (rules[slot].condition().shouldStop(tokens[slot], promptLength[slot], length[slot])) reason = StopReason.CONDITION;
                else if (sampled[slot] >= rules[slot].maxNewTokens()) reason = StopReason.MAX_TOKENS;
                if (reason != null) running[slot] = false;
                if (reason == StopReason.STOP_TOKEN) {
                    String prompt = CHARACTERS.decode(tokens[slot], 0, promptLength[slot]);
                    if (finishedPrompts.containsKey(prompt)) finishedPrompts.get(prompt).countDown();
                }
                out.add(new Generator.Sampled(slot, token, -0.5f, reason));
            }
            return out;
        }

        @Override
        public boolean hasRunning() {
            for (boolean r : running) if (r) return true;
            return false;
        }

        @Override
        public void append(int slot, int[] appended) {
            System.arraycopy(appended, 0, tokens[slot], length[slot], appended.length);
            length[slot] += appended.length;
        }

        @Override public void resume(int slot) { running[slot] = true; }
        @Override public void free(int slot) { running[slot] = false; }
    }

    /** Runs "print(a * b)" exactly; "crash" is an infrastructure failure; "spam" prints a lot. */
    private static final class ScriptedSandbox implements CodeRunner {
        final List<String> ran = new ArrayList<>();
        final List<String> sessions = new ArrayList<>();
        CountDownLatch waitFor;

        @Override
        public synchronized CompletableFuture<Execution> run(String code, String sessionId) {
            ran.add(code);
            sessions.add(sessionId);
            CountDownLatch latch = waitFor;
            return CompletableFuture.supplyAsync(() -> {
                if (latch != null) {
                    try {
                        if (!latch.await(5, TimeUnit.SECONDS)) return new Execution(code, "nobody else ran", Status.ERROR, 0);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (code.contains("crash")) return new Execution(code, "worker died", Status.INFRASTRUCTURE, 1);
                if (code.contains("spam")) return new Execution(code, "x".repeat(1000), Status.OK, 1);
                Matcher m = Pattern.compile("print\\((\\d+) \\* (\\d+)\\)").matcher(code);
                if (!m.matches()) return new Execution(code, "SyntaxError: invalid syntax", Status.ERROR, 1);
                return new Execution(code, String.valueOf(Long.parseLong(m.group(1)) * Long.parseLong(m.group(2))), Status.OK, 1);
            });
        }
    }

    private static RolloutSettings settings(boolean tool, int budget, int slots) {
        return new RolloutSettings(400, budget, 20, tool, false, List.of("</answer>"), Set.of(EOS), slots, SamplingParams.of(1.0, 7));
    }

    private static List<Trajectory> run(Map<String, String> scripts, RolloutSettings settings, ScriptedSandbox sandbox,
                                        Map<String, CountDownLatch> latches, List<String> prompts, int samples) {
        ToolRollout rollout = new ToolRollout((slots, context) -> new ScriptedPolicy(scripts, slots, context, latches), 4096,
                CHARACTERS, sandbox, settings);
        return rollout.generate(prompts, samples);
    }

    private static String maskedText(Trajectory t, boolean trainable) {
        StringBuilder text = new StringBuilder();
        for (int j = 0; j < t.responseIds().length; j++) if (t.trainable()[j] == trainable) text.append((char) t.responseIds()[j]);
        return text.toString();
    }

    @Test
    void executesClosedCodeBlocksAndAppendsOutputWithMaskZero() {
        String model = "Let me compute.\n```python\nprint(347 * 58)\n```\nSo the answer is \\boxed{20126}." + END;
        ScriptedSandbox sandbox = new ScriptedSandbox();
        List<Trajectory> trajectories = run(Map.of("Q1", model), settings(true, 2, 4), sandbox, Map.of(), List.of("Q1"), 3);
        assertEquals(3, trajectories.size());
        for (Trajectory t : trajectories) {
            String output = "\n```output\n20126\n```\n";
            assertEquals("Let me compute.\n```python\nprint(347 * 58)\n```" + output + "\nSo the answer is \\boxed{20126}." + END,
                    t.responseText());
            assertEquals(output, maskedText(t, false));
            assertEquals(model, maskedText(t, true));
            for (int j = 0; j < t.trainable().length; j++) {
                assertEquals(t.trainable()[j] ? -0.5f : 0f, t.samplingLogProbs()[j], "log-prob of token " + j);
            }
            assertEquals(1, t.executions().size());
            assertEquals("print(347 * 58)", t.executions().getFirst().code());
            assertFalse(t.fakeOutput());
            assertFalse(t.infraFailure());
            assertEquals(Trajectory.Ending.STOPPED, t.ending());
        }
        assertEquals(3, sandbox.ran.size());
    }

    @Test
    void theCallBudgetEndsExecutionAndAModelWrittenOutputIsFake() {
        String block = "```python\nprint(2 * 3)\n```";
        String model = block + "\nagain " + block + "\nand " + block + "\n```output\n6\n```\ndone </answer> tail";
        ScriptedSandbox sandbox = new ScriptedSandbox();
        Trajectory t = run(Map.of("Q", model), settings(true, 2, 1), sandbox, Map.of(), List.of("Q"), 1).getFirst();
        assertEquals(2, t.executions().size());
        // the third block ran past without a stop; the model then wrote an output block of its own
        assertTrue(t.fakeOutput());
        assertTrue(t.responseText().endsWith("done </answer>"), t.responseText());

        Trajectory baseline = run(Map.of("Q", model), settings(false, 2, 1), new ScriptedSandbox(), Map.of(), List.of("Q"), 1).getFirst();
        assertEquals(0, baseline.executions().size());
        assertTrue(baseline.fakeOutput());
        for (boolean trainable : baseline.trainable()) assertTrue(trainable);
    }

    @Test
    void longOutputIsReplacedAndSandboxFailuresAreMarked() {
        String spam = "```python\nspam()\n```ok" + END;
        String crash = "```python\ncrash()\n```ok" + END;
        ScriptedSandbox sandbox = new ScriptedSandbox();
        List<Trajectory> t = run(Map.of("S", spam, "C", crash), settings(true, 2, 2), sandbox, Map.of(), List.of("S", "C"), 1);
        assertTrue(maskedText(t.get(0), false).contains(RolloutSettings.OUTPUT_TOO_LONG), t.get(0).responseText());
        assertFalse(t.get(0).infraFailure());
        assertTrue(t.get(1).infraFailure());
    }

    @Test
    void otherSlotsKeepGeneratingWhileCodeRuns() {
        CountDownLatch otherFinished = new CountDownLatch(1);
        ScriptedSandbox sandbox = new ScriptedSandbox();
        sandbox.waitFor = otherFinished; // the execution only returns once the other response has ended
        String slow = "```python\nprint(12 * 12)\n```then \\boxed{144}" + END;
        String other = "no code here, just a long answer ".repeat(5) + "\\boxed{1}" + END;
        List<Trajectory> t = run(Map.of("A", slow, "B", other), settings(true, 2, 2), sandbox, Map.of("B", otherFinished),
                List.of("A", "B"), 1);
        assertTrue(t.get(0).responseText().contains("```output\n144\n```"), t.get(0).responseText());
        assertEquals(other, t.get(1).responseText());
    }

    @Test
    void findsTheClosedCodeBlock() {
        assertEquals("print(1)", ToolRollout.closedCode("text ```python\nprint(1)\n``` more"));
        assertEquals(null, ToolRollout.closedCode("text ```python\nprint(1)\n"));
        assertEquals(2, ToolRollout.count("```output a ```output b", "```output"));
    }

    @Test
    void theOutputBlockStartsOnTheFenceLineOnlyWhenNoNewlineEndedIt() {
        assertEquals("\n```output\n42\n```\n", ToolRollout.outputBlock(CHARACTERS, " 42\n", 256, false));
        // a tokenizer whose fence token carries the newline ("```\n") must not get a blank line before the block
        assertEquals("```output\n42\n```\n", ToolRollout.outputBlock(CHARACTERS, "42", 256, true));
        int[] ids = CHARACTERS.encode("print(1)\n```\n");
        assertTrue(ToolRollout.endsWithNewline(CHARACTERS, ids, ids.length));
        assertFalse(ToolRollout.endsWithNewline(CHARACTERS, ids, ids.length - 1));
        assertFalse(ToolRollout.endsWithNewline(CHARACTERS, ids, 0));
    }
}
