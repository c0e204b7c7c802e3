package org.zerotir.reward;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Optional;

/**
 * An exact rational number, always in lowest terms with a positive denominator, so equal values are equal
 * objects. {@link #parse} reads the plain-number spellings of final answers: integers, decimals, fractions,
 * mixed numbers, percentages and scientific notation, in ASCII or LaTeX.
 */
public final class Rational implements Comparable<Rational> {

    public static final Rational ZERO = new Rational(BigInteger.ZERO, BigInteger.ONE);
    public static final Rational ONE = new Rational(BigInteger.ONE, BigInteger.ONE);

    /** Longest numeral parsed: BigInteger arithmetic on longer ones would no longer be cheap. */
    static final int MAX_DIGITS = 400;
    /** Largest |power of ten| in scientific notation: 10^1000 is still a small BigInteger, 10^(10^10) is not. */
    static final int MAX_EXPONENT = 1_000;

    private final BigInteger numerator;
    private final BigInteger denominator;

    private Rational(BigInteger numerator, BigInteger denominator) {
        this.numerator = numerator;
        this.denominator = denominator;
    }

    public static Rational of(long numerator, long denominator) {
        return of(BigInteger.valueOf(numerator), BigInteger.valueOf(denominator));
    }

    public static Rational of(long value) {
        return new Rational(BigInteger.valueOf(value), BigInteger.ONE);
    }

    public static Rational of(BigInteger numerator, BigInteger denominator) {
        if (denominator.signum() == 0) throw new ArithmeticException("denominator is zero");
        if (denominator.signum() < 0) {
            numerator = numerator.negate();
            denominator = denominator.negate();
        }
        BigInteger gcd = numerator.gcd(denominator);
        if (!gcd.equals(BigInteger.ONE) && gcd.signum() != 0) {
            numerator = numerator.divide(gcd);
            denominator = denominator.divide(gcd);
        }
        if (numerator.signum() == 0) denominator = BigInteger.ONE;
        return new Rational(numerator, denominator);
    }

    public BigInteger numerator() {
        return numerator;
    }

    public BigInteger denominator() {
        return denominator;
    }

    public Rational add(Rational o) {
        return of(numerator.multiply(o.denominator).add(o.numerator.multiply(denominator)), denominator.multiply(o.denominator));
    }

    public Rational subtract(Rational o) {
        return add(o.negate());
    }

    public Rational multiply(Rational o) {
        return of(numerator.multiply(o.numerator), denominator.multiply(o.denominator));
    }

    public Rational divide(Rational o) {
        if (o.numerator.signum() == 0) throw new ArithmeticException("division by zero");
        return of(numerator.multiply(o.denominator), denominator.multiply(o.numerator));
    }

    public Rational negate() {
        return new Rational(numerator.negate(), denominator);
    }

    public Rational abs() {
        return numerator.signum() < 0 ? negate() : this;
    }

    public int signum() {
        return numerator.signum();
    }

    public boolean isInteger() {
        return denominator.equals(BigInteger.ONE);
    }

    public double doubleValue() {
        double n = numerator.doubleValue(), d = denominator.doubleValue();
        if (Double.isFinite(n) && Double.isFinite(d)) return n / d;
        return new BigDecimal(numerator).divide(new BigDecimal(denominator), java.math.MathContext.DECIMAL64).doubleValue();
    }

    /** "n" or "n/d"; {@link #parse} reads it back. */
    public String format() {
        return isInteger() ? numerator.toString() : numerator + "/" + denominator;
    }

    @Override
    public String toString() {
        return format();
    }

    @Override
    public int compareTo(Rational o) {
        return numerator.multiply(o.denominator).compareTo(o.numerator.multiply(denominator));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rational r && numerator.equals(r.numerator) && denominator.equals(r.denominator);
    }

    @Override
    public int hashCode() {
        return numerator.hashCode() * 31 + denominator.hashCode();
    }

    /**
     * Reads a plain number: {@code 42}, {@code -3.50}, {@code .5}, {@code 1,234,567.8}, {@code 3/4},
     * {@code \frac{3}{4}} (also {@code \dfrac}, {@code \tfrac}, {@code \frac34}), mixed numbers {@code 2\frac{1}{3}},
     * {@code 2 1/3}, percentages {@code 12.5\%} (as 1/8), scientific {@code 1.5e3}, {@code 1.5\times10^{3}},
     * {@code 1.5\cdot 10^3}. Anything else (a variable, a root, an exponent beyond ±1000, a numeral over 400
     * digits) is empty: the caller goes on to the expression parser.
     */
    public static Optional<Rational> parse(String text) {
        if (text == null) return Optional.empty();
        Parser p = new Parser(text);
        try {
            Rational value = p.number();
            p.spaces();
            return value != null && p.at == text.length() ? Optional.of(value) : Optional.empty();
        } catch (ArithmeticException e) {
            return Optional.empty();
        }
    }

