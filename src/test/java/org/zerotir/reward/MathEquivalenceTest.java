package org.zerotir.reward;

import org.junit.jupiter.api.Test;
import org.zerotir.reward.MathEquivalence.Result;
import org.zerotir.reward.MathEquivalence.Stage;
import org.zerotir.reward.MathEquivalence.Verdict;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MathEquivalenceTest {
    private final MathEquivalence eq = MathEquivalence.standard();

    @Test
    void eachStageDecidesWhatItCan() {
        assertEquals(new Verdict(Result.EQUAL, Stage.STRING), eq.check("\\dfrac{1}{2}", "$\\frac12$"));
        assertEquals(new Verdict(Result.EQUAL, Stage.RATIONAL), eq.check("1/2", "0.5"));
        assertEquals(new Verdict(Result.NOT_EQUAL, Stage.RATIONAL), eq.check("1/2", "0.51"));
        assertEquals(new Verdict(Result.EQUAL, Stage.NUMERIC), eq.check("\\frac{\\sqrt{2}}{2}", "\\frac{1}{\\sqrt{2}}"));
        assertEquals(new Verdict(Result.NOT_EQUAL, Stage.NUMERIC), eq.check("x^2+2x+1", "x^2+2x+2"));
        assertEquals(new Verdict(Result.NOT_EQUAL, Stage.STRUCTURE), eq.check("(1,2)", "(1,2,3)"));
        assertEquals(new Verdict(Result.EQUAL, Stage.RATIONAL), eq.check("(0.5, 2)", "(\\frac{1}{2}, 2)"));
        assertEquals(new Verdict(Result.EQUAL, Stage.NUMERIC), eq.check("(\\sqrt 4, 2)", "(2, 2)"));
        assertEquals(Result.UNPARSEABLE, eq.check("\\int_0^1 x\\,dx", "\\frac{1}{2}").result());
        assertEquals(Result.UNPARSEABLE, eq.check("x < 3", "x \\leq 3").result());
        assertEquals(Result.UNPARSEABLE, eq.check("", "1").result());
        assertEquals(Result.UNPARSEABLE, eq.check(null, "1").result());
        assertTrue(MathEquivalence.equivalent("x^2-1", "(x-1)(x+1)"));
        assertFalse(MathEquivalence.equivalent("x^2-1", "(x-1)^2"));
    }

    @Test
    void pathologicalInputsAreDecidedFastWithoutStackOverflow() {
        List<String[]> cases = List.of(
                new String[]{"10^{10^{10}}", "10"},
                new String[]{"10^{10^{10}}", "10^{10^{10}}+1"},
                new String[]{"2^{99999999}", "3"},
                new String[]{"9^{9^{9^{9^{9}}}}", "1"},
                new String[]{"100000!", "5"},
                new String[]{"99999999999999999999!", "5"},
                new String[]{"\\binom{1000000000}{100000000}", "7"},
                new String[]{"1e999999999", "1"},
                new String[]{"1" + "0".repeat(3_000), "1"},
                new String[]{"{".repeat(10_000) + "1" + "}".repeat(10_000), "1"},
                new String[]{"(".repeat(10_000) + "1" + ")".repeat(10_000), "1"},
                new String[]{"{".repeat(900) + "1" + "}".repeat(900), "1"},
                new String[]{"(".repeat(900) + "1" + ")".repeat(900), "2"},
                new String[]{"\\frac{".repeat(1_500) + "1", "1"},
                new String[]{"\\sqrt{".repeat(300) + "2" + "}".repeat(300), "2"},
                new String[]{"-".repeat(1_500) + "1", "1"},
                new String[]{"x^".repeat(500) + "2", "x"},
                new String[]{"((((((((1,2),3),4),5),6),7),8),9)", "((((((((1,2),3),4),5),6),7),8),9)1"},
                new String[]{String.join(",", java.util.Collections.nCopies(500, "1")), String.join(",", java.util.Collections.nCopies(500, "1")) + ",2"},
                new String[]{"\\boxed{".repeat(3_000), "1"},
                new String[]{"1+".repeat(600) + "1", "601"},
                new String[]{String.join("\\cdot", java.util.Collections.nCopies(60, "3^{99999}")), "3"},
                new String[]{"2^{2^{2^{2^{2^{2}}}}}", "2"});
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (String[] c : cases) {
                long start = System.nanoTime();
                Verdict forward = eq.check(c[0], c[1]), backward = eq.check(c[1], c[0]);
                long micros = (System.nanoTime() - start) / 1_000;
                assertNotEquals(Result.EQUAL, forward.result(), c[0].substring(0, Math.min(60, c[0].length())));
                assertEquals(forward.result(), backward.result());
                assertTrue(micros < 500_000, "took " + micros + " us: " + c[0].substring(0, Math.min(60, c[0].length())));
            }
        });
    }

    @Test
    void theFallbackSeesOnlyWhatIsUndecidedAndIsCutOffAtItsTimeout() {
        AtomicInteger calls = new AtomicInteger();
        List<String> seen = new ArrayList<>();
        SymbolicFallback says = (a, b, timeout) -> {
            calls.incrementAndGet();
            synchronized (seen) {
                seen.add(a + " | " + b);
            }
            return a.contains("\\int") ? Optional.of(true) : Optional.empty();
        };
        MathEquivalence withFallback = new MathEquivalence(MathEquivalence.Settings.defaults().withFallback(says, Duration.ofSeconds(2)));
        assertEquals(new Verdict(Result.EQUAL, Stage.RATIONAL), withFallback.check("1/2", "0.5"));
        assertEquals(new Verdict(Result.NOT_EQUAL, Stage.NUMERIC), withFallback.check("x+1", "x+2"));
        assertEquals(new Verdict(Result.NOT_EQUAL, Stage.STRUCTURE), withFallback.check("(1,2)", "[1,2]"));
        assertEquals(0, calls.get(), "decided pairs must not reach the fallback");
        assertEquals(new Verdict(Result.EQUAL, Stage.FALLBACK), withFallback.check("\\int_0^1 x\\,dx", "\\frac{1}{2}"));
        assertEquals(new Verdict(Result.UNPARSEABLE, Stage.FALLBACK), withFallback.check("x < 3", "x \\leq 2"));
        assertEquals(2, calls.get());
        assertEquals("\\int_0^1x dx | \\frac{1}{2}", seen.getFirst());
        // a tuple: only the undecided element is asked about
        assertEquals(new Verdict(Result.EQUAL, Stage.FALLBACK), withFallback.check("(3, \\int_0^1 x\\,dx)", "(3, 0.5)"));
        assertEquals(3, calls.get());

        SymbolicFallback hangs = (a, b, timeout) -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.of(true);
        };
        MathEquivalence slow = new MathEquivalence(MathEquivalence.Settings.defaults().withFallback(hangs, Duration.ofMillis(100)));
        long start = System.nanoTime();
        assertEquals(new Verdict(Result.UNPARSEABLE, Stage.FALLBACK), slow.check("\\int_0^1 x\\,dx", "\\frac{1}{2}"));
        assertTrue((System.nanoTime() - start) / 1_000_000 < 1_000, "the timeout was not enforced");
        // one budget per check, not per element: 5 x 5 undecided pairs of two sets still take about one timeout
        String set = "\\{\\int_0^1 x, \\int_0^2 x, \\int_0^3 x, \\int_0^4 x, \\int_0^5 x\\}";
        start = System.nanoTime();
        assertEquals(Result.UNPARSEABLE, slow.check(set, "\\{1,2,3,4,5\\}").result());
        assertTrue((System.nanoTime() - start) / 1_000_000 < 1_000, "the fallback budget is per check");

        SymbolicFallback fails = (a, b, timeout) -> {
            throw new IllegalStateException("sandbox down");
        };
        MathEquivalence failing = new MathEquivalence(MathEquivalence.Settings.defaults().withFallback(fails, Duration.ofSeconds(1)));
        assertEquals(new Verdict(Result.UNPARSEABLE, Stage.FALLBACK), failing.check("\\int_0^1 x\\,dx", "\\frac{1}{2}"));
    }

    /** Random token soup: never an exception, always symmetric, every answer equal to itself respelled. */
    @Test
    void randomTokenSoupNeverThrowsAndIsSymmetric() {
        String[] tokens = {"\\frac", "{", "}", "(", ")", "[", "]", "\\sqrt", "^", "_", "x", "y", "2", "3", "0", ".", ",", "+", "-",
                "*", "/", "\\pi", "\\infty", "\\{", "\\}", "\\left(", "\\right)", "=", "\\pm", "\\cup", " ", "\\text{", "\\begin{pmatrix}",
                "\\\\", "&", "\\end{pmatrix}", "!", "|", "e", "i", "%", "\\$", "\\sin", "\\log_", "\\cdot", "10^{", "\\boxed{", "1,000"};
        Random rng = new Random(99);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int t = 0; t < 20_000; t++) {
                String a = soup(rng, tokens), b = rng.nextInt(4) == 0 ? a.replace(" ", "") : soup(rng, tokens);
                Verdict ab = eq.check(a, b), ba = eq.check(b, a);
                assertEquals(ab.result(), ba.result(), () -> a + "  vs  " + b);
                if (!a.isBlank()) assertTrue(eq.check(a, "$ " + a + " $").result() != Result.NOT_EQUAL, a);
            }
        });
    }

    private static String soup(Random rng, String[] tokens) {
        StringBuilder s = new StringBuilder();
        int n = 1 + rng.nextInt(12);
        for (int i = 0; i < n; i++) s.append(tokens[rng.nextInt(tokens.length)]);
        return s.toString();
    }

    /** One shared instance, many threads: the same verdicts as one thread (an RL step scores in parallel). */
    @Test
    void verdictsDoNotDependOnConcurrency() throws Exception {
        List<String[]> pairs = new ArrayList<>();
        for (var args : TrickyPairsTest.pairs()) pairs.add(new String[]{(String) args.get()[1], (String) args.get()[2]});
        List<Verdict> sequential = pairs.stream().map(p -> eq.check(p[0], p[1])).toList();
        for (int round = 0; round < 5; round++) {
            List<Verdict> parallel = pairs.parallelStream().map(p -> eq.check(p[0], p[1])).toList();
            assertEquals(sequential, parallel);
        }
    }

    @Test
    void settingsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new MathEquivalence.Settings(1, 1e-9, 1, null, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new MathEquivalence.Settings(6, 0.1, 1, null, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new MathEquivalence.Settings(6, 1e-9, 1, null, Duration.ZERO));
    }

    @Test
    void seededRandomNumbersEqualTheirOtherSpellingsAndNotTheirNeighbours() {
        Random rng = new Random(42);
        for (int t = 0; t < 1_000; t++) {
            long num = rng.nextInt(2_000_000) - 1_000_000, den = 1 + rng.nextInt(999);
            Rational r = Rational.of(num, den);
            String latex = (r.signum() < 0 ? "-" : "") + "\\frac{" + r.numerator().abs() + "}{" + r.denominator() + "}";
            String plain = r.format();
            assertTrue(eq.check(latex, plain).isEqual(), latex + " vs " + plain);
            assertTrue(eq.check("\\boxed{" + plain + "}", "$" + latex + "$").isEqual(), latex);
            String neighbour = r.add(Rational.of(1, 1_000_000)).format();
            assertEquals(Result.NOT_EQUAL, eq.check(latex, neighbour).result(), latex + " vs " + neighbour);
        }
    }

    /** Random integer polynomials p, q: the expanded product equals (p)(q) and differs after one coefficient changes. */
    @Test
    void seededRandomPolynomialIdentitiesHold() {
        Random rng = new Random(2505);
        for (int t = 0; t < 300; t++) {
            long[] p = randomPolynomial(rng), q = randomPolynomial(rng);
            long[] product = new long[p.length + q.length - 1];
            for (int i = 0; i < p.length; i++) for (int j = 0; j < q.length; j++) product[i + j] += p[i] * q[j];
            String expanded = polynomial(product, "x");
            String factored = "(" + polynomial(p, "x") + ")(" + polynomial(q, "x") + ")";
            assertEquals(Result.EQUAL, eq.check(expanded, factored).result(), expanded + " vs " + factored);
            int k = rng.nextInt(product.length);
            product[k] += rng.nextBoolean() ? 1 : -1;
            String changed = polynomial(product, "x");
            assertEquals(Result.NOT_EQUAL, eq.check(changed, factored).result(), changed + " vs " + factored);
            if (p.length > 1) assertEquals(Result.NOT_EQUAL, eq.check(polynomial(p, "x"), polynomial(p, "y")).result(), "x and y are different variables");
        }
    }

    private static long[] randomPolynomial(Random rng) {
        long[] c = new long[1 + rng.nextInt(4)];
        for (int i = 0; i < c.length; i++) c[i] = rng.nextInt(19) - 9;
        if (c[c.length - 1] == 0) c[c.length - 1] = 1 + rng.nextInt(5);
        return c;
    }

    /** c0 + c1 x + ... written highest power first, as a model would. */
    private static String polynomial(long[] c, String x) {
        StringBuilder s = new StringBuilder();
        for (int i = c.length - 1; i >= 0; i--) {
            if (c[i] == 0) continue;
            long a = Math.abs(c[i]);
            s.append(c[i] < 0 ? (s.isEmpty() ? "-" : " - ") : (s.isEmpty() ? "" : " + "));
            if (a != 1 || i == 0) s.append(a);
            if (i >= 1) s.append(x);
            if (i >= 2) s.append("^{").append(i).append('}');
        }
        return s.isEmpty() ? "0" : s.toString();
    }

    @Test
    void equalityIsSymmetricAndReflexiveOnTheTrickyTable() throws Exception {
        for (var args : TrickyPairsTest.pairs()) {
            String a = (String) args.get()[1], b = (String) args.get()[2];
            assertTrue(eq.check(a, a).isEqual(), a);
            assertTrue(eq.check("\\boxed{" + b + "}", b).isEqual(), b);
        }
    }
}
