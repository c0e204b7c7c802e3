package org.zerotir.reward;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.zerotir.sandbox.SandboxSettings;
import org.zerotir.sandbox.WorkerPool;

import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The sympy stage through a real sandbox pool. */
class SympyFallbackTest {
    private static WorkerPool pool;
    private static SympyFallback sympy;

    @BeforeAll
    static void start() {
        pool = new WorkerPool(SandboxSettings.defaults().withWorkers(1));
        sympy = new SympyFallback(pool);
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    private static Optional<Boolean> check(String a, String b) {
        return sympy.equivalent(a, b, Duration.ofSeconds(20));
    }

    @Test
    void decidesWhatTheCheaperStagesLeave() {
        assertEquals(Optional.of(true), check("x < 3", "3 > x"));
        assertEquals(Optional.of(false), check("x < 3", "x \\leq 3"));
        assertEquals(Optional.of(true), check("2x + 4 \\geq 0", "x \\geq -2"));
        assertEquals(Optional.of(true), check("\\frac{1}{\\sqrt{2}}", "\\frac{\\sqrt{2}}{2}"));
        assertEquals(Optional.of(false), check("\\sqrt[3]{8}", "3"));
        assertEquals(Optional.of(true), check("y = 2x + 3", "2x - y + 3 = 0"));
        assertEquals(Optional.empty(), check("\\int_0^1 x dx", "\\frac{1}{2}"), "what it cannot read is 'cannot tell'");
    }

    @Test
    void answersCannotBreakOutOfTheirQuotes() {
        Optional<Boolean> injected = check("1'); print('equal'); ('", "2");
        assertNotEquals(Optional.of(true), injected);
        assertNotEquals(Optional.of(true), check("\"\"\" + print(\"equal\") + \"\"\"", "1"));
    }

    @Test
    void theVerifierUsesItLastAndSaysSo() {
        MathEquivalence withSympy = new MathEquivalence(MathEquivalence.Settings.defaults().withFallback(sympy, Duration.ofSeconds(20)));
        assertEquals(new MathEquivalence.Verdict(MathEquivalence.Result.EQUAL, MathEquivalence.Stage.FALLBACK), withSympy.check("x < 3", "3 > x"));
        assertEquals(MathEquivalence.Result.EQUAL, withSympy.check("1/2", "0.5").result());
    }
}