    /** Whether the text ends in a percent sign, so 50% may also be compared as the number 50. */
    static boolean isPercent(String text) {
        String t = text.strip();
        return t.endsWith("%");
    }

    private static final class Parser {
        final String s;
        int at;

        Parser(String s) {
            this.s = s;
        }

        void spaces() {
            while (at < s.length()) {
                char c = s.charAt(at);
                if (c == ' ' || c == '\t') {
                    at++;
                } else if (c == '\\' && at + 1 < s.length() && (s.charAt(at + 1) == ',' || s.charAt(at + 1) == '!' || s.charAt(at + 1) == ' ' || s.charAt(at + 1) == ';')) {
                    at += 2;
                } else {
                    break;
                }
            }
        }

        boolean take(String token) {
            if (s.startsWith(token, at)) {
                at += token.length();
                return true;
            }
            return false;
        }

        /** sign? (mixed | fraction | decimal [scientific]) percent? */
        Rational number() {
            spaces();
            boolean negative = false;
            if (take("-")) negative = true;
            else take("+");
            spaces();
            Rational value;
            if (startsFrac()) {
                value = frac();
            } else {
                value = scientific();
                if (value == null) return null;
                int afterWhole = at;
                spaces();
                if (startsFrac() && value.isInteger() && value.signum() >= 0 && wholeNumberBefore(afterWhole)) {
                    Rational part = frac();
                    if (part == null || part.signum() < 0) return null;
                    value = value.add(part);
                } else if (at < s.length() && s.charAt(at) == '/') {
                    at++;
                    spaces();
                    Rational den = scientific();
                    if (den == null || den.signum() == 0) return null;
                    value = value.divide(den);
                } else if (at > afterWhole && at < s.length() && Character.isDigit(s.charAt(at)) && value.isInteger() && wholeNumberBefore(afterWhole)) {
                    // "2 1/3": a whole number, a space, a simple fraction
                    Rational num = plainDecimal(false);
                    if (num == null || !num.isInteger() || !take("/")) return null;
                    Rational den = plainDecimal(false);
                    if (den == null || !den.isInteger() || den.signum() == 0) return null;
                    value = value.add(num.divide(den));
                } else {
                    at = afterWhole;
                }
            }
            if (value == null) return null;
            spaces();
            if (take("\\%") || take("%")) value = value.divide(of(100));
            return negative ? value.negate() : value;
        }

        /** The integer part of a mixed number is written without a decimal point or exponent. */
        private boolean wholeNumberBefore(int end) {
            for (int i = end - 1; i >= 0 && i >= end - MAX_DIGITS - 2; i--) {
                char c = s.charAt(i);
                if (c == '.' || c == 'e' || c == 'E' || c == '}' || c == '^') return false;
                if (c == '-' || c == '+' || c == ' ') break;
            }
            return true;
        }

        boolean startsFrac() {
            return s.startsWith("\\frac", at) || s.startsWith("\\dfrac", at) || s.startsWith("\\tfrac", at);
        }

        Rational frac() {
            at += s.startsWith("\\frac", at) ? 5 : 6;
            Rational num = argument();
            if (num == null) return null;
            Rational den = argument();
            if (den == null || den.signum() == 0) return null;
            return num.divide(den);
        }

        /** {n} with a signed decimal inside, or a single digit ({@code \frac34}). */
        Rational argument() {
            spaces();
            if (at >= s.length()) return null;
            char c = s.charAt(at);
            if (Character.isDigit(c)) {
                at++;
                return of(c - '0');
            }
            if (c != '{') return null;
            at++;
            spaces();
            boolean negative = take("-");
            Rational value = scientific();
            spaces();
            if (value == null || !take("}")) return null;
            return negative ? value.negate() : value;
        }

