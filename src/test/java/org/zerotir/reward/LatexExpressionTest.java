package org.zerotir.reward;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatexExpressionTest {

    private static Complex value(String latex) {
        Optional<LatexExpression> e = LatexExpression.parse(latex);
        assertTrue(e.isPresent(), () -> "could not parse " + latex);
        assertFalse(e.get().hasVariables(), latex);
        return e.get().evaluate(1, 0);
    }

    private static void real(double expected, String latex) {
        Complex v = value(latex);
        assertEquals(0, v.im(), 1e-12, latex);
        assertEquals(expected, v.re(), 1e-12 * Math.max(1, Math.abs(expected)), latex);
    }

    @Test
    void evaluatesConstantsAsMathAnswersMeanThem() {
        real(0.5, "\\frac12");
        real(0.5, "\\frac{1}{2}");
        real(Math.sqrt(2) / 2, "\\frac{\\sqrt{2}}{2}");
        real(2, "\\sqrt[3]{8}");
        real(-2, "\\sqrt[3]{-8}");
        real(Math.sqrt(2), "\\sqrt2");
        real(2 * Math.PI, "2\\pi");
        real(2 * Math.PI, "2 \\cdot \\pi");
        real(6, "2\\times3");
        real(1.5, "3 \\div 2");
        real(8, "2^3");
        real(2048, "2^{11}");
        real(Math.pow(2, 9), "2^3^2"); // right-associative
        real(-4, "-2^2");
        real(6, "3!");
        real(10, "\\binom{5}{2}");
        real(3, "|-3|");
        real(Math.PI / 2, "\\sin^{-1}(1)");
        real(0.25, "\\sin^2 \\frac{\\pi}{6}");
        real(3, "\\log_2 8");
        real(1, "\\ln e");
        real(Math.E * Math.E, "e^2");
        real(-1, "e^{i\\pi}");
        real(15, "(1+2)(2+3)");
        real(2.5, "2\\frac{1}{2}"); // a mixed number
        real(Math.PI, "\\frac{\\pi}{1}");
        real(Math.sqrt(3), "\\tan\\frac{\\pi}{3}");
        real(555, "4210_{5}");
        real(3, "\\lfloor \\pi \\rfloor");
        Complex z = value("6 - 5i");
        assertEquals(6, z.re(), 1e-12);
        assertEquals(-5, z.im(), 1e-12);
        Complex root = value("\\sqrt{-4}");
        assertEquals(0, root.re(), 1e-12);
        assertEquals(2, root.im(), 1e-12);
    }

    @Test
    void variablesTakeTheSameValueForTheSameNameAndPoint() {
        LatexExpression x = LatexExpression.parse("x").orElseThrow(), x2 = LatexExpression.parse("2x").orElseThrow();
        LatexExpression y = LatexExpression.parse("y").orElseThrow(), theta = LatexExpression.parse("\\theta").orElseThrow();
        assertTrue(x.hasVariables());
        for (int point = 0; point < 6; point++) {
            double vx = x.evaluate(7, point).re();
            assertTrue(vx >= 1.1 && vx <= 2.9, "sample values stay in [1.1, 2.9]: " + vx);
            assertEquals(2 * vx, x2.evaluate(7, point).re(), 1e-12);
            assertTrue(Math.abs(vx - y.evaluate(7, point).re()) > 1e-9);
            assertTrue(Math.abs(vx - theta.evaluate(7, point).re()) > 1e-9);
        }
        assertTrue(Math.abs(x.evaluate(7, 0).re() - x.evaluate(7, 1).re()) > 1e-9, "points differ");
        assertTrue(Math.abs(x.evaluate(7, 0).re() - x.evaluate(8, 0).re()) > 1e-9, "seeds differ");
        assertEquals(x.evaluate(7, 3), LatexExpression.parse("x").orElseThrow().evaluate(7, 3), "reproducible");
        assertTrue(LatexExpression.parse("a_1 + a_{12}").orElseThrow().hasVariables());
    }

    @Test
    void refusesWhatItCannotRead() {
        for (String s : new String[]{"", " ", "\\int x dx", "\\frac{1}", "(1+2", "1+2)", "x <", "\\unknown{3}", "2 +", "^2", "\\sqrt",
                "{".repeat(200) + "1" + "}".repeat(200), "1+".repeat(600) + "1", "|x", "\\lfloor x"}) {
            assertEquals(Optional.empty(), LatexExpression.parse(s), s);
        }
    }

    @Test
    void numbersWrittenAsExpressionsHaveExactValues() {
        assertEquals(Optional.of(Rational.parse("100000000000000000001").orElseThrow()), LatexExpression.parse("10^{20}+1").orElseThrow().exactValue());
        assertEquals(Optional.of(Rational.of(1, 4)), LatexExpression.parse("2^{-2}").orElseThrow().exactValue());
        assertEquals(Optional.of(Rational.of(-8)), LatexExpression.parse("(-2)^3").orElseThrow().exactValue());
        assertEquals(Optional.of(Rational.of(7, 3)), LatexExpression.parse("2\\frac{1}{3}").orElseThrow().exactValue());
        assertEquals(Optional.of(Rational.of(90)), LatexExpression.parse("\\frac{10!}{8!}").orElseThrow().exactValue());
        assertEquals(Optional.of(Rational.of(555)), LatexExpression.parse("4210_{5}").orElseThrow().exactValue());
        for (String inexact : new String[]{"\\sqrt{2}", "x+1", "\\pi", "e", "2i", "10^{10^{10}}", "\\frac{1}{0}", "2^{1/2}", "100000!", "\\sin 1"}) {
            assertEquals(Optional.empty(), LatexExpression.parse(inexact).orElseThrow().exactValue(), inexact);
        }
    }

    @Test
    void hugeValuesOverflowInsteadOfHanging() {
        assertFalse(value("10^{10^{10}}").isFinite());
        assertFalse(value("1000!").isFinite());
        assertFalse(value("\\binom{10^{9}}{10^{8}}").isFinite());
        assertFalse(value("\\frac{1}{0}").isFinite());
    }
}
