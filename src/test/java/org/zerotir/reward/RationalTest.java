package org.zerotir.reward;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RationalTest {
    private static final int TRIALS = 2_000;

    private static Rational random(Random rng) {
        BigInteger num = new BigInteger(1 + rng.nextInt(90), rng);
        if (rng.nextBoolean()) num = num.negate();
        BigInteger den = new BigInteger(1 + rng.nextInt(60), rng).add(BigInteger.ONE);
        return Rational.of(num, den);
    }

    private static Rational parsed(String text) {
        Optional<Rational> r = Rational.parse(text);
        assertTrue(r.isPresent(), () -> "could not parse " + text);
        return r.get();
    }

    @Test
    void fieldAxiomsHoldOnSeededRandomValues() {
        Random rng = new Random(20250512);
        for (int t = 0; t < TRIALS; t++) {
            Rational a = random(rng), b = random(rng), c = random(rng);
            assertEquals(a.add(b), b.add(a));
            assertEquals(a.multiply(b), b.multiply(a));
            assertEquals(a.add(b).add(c), a.add(b.add(c)));
            assertEquals(a.multiply(b).multiply(c), a.multiply(b.multiply(c)));
            assertEquals(a.multiply(b.add(c)), a.multiply(b).add(a.multiply(c)));
            assertEquals(Rational.ZERO, a.subtract(a));
            assertEquals(a, a.add(Rational.ZERO));
            assertEquals(a, a.multiply(Rational.ONE));
            if (a.signum() != 0) assertEquals(Rational.ONE, a.divide(a));
            if (b.signum() != 0) assertEquals(a, a.divide(b).multiply(b));
            assertEquals(a.hashCode(), Rational.of(a.numerator().multiply(BigInteger.TEN), a.denominator().multiply(BigInteger.TEN)).hashCode());
        }
    }

    @Test
    void valuesAreAlwaysInLowestTermsWithPositiveDenominator() {
        Random rng = new Random(7);
        for (int t = 0; t < TRIALS; t++) {
            Rational a = random(rng).multiply(random(rng)).add(random(rng));
            assertEquals(1, a.denominator().signum());
            assertEquals(BigInteger.ONE, a.numerator().gcd(a.denominator()), a::format);
        }
        assertEquals(Rational.of(1, 2), Rational.of(-3, -6));
        assertEquals(Rational.of(-1, 2), Rational.of(3, -6));
        assertEquals("0", Rational.of(0, -5).format());
        assertThrows(ArithmeticException.class, () -> Rational.of(1, 0));
        assertThrows(ArithmeticException.class, () -> Rational.ONE.divide(Rational.ZERO));
    }

    @Test
    void parsingAFormattedValueGivesItBackInEverySpelling() {
        Random rng = new Random(11);
        for (int t = 0; t < TRIALS; t++) {
            Rational a = random(rng);
            assertEquals(a, parsed(a.format()));
            String num = a.numerator().toString(), den = a.denominator().toString();
            assertEquals(a, parsed("\\frac{" + num + "}{" + den + "}"));
            assertEquals(a, parsed("\\dfrac{" + num + "}{" + den + "}"));
            assertEquals(a, parsed(" " + num + " / " + den + " "));
            assertEquals(a.multiply(Rational.of(1, 100)), parsed(a.format() + "\\%"));
            // a terminating decimal: scale the value by 10^k and write it with the point moved
            int k = rng.nextInt(6);
            BigInteger scaled = a.numerator().multiply(BigInteger.TEN.pow(k));
            Rational decimalValue = Rational.of(scaled.divide(a.denominator()), BigInteger.TEN.pow(k));
            String decimal = new BigDecimal(scaled.divide(a.denominator())).movePointLeft(k).toPlainString();
            assertEquals(decimalValue, parsed(decimal), decimal);
            assertEquals(decimalValue.multiply(Rational.of(1000)), parsed(decimal + "e3"), decimal);
            assertEquals(decimalValue.divide(Rational.of(100)), parsed(decimal + "\\times10^{-2}"), decimal);
            // order agrees with the double values
            Rational b = random(rng);
            assertEquals(Integer.signum(Double.compare(a.doubleValue(), b.doubleValue())), Integer.signum(a.compareTo(b)), a + " vs " + b);
        }
    }

    @Test
    void mixedNumbersPercentagesScientificAndSeparators() {
        assertEquals(Rational.of(7, 3), parsed("2\\frac{1}{3}"));
        assertEquals(Rational.of(7, 3), parsed("2 \\frac13"));
        assertEquals(Rational.of(7, 3), parsed("2 1/3"));
        assertEquals(Rational.of(-7, 3), parsed("-2\\frac{1}{3}"));
        assertEquals(Rational.of(275, 2), parsed("137 \\frac{1}{2}"));
        assertEquals(Rational.of(9, 5), parsed("1\\frac{4}{5}"));
        assertEquals(Rational.of(1, 8), parsed("12.5%"));
        assertEquals(Rational.of(1500), parsed("1.5e3"));
        assertEquals(Rational.of(1500), parsed("1.5 \\times 10^{3}"));
        assertEquals(Rational.of(1500), parsed("1.5\\cdot10^3"));
        assertEquals(Rational.of(3, 20000), parsed("1.5E-4"));
        assertEquals(Rational.of(11_111_111_100L), parsed("11,111,111,100"));
        assertEquals(Rational.of(10080), parsed("10,\\!080"));
        assertEquals(Rational.of(11_111_111_100L), parsed("11,\\! 111,\\! 111,\\! 100"));
        assertEquals(Rational.of(10080), parsed("10{,}080"));
        assertEquals(Rational.of(672, 10_000_000), parsed(".0000672"));
        assertEquals(Rational.of(12), parsed("12."));
        assertEquals(Rational.of(4, 3), parsed("\\frac43"));
        assertEquals(Rational.of(5, 9), parsed("\\frac 59"));
        assertEquals(Rational.of(270, 7), parsed("\\frac{270}7"));
        assertEquals(Rational.of(-35, 9), parsed("-\\frac{35}{9}"));
        assertEquals(Rational.of(-35, 9), parsed("\\frac{-35}{9}"));
        assertEquals(Rational.of(3, 4), parsed("\\frac{1.5}{2}"));
        assertEquals(Rational.of(1, 3), parsed("0.\\overline{3}"));
        assertEquals(Rational.of(1, 6), parsed("0.1\\overline{6}"));
        assertEquals(Rational.of(-14, 99), parsed("-.\\overline{14}"));
        assertEquals(Rational.of(1), parsed("0.\\overline{9}"));
    }

    @Test
    void rejectsWhatIsNotAPlainNumber() {
        for (String s : new String[]{"x", "2x", "\\sqrt{2}", "1,2", "1, 2", "3,45", "2 3", "1/0", "\\frac{1}{0}", "", "-", ".", "1/2/3",
                "2.5 1/3", "10^{10^{10}}", "1e", "2e3x", "\\pi", "1.2.3", "(1)", "1e100000", "1\\times10^{99999999999}", "٣"}) {
            assertEquals(Optional.empty(), Rational.parse(s), s);
        }
        assertNotEquals(Optional.empty(), Rational.parse("1e1000"));
    }

    @Test
    void hugeInputsAreRejectedFast() {
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(1), () -> {
            assertEquals(Optional.empty(), Rational.parse("9".repeat(1_000_000)));
            assertEquals(Optional.empty(), Rational.parse("1e9999999"));
            assertEquals(Optional.empty(), Rational.parse("0." + "0".repeat(100_000) + "1"));
        });
    }
}