        /** decimal, then e±k, \times10^{k}, \cdot 10^k or *10^k. */
        Rational scientific() {
            Rational mantissa = plainDecimal(true);
            if (mantissa == null) return null;
            int before = at;
            Integer exponent = null;
            if (at < s.length() && (s.charAt(at) == 'e' || s.charAt(at) == 'E')) {
                at++;
                exponent = signedInteger();
                if (exponent == null) at = before;
            } else {
                spaces();
                if (take("\\times") || take("\\cdot") || take("*") || take("×")) {
                    spaces();
                    if (take("10^")) {
                        boolean braced = take("{");
                        exponent = signedInteger();
                        if (exponent != null && braced && !take("}")) exponent = null;
                    }
                }
                if (exponent == null) at = before;
            }
            if (exponent == null) return mantissa;
            if (Math.abs(exponent) > MAX_EXPONENT) throw new ArithmeticException("exponent too large");
            BigInteger power = BigInteger.TEN.pow(Math.abs(exponent));
            return exponent >= 0 ? mantissa.multiply(of(power, BigInteger.ONE)) : mantissa.divide(of(power, BigInteger.ONE));
        }

        Integer signedInteger() {
            boolean negative = take("-");
            if (!negative) take("+");
            int start = at;
            while (at < s.length() && Character.isDigit(s.charAt(at)) && at - start < 7) at++;
            if (at == start || (at < s.length() && Character.isDigit(s.charAt(at)))) return null;
            int value = Integer.parseInt(s, start, at, 10);
            return negative ? -value : value;
        }

        /** 12, 12.5, .5, 12., 1,234,567.25 (commas only in groups of three). */
        Rational plainDecimal(boolean allowGrouping) {
            StringBuilder digits = new StringBuilder();
            int start = at;
            while (at < s.length()) {
                char c = s.charAt(at);
                if (Character.isDigit(c) && c < 128) {
                    digits.append(c);
                    at++;
                } else if (allowGrouping && c == ',' && digits.length() > 0 && groupOfThree(afterSeparator(at + 1))) {
                    at = afterSeparator(at + 1);
                } else if (allowGrouping && c == '{' && s.startsWith("{,}", at) && digits.length() > 0 && groupOfThree(at + 3)) {
                    at += 3;
                } else {
                    break;
                }
                if (digits.length() > MAX_DIGITS) throw new ArithmeticException("numeral too long");
            }
            int scale = 0;
            if (at < s.length() && s.charAt(at) == '.' && at + 1 <= s.length()) {
                int dot = at;
                at++;
                while (at < s.length() && Character.isDigit(s.charAt(at)) && s.charAt(at) < 128) {
                    digits.append(s.charAt(at));
                    scale++;
                    at++;
                    if (digits.length() > MAX_DIGITS) throw new ArithmeticException("numeral too long");
                }
                if (s.startsWith("\\overline{", at)) return repeating(digits, scale);
                if (scale == 0 && digits.length() == 0) at = dot;
            }
            if (digits.length() == 0) {
                at = start;
                return null;
            }
            return of(new BigInteger(digits.toString()), BigInteger.TEN.pow(scale));
        }

        /** 0.1\overline{6} = 1/10 + 6/(10 * 9): the digits so far, then a repeating block. */
        private Rational repeating(StringBuilder digits, int scale) {
            at += "\\overline{".length();
            int from = at;
            while (at < s.length() && Character.isDigit(s.charAt(at)) && s.charAt(at) < 128 && at - from < MAX_DIGITS) at++;
            if (at == from || at >= s.length() || s.charAt(at) != '}') throw new ArithmeticException("not a repeating decimal");
            BigInteger block = new BigInteger(s.substring(from, at));
            at++;
            BigInteger shift = BigInteger.TEN.pow(scale);
            Rational fixed = digits.length() == 0 ? ZERO : of(new BigInteger(digits.toString()), shift);
            return fixed.add(of(block, shift.multiply(BigInteger.TEN.pow(at - 1 - from).subtract(BigInteger.ONE))));
        }

        /** Skips the thin-space {@code \!} and spaces that LaTeX sources put after a thousands comma. */
        private int afterSeparator(int from) {
            int i = from;
            if (s.startsWith("\\!", i)) i += 2;
            while (i < s.length() && s.charAt(i) == ' ') i++;
            return i;
        }

        /** Exactly three digits follow, then no fourth digit. */
        private boolean groupOfThree(int from) {
            if (from + 3 > s.length()) return false;
            for (int i = from; i < from + 3; i++) if (!Character.isDigit(s.charAt(i))) return false;
            return from + 3 == s.length() || !Character.isDigit(s.charAt(from + 3));
        }
    }
}
