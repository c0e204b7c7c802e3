package org.zerotir.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zerotir.engine.generate.Generator;
import org.zerotir.engine.generate.SamplingParams;
import org.zerotir.engine.generate.SlotGenerator;
import org.zerotir.engine.generate.StopReason;
import org.zerotir.engine.generate.StopRules;
import org.zerotir.rollout.CodeRunner;
import org.zerotir.rollout.TextCodec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The evaluator over a scripted policy (it writes known text, chosen by the response's seed) and a Python-free
 * code runner that evaluates the sums the scripts print: the summary must agree with the per-response records,
 * and with what the scripts say by construction.
 */
class EvaluatorTest {
    private static final int EOS = 3;
    private static final String END = String.valueOf((char) EOS);

    private static final TextCodec CHARACTERS = new TextCodec() {
        @Override public int[] encode(String text) { return text.chars().toArray(); }

        @Override
        public String decode(int[] ids, int from, int to) {
            StringBuilder text = new StringBuilder();
            for (int i = from; i < to; i++) text.append((char) ids[i]);
            return text.toString();
        }
    };

    /** "print(a+b)" -> "a+b" evaluated; anything else is an error. */
    private static final class SumRunner implements CodeRunner {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public CompletableFuture<Execution> run(String code, String sessionId) {
            calls.incrementAndGet();
            var m = java.util.regex.Pattern.compile("print\\((\\d+)\\+(\\d+)\\)").matcher(code);
            if (!m.matches()) return CompletableFuture.completedFuture(new Execution(code, "SyntaxError", Status.ERROR, 1));
            long sum = Long.parseLong(m.group(1)) + Long.parseLong(m.group(2));
            return CompletableFuture.completedFuture(new Execution(code, String.valueOf(sum), Status.OK, 1));
        }
    }

    /** Writes one of the prompt's scripts (picked by the sampling seed), one character per step. */
    private static final class ScriptedPolicy implements SlotGenerator {
        private final Map<String, List<String>> scripts;
        private final int slots, context;
        private final int[][] tokens;
        private final int[] length, promptLength, written, sampled;
        private final String[] script;
        private final StopRules[] rules;
        private final boolean[] running;

        ScriptedPolicy(Map<String, List<String>> scripts, int slots, int context) {
            this.scripts = scripts;
            this.slots = slots;
            this.context = context;
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
            List<String> variants = scripts.get(CHARACTERS.decode(prompt, 0, prompt.length));
            script[slot] = variants.get((int) Math.floorMod(sampling.seed(), (long) variants.size()));
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

    private static Evaluator evaluator(Map<String, List<String>> scripts, CodeRunner runner) {
        Evaluator.Policy policy = new Evaluator.Policy("scripted", (slots, context) -> new ScriptedPolicy(scripts, slots, context), 4096,
                CHARACTERS, problem -> "Q:" + problem + "\nA:", Set.of(EOS), List.of("</answer>"));
        return new Evaluator(policy, runner);
    }

    private static Benchmarks.Benchmark benchmark(Path tmp, String... problemsAndAnswers) throws Exception {
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < problemsAndAnswers.length; i += 2) {
            jsonl.append("{\"id\":\"p").append(i / 2).append("\",\"problem\":\"").append(problemsAndAnswers[i])
                    .append("\",\"answer\":\"").append(problemsAndAnswers[i + 1]).append("\"}\n");
        }
        Path file = tmp.resolve("sums.jsonl");
        Files.writeString(file, jsonl);
        return Benchmarks.load(file.toString(), tmp, 0);
    }

    @Test
    void greedyWithTheToolExecutesCodeAndScoresTheBoxedAnswer(@TempDir Path tmp) throws Exception {
        Map<String, List<String>> scripts = Map.of(
                "Q:2+3\nA:", List.of("```python\nprint(2+3)\n```then \\boxed{5}" + END),            // code, right
                "Q:4+4\nA:", List.of("it is \\boxed{9}" + END),                                      // no code, wrong
                "Q:7+1\nA:", List.of("I do not know" + END));                                         // no answer
        SumRunner runner = new SumRunner();
        List<int[]> progress = new ArrayList<>();
        EvalResult result = evaluator(scripts, runner).evaluate(benchmark(tmp, "2+3", "5", "4+4", "8", "7+1", "8"),
                EvalSettings.greedy(200), (done, total, correct) -> progress.add(new int[] {done, total, correct}));
        assertEquals("sums", result.benchmark());
        assertEquals(3, result.records().size());
        ResponseRecord first = result.records().get(0);
        assertTrue(first.correct(), first.toString());
        assertEquals(1, first.calls());
        assertEquals("5", first.executions().getFirst().output());
        assertTrue(first.responseText().contains("```output\n5\n```"), first.responseText());
        assertEquals(1, runner.calls.get());
        assertEquals(1 / 3.0, result.averageAccuracy(), 1e-12);
        assertEquals(1 / 3.0, result.passAt(1), 1e-12);
        assertEquals(1 / 3.0, result.codeRatio(), 1e-12);
        assertEquals(1 / 3.0, result.callsPerResponse(), 1e-12);
        assertEquals(1 / 3.0, result.noAnswerRate(), 1e-12);
        assertNull(result.records().get(2).answer());
        assertEquals("9", result.records().get(1).answer());
        int[] last = progress.getLast();
        assertEquals(3, last[0]);
        assertEquals(3, last[1]);
        assertEquals(1, last[2]);
        assertEquals(1 / 3.0, result.metrics().get("eval/sums/avg@1"), 1e-12);
    }

    @Test
    void withoutTheToolNoCodeRunsAndTheModelMustFinishInText(@TempDir Path tmp) throws Exception {
        Map<String, List<String>> scripts = Map.of("Q:2+3\nA:", List.of("```python\nprint(2+3)\n``` so \\boxed{5}" + END));
        SumRunner runner = new SumRunner();
        EvalResult result = evaluator(scripts, runner).evaluate(benchmark(tmp, "2+3", "5"), EvalSettings.greedy(200).withTool(false), null);
        assertEquals(0, runner.calls.get());
        assertEquals(0.0, result.codeRatio());
        assertTrue(result.records().getFirst().correct());
        assertTrue(!result.records().getFirst().responseText().contains("```output"));
    }

    @Test
    void sampledSummaryAgreesWithTheRecords(@TempDir Path tmp) throws Exception {
        // each problem's responses pick among variants by seed: some right, some wrong, some with code
        Map<String, List<String>> scripts = Map.of(
                "Q:1+1\nA:", List.of("\\boxed{2}" + END, "\\boxed{3}" + END, "```python\nprint(1+1)\n```\\boxed{2}" + END),
                "Q:2+2\nA:", List.of("\\boxed{5}" + END, "nothing" + END),
                "Q:3+3\nA:", List.of("```python\nprint(3+3)\n```\\boxed{6}" + END),
                "Q:5+5\nA:", List.of("\\boxed{10}" + END, "\\boxed{11}" + END, "\\boxed{12}" + END, "x" + END, "y" + END));
        int k = 8;
        EvalSettings settings = EvalSettings.greedy(300).withSamples(k, 1.0, 1.0, 7);
        EvalResult result = evaluator(scripts, new SumRunner()).evaluate(benchmark(tmp, "1+1", "2", "2+2", "4", "3+3", "6", "5+5", "10"),
                settings, null);
        List<ResponseRecord> records = result.records();
        assertEquals(4 * k, records.size());
        double correct = 0, code = 0, calls = 0, noAnswer = 0, length = 0, passAt4 = 0;
        for (int p = 0; p < 4; p++) {
            int c = 0;
            for (int s = 0; s < k; s++) {
                ResponseRecord r = records.get(p * k + s);
                assertEquals("p" + p, r.problemId());
                assertEquals(s, r.sample());
                // each record is right exactly when its answer is the reference
                assertEquals(r.reference().equals(r.answer()), r.correct(), r.toString());
                if (r.correct()) c++;
                if (r.usedCode()) code++;
                calls += r.calls();
                if (r.answer() == null) noAnswer++;
                length += r.length();
            }
            correct += c;
            passAt4 += PassAtK.estimate(k, c, 4);
        }
        assertEquals(correct / (4 * k), result.averageAccuracy(), 1e-12);
        assertEquals(passAt4 / 4, result.passAt(4), 1e-12);
        assertEquals(code / (4 * k), result.codeRatio(), 1e-12);
        assertEquals(calls / (4 * k), result.callsPerResponse(), 1e-12);
        assertEquals(noAnswer / (4 * k), result.noAnswerRate(), 1e-12);
        assertEquals(length / (4 * k), result.meanLength(), 1e-12);
        // by construction: 2+2 is never right, 3+3 always (with code), so pass@8 lies strictly between 1/4 and 1
        for (int s = 0; s < k; s++) {
            assertTrue(!records.get(k + s).correct());
            assertTrue(records.get(2 * k + s).correct() && records.get(2 * k + s).usedCode());
        }
        assertTrue(result.passAt(k) >= 0.5 && result.passAt(k) < 1.0, "pass@8 = " + result.passAt(k));
        assertTrue(result.passAt(k) >= result.passAt(1));
        // the seeds spread the samples over the variants
        long distinct = records.subList(0, k).stream().map(ResponseRecord::responseText).distinct().count();
        assertTrue(distinct > 1, "samples of one problem differ");
        // the Markdown and CSV tables carry the same figures
        String csv = Reports.summaryCsv(List.of(result));
        assertTrue(csv.lines().count() == 2 && csv.contains(Reports.percent(result.averageAccuracy())), csv);
        String headline = Reports.headlineMarkdown(List.of(result), List.of(result));
        assertTrue(headline.contains("| sums (k=8) | " + Reports.percent(result.averageAccuracy())), headline);
    }

    @Test
    void badSettingsAndBenchmarksAreRefused(@TempDir Path tmp) {
        assertThrows(IllegalArgumentException.class, () -> EvalSettings.greedy(10).withSamples(4, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Benchmarks.load("math5000", tmp, 0));
        assertThrows(IllegalArgumentException.class, () -> Benchmarks.load("math500", tmp, -1));
    }

    @Test
    void namedBenchmarksLoadFromTheSharedDataWithALimit() throws Exception {
        Path data = org.zerotir.SharedData.DIR;
        Benchmarks.Benchmark math = Benchmarks.load("math500", data, 7);
        assertEquals(7, math.problems().size());
        assertEquals("math500", math.name());
        Benchmarks.Benchmark aime = Benchmarks.load("aime24", data, 0);
        assertEquals(30, aime.problems().size());
        Benchmarks.Benchmark gsm = Benchmarks.load("gsm8k", data, 3);
        assertEquals(org.zerotir.reward.RewardSettings.numberAnswers(), gsm.reward());
    }
}
