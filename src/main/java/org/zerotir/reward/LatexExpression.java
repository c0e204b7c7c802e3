package org.zerotir.reward;

import java.util.Optional;
import java.util.Set;

/**
 * A LaTeX (or ASCII) math expression parsed into a small tree and evaluated numerically, in complex doubles,
 * at seeded random values of its variables. Equal expressions agree at every sample point; unequal ones
 * almost never do. Reads {@code \frac}, {@code \sqrt[n]{}}, {@code \sqrt x}, {@code ^} with {@code {...}},
 * {@code \pi}, {@code e}, {@code i}, single-letter and Greek variables (with subscripts), implicit
 * multiplication ({@code 2x}, {@code 2\pi}, {@code (x+1)(x-1)}), {@code \cdot}, {@code \times}, {@code \div},
 * unary signs, {@code !}, {@code |x|}, {@code \binom}, trigonometric functions, {@code \log}, {@code \ln},
 * {@code \exp}. {@code e} is Euler's number and {@code i} the imaginary unit, as in MATH answers.
 * Work is bounded: inputs over {@value #MAX_CHARS} characters or nested deeper than {@value #MAX_DEPTH} are
 * refused, never recursed into.
 */
public final class LatexExpression {

    static final int MAX_CHARS = 1_000;
    static final int MAX_DEPTH = 100;

    /** The parsed tree; each node evaluates itself at one sample point. */
    sealed interface Node {
        Complex at(Point p);
    }

    /** Values of the variables at one sample point, derived from the seed, the point index and the name. */
    record Point(long seed, int index) {
        /** A value in [1.1, 2.9]: away from 0 and 1, where distinct expressions often coincide, and from poles. */
        double value(String name) {
            long h = seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L + name.hashCode() * 0x94D049BB133111EBL;
            h ^= h >>> 31;
            h *= 0x9E3779B97F4A7C15L;
            h ^= h >>> 29;
            return 1.1 + 1.8 * ((h >>> 11) * 0x1.0p-53);
        }
    }

    record Constant(Complex value) implements Node {
        public Complex at(Point p) {
            return value;
        }
    }

    /** A number as written (integers, decimals, mixed numbers, base-b numerals): exact, so big integers stay exact. */
    record Exact(Rational value) implements Node {
        public Complex at(Point p) {
            return Complex.real(value.doubleValue());
        }
    }

    record Variable(String name) implements Node {
        public Complex at(Point p) {
            return Complex.real(p.value(name));
        }
    }

    record Negate(Node x) implements Node {
        public Complex at(Point p) {
            return x.at(p).negate();
        }
    }

    record Binary(char op, Node left, Node right) implements Node {
        public Complex at(Point p) {
            Complex a = left.at(p), b = right.at(p);
            return switch (op) {
                case '+' -> a.add(b);
                case '-' -> a.subtract(b);
                case '*' -> a.multiply(b);
                case '/' -> a.divide(b);
                case '^' -> Complex.pow(a, b);
                case 'r' -> Complex.root(b, a);
                case 'l' -> Complex.log(b).divide(Complex.log(a));
                case 'C' -> binomial(a, b);
                default -> throw new IllegalStateException("operator " + op);
            };
        }
    }

    record Function(String name, Node x) implements Node {
        public Complex at(Point p) {
            Complex z = x.at(p);
            return switch (name) {
                case "sin" -> Complex.sin(z);
                case "cos" -> Complex.cos(z);
                case "tan" -> Complex.sin(z).divide(Complex.cos(z));
                case "cot" -> Complex.cos(z).divide(Complex.sin(z));
                case "sec" -> Complex.ONE.divide(Complex.cos(z));
                case "csc" -> Complex.ONE.divide(Complex.sin(z));
                case "sqrt" -> Complex.sqrt(z);
                case "exp" -> Complex.exp(z);
                case "ln", "log" -> Complex.log(z);
                case "abs" -> Complex.real(z.abs());
                case "arcsin" -> z.isReal() ? Complex.real(Math.asin(z.re())) : Complex.NAN;
                case "arccos" -> z.isReal() ? Complex.real(Math.acos(z.re())) : Complex.NAN;
                case "arctan" -> z.isReal() ? Complex.real(Math.atan(z.re())) : Complex.NAN;
                case "sinh" -> z.isReal() ? Complex.real(Math.sinh(z.re())) : Complex.NAN;
                case "cosh" -> z.isReal() ? Complex.real(Math.cosh(z.re())) : Complex.NAN;
                case "tanh" -> z.isReal() ? Complex.real(Math.tanh(z.re())) : Complex.NAN;
                case "floor" -> z.isReal() ? Complex.real(Math.floor(z.re())) : Complex.NAN;
                case "ceil" -> z.isReal() ? Complex.real(Math.ceil(z.re())) : Complex.NAN;
                case "!" -> factorial(z);
                default -> throw new IllegalStateException("function " + name);
            };
        }
    }

    private static Complex factorial(Complex z) {
        if (!z.isReal() || z.re() != Math.rint(z.re()) || z.re() < 0) return Complex.NAN;
        if (z.re() > 170) return Complex.real(Double.POSITIVE_INFINITY);
        double f = 1;
        for (int k = 2; k <= (int) z.re(); k++) f *= k;
        return Complex.real(f);
    }

    private static Complex binomial(Complex n, Complex k) {
        if (!n.isReal() || !k.isReal() || k.re() != Math.rint(k.re())) return Complex.NAN;
        if (k.re() < 0) return Complex.ZERO;
        if (k.re() > 10_000) return Complex.NAN;
        double c = 1;
        for (int j = 0; j < (int) k.re(); j++) c = c * (n.re() - j) / (j + 1);
        return Complex.real(c);
    }

    private final Node root;
    private final boolean hasVariables;

    private LatexExpression(Node root, boolean hasVariables) {
        this.root = root;
        this.hasVariables = hasVariables;
    }

    /** The tree of text, or empty when it is not an expression this parser reads. */
    public static Optional<LatexExpression> parse(String text) {
        if (text == null || text.isBlank() || text.length() > MAX_CHARS) return Optional.empty();
        try {
            Parser p = new Parser(text);
            Node node = p.expression();
            p.spaces();
            if (p.at != text.length()) return Optional.empty();
            return Optional.of(new LatexExpression(node, p.sawVariable));
        } catch (Unreadable e) {
            return Optional.empty();
        }
    }

    public boolean hasVariables() {
        return hasVariables;
    }

    /** Bounds on exact arithmetic: 2^{4950} is computed, 10^{10^{10}} is not (it is left to the double evaluation). */
    static final int MAX_EXACT_BITS = 20_000;
    static final int MAX_EXACT_FACTORIAL = 2_000;

    /**
     * The exact value when the expression is made of written numbers, + - * /, integer powers, ! and |..| only
     * ({@code 2^{10}}, {@code \frac{3}{4}+1}, {@code 10^{20}+1}); empty for anything with a variable, a root or
     * a constant such as pi, or when a result would exceed {@value #MAX_EXACT_BITS} bits.
     */
    public Optional<Rational> exactValue() {
        if (hasVariables) return Optional.empty();
        try {
            return Optional.ofNullable(exact(root));
        } catch (ArithmeticException e) {
            return Optional.empty();
        }
    }

    private static Rational exact(Node node) {
        return switch (node) {
            case Exact e -> e.value();
            case Negate n -> {
                Rational x = exact(n.x());
                yield x == null ? null : x.negate();
            }
            case Binary b when "+-*/^".indexOf(b.op()) >= 0 -> {
                Rational l = exact(b.left());
                if (l == null) yield null;
                Rational r = exact(b.right());
                if (r == null) yield null;
                if (b.op() != '^' && bits(l) + bits(r) > MAX_EXACT_BITS) yield null;
                yield switch (b.op()) {
                    case '+' -> l.add(r);
                    case '-' -> l.subtract(r);
                    case '*' -> l.multiply(r);
                    case '/' -> r.signum() == 0 ? null : l.divide(r);
                    default -> power(l, r);
                };
            }
            case Function f when f.name().equals("!") -> {
                Rational n = exact(f.x());
                if (n == null || !n.isInteger() || n.signum() < 0 || n.numerator().intValueExact() > MAX_EXACT_FACTORIAL) yield null;
                java.math.BigInteger product = java.math.BigInteger.ONE;
                for (int k = 2; k <= n.numerator().intValue(); k++) product = product.multiply(java.math.BigInteger.valueOf(k));
                yield Rational.of(product, java.math.BigInteger.ONE);
            }
            case Function f when f.name().equals("abs") -> {
                Rational x = exact(f.x());
                yield x == null ? null : x.abs();
            }
            default -> null;
        };
    }

    /** Size of a value, so that a product of many huge powers is refused before it is multiplied out. */
    private static long bits(Rational x) {
        return (long) x.numerator().bitLength() + x.denominator().bitLength();
    }

    private static Rational power(Rational base, Rational exponent) {
        if (!exponent.isInteger() || exponent.numerator().bitLength() > 31) return null;
        int k = exponent.numerator().intValue();
        if (base.signum() == 0) return k > 0 ? Rational.ZERO : null;
        long bits = (long) Math.max(base.numerator().bitLength(), base.denominator().bitLength()) * Math.abs(k);
        if (bits > MAX_EXACT_BITS) return null;
        Rational p = Rational.of(base.numerator().pow(Math.abs(k)), base.denominator().pow(Math.abs(k)));
        return k >= 0 ? p : Rational.ONE.divide(p);
    }

    public Complex evaluate(long seed, int point) {
        return root.at(new Point(seed, point));
    }

    /** Thrown inside the parser only; {@link #parse} turns it into an empty result. Stackless: it is control flow. */
    private static final class Unreadable extends RuntimeException {
        Unreadable() {
            super(null, null, false, false);
        }
    }

    private static final Unreadable UNREADABLE = new Unreadable();

    private static final Set<String> FUNCTIONS = Set.of("sin", "cos", "tan", "cot", "sec", "csc", "ln", "log", "exp",
            "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "floor", "ceil");
    /** Function names a model may write without a backslash; longest first so "arcsin" wins over "sin". */
    private static final String[] BARE_FUNCTIONS = {"arcsin", "arccos", "arctan", "sqrt", "sinh", "cosh", "tanh",
            "sin", "cos", "tan", "cot", "sec", "csc", "exp", "log", "ln", "pi"};
    private static final Set<String> GREEK = Set.of("alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta",
            "eta", "theta", "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "upsilon",
            "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma", "Phi", "Psi", "Omega");
    /** Commands that only set spacing or style and mean nothing for the value. */
    private static final Set<String> IGNORED = Set.of("left", "right", "displaystyle", "big", "Big", "bigl", "bigr",
            "Bigl", "Bigr", "mathrm", "text", "mathit", "operatorname");

    private static final class Parser {
        final String s;
        int at;
        int depth;
        boolean sawVariable;

        Parser(String s) {
            this.s = s;
        }

        void enter() {
            if (++depth > MAX_DEPTH) throw UNREADABLE;
        }

        void spaces() {
            while (at < s.length()) {
                char c = s.charAt(at);
                if (c == ' ' || c == '\t' || c == '\n') {
                    at++;
                } else if (c == '\\' && at + 1 < s.length() && ",;:! ".indexOf(s.charAt(at + 1)) >= 0) {
                    at += 2;
                } else if (c == '\\' && (commandIs("left") || commandIs("right") || commandIs("displaystyle"))) {
                    at += 1 + command().length();
                } else {
                    break;
                }
            }
        }

        char peek() {
            spaces();
            return at < s.length() ? s.charAt(at) : '\0';
        }

        boolean take(char c) {
            if (peek() == c) {
                at++;
                return true;
            }
            return false;
        }

        /** The letters of the command at 'at' (which is a backslash), without moving. */
        String command() {
            int j = at + 1;
            while (j < s.length() && Character.isLetter(s.charAt(j))) j++;
            return s.substring(at + 1, j);
        }

        boolean commandIs(String name) {
            return s.startsWith(name, at + 1) && (at + 1 + name.length() == s.length() || !Character.isLetter(s.charAt(at + 1 + name.length())));
        }

        Node expression() {
            enter();
            Node left = term();
            while (true) {
                char c = peek();
                if (c == '+') {
                    at++;
                    left = new Binary('+', left, term());
                } else if (c == '-') {
                    at++;
                    left = new Binary('-', left, term());
                } else {
                    break;
                }
            }
            depth--;
            return left;
        }

        Node term() {
            enter();
            Node left = unary();
            while (true) {
                char c = peek();
                if (c == '*' && !s.startsWith("**", at)) {
                    at++;
                    left = new Binary('*', left, unary());
                } else if (c == '/') {
                    at++;
                    left = new Binary('/', left, unary());
                } else if (c == '\\' && (commandIs("cdot") || commandIs("times") || commandIs("ast"))) {
                    at += 1 + command().length();
                    left = new Binary('*', left, unary());
                } else if (c == '\\' && commandIs("div")) {
                    at += 4;
                    left = new Binary('/', left, unary());
                } else if (startsPrimary()) {
                    left = new Binary('*', left, power());
                } else {
                    break;
                }
            }
            depth--;
            return left;
        }

        /** Whether what follows can start a factor of an implicit product. */
        boolean startsPrimary() {
            char c = peek();
            if (Character.isDigit(c) || c == '.' || c == '(' || c == '{' || c == '[') return true;
            if (c < 128 && Character.isLetter(c)) return true;
            if (c == '\\') {
                String name = command();
                return name.equals("frac") || name.equals("dfrac") || name.equals("tfrac") || name.equals("cfrac")
                        || name.equals("sqrt") || name.equals("pi") || name.equals("binom") || name.equals("infty")
                        || FUNCTIONS.contains(name) || GREEK.contains(name) || IGNORED.contains(name) || name.equals("lfloor") || name.equals("lceil");
            }
            return false;
        }

        Node unary() {
            enter();
            Node node;
            char c = peek();
            if (c == '-') {
                at++;
                node = new Negate(unary());
            } else if (c == '+') {
                at++;
                node = unary();
            } else {
                node = power();
            }
            depth--;
            return node;
        }

        Node power() {
            enter();
            Node base = postfix(primary());
            Node node = base;
            if (peek() == '^' || s.startsWith("**", at)) {
                at += s.charAt(at) == '^' ? 1 : 2;
                Node exponent = exponent();
                if (peek() == '^') {
                    // a^b^c is a^(b^c)
                    at++;
                    exponent = new Binary('^', exponent, exponent());
                }
                node = postfix(new Binary('^', base, exponent));
            }
            depth--;
            return node;
        }

        /** After ^: {group}, one digit (x^23 is x^2·3 in LaTeX), a signed factor, or a primary. */
        Node exponent() {
            char c = peek();
            if (c == '{') return group('{', '}');
            if (Character.isDigit(c)) {
                at++;
                return new Exact(Rational.of(c - '0'));
            }
            if (c == '-') {
                at++;
                return new Negate(exponent());
            }
            if (c == '+') {
                at++;
                return exponent();
            }
            return primary();
        }

        Node postfix(Node node) {
            while (peek() == '!') {
                at++;
                node = new Function("!", node);
            }
            return node;
        }

        Node group(char open, char close) {
            if (!take(open)) throw UNREADABLE;
            Node inner = expression();
            if (!take(close)) throw UNREADABLE;
            return inner;
        }

        /** A command's argument: a {group}, or a single digit, letter or command ({@code \frac12}, {@code \sqrt x}). */
        Node argument() {
            char c = peek();
            if (c == '{') return group('{', '}');
            if (Character.isDigit(c)) {
                at++;
                return new Exact(Rational.of(c - '0'));
            }
            if (c < 128 && Character.isLetter(c)) return letters(true);
            if (c == '\\') return primary();
            throw UNREADABLE;
        }

        Node primary() {
            enter();
            Node node;
            char c = peek();
            if (Character.isDigit(c) || c == '.') {
                node = number();
            } else if (c == '(') {
                node = group('(', ')');
            } else if (c == '[') {
                node = group('[', ']');
            } else if (c == '{') {
                node = group('{', '}');
            } else if (c == '|') {
                at++;
                node = new Function("abs", expression());
                if (!take('|')) throw UNREADABLE;
            } else if (c < 128 && Character.isLetter(c)) {
                node = letters(false);
            } else if (c == '\\') {
                node = command(command());
            } else {
                throw UNREADABLE;
            }
            depth--;
            return node;
        }

        /** A decimal numeral; an integer directly followed by {@code \frac{p}{q}} of integers is a mixed number. */
        Node number() {
            int start = at;
            while (at < s.length() && Character.isDigit(s.charAt(at))) at++;
            if (at < s.length() && s.charAt(at) == '.') {
                at++;
                while (at < s.length() && Character.isDigit(s.charAt(at))) at++;
            }
            String digits = s.substring(start, at);
            if (digits.equals(".")) throw UNREADABLE;
            // base-b numerals as MATH writes them: 4210_{5}
            if (at < s.length() && s.charAt(at) == '_' && digits.indexOf('.') < 0) return baseNumeral(digits);
            if (digits.length() > Rational.MAX_DIGITS) throw UNREADABLE;
            Rational value = Rational.parse(digits.startsWith(".") ? "0" + digits : digits).orElseThrow(() -> UNREADABLE);
            if (digits.indexOf('.') < 0) {
                int save = at;
                spaces();
                if (at < s.length() && s.charAt(at) == '\\' && (commandIs("frac") || commandIs("dfrac") || commandIs("tfrac"))) {
                    Optional<Rational> fraction = mixedFraction();
                    if (fraction.isPresent()) return new Exact(value.add(fraction.get()));
                }
                at = save;
            }
            return new Exact(value);
        }

        /** A {@code \frac} of two plain integers at 'at', consumed only when it is one. */
        Optional<Rational> mixedFraction() {
            int save = at;
            at += 1 + command().length();
            String num = integerArgument(), den = integerArgument();
            if (num != null && den != null && !den.matches("0+")) {
                return Optional.of(Rational.of(new java.math.BigInteger(num), new java.math.BigInteger(den)));
            }
            at = save;
            return Optional.empty();
        }

        String integerArgument() {
            spaces();
            if (at < s.length() && Character.isDigit(s.charAt(at))) return String.valueOf(s.charAt(at++));
            if (at >= s.length() || s.charAt(at) != '{') return null;
            int j = at + 1;
            while (j < s.length() && Character.isDigit(s.charAt(j)) && j - at < 18) j++;
            if (j == at + 1 || j >= s.length() || s.charAt(j) != '}') return null;
            String digits = s.substring(at + 1, j);
            at = j + 1;
            return digits;
        }

        Node baseNumeral(String digits) {
            at++;
            String base;
            if (at < s.length() && s.charAt(at) == '{') {
                int close = s.indexOf('}', at);
                if (close < 0) throw UNREADABLE;
                base = s.substring(at + 1, close).strip();
                at = close + 1;
            } else if (at < s.length() && Character.isDigit(s.charAt(at))) {
                base = String.valueOf(s.charAt(at++));
            } else {
                throw UNREADABLE;
            }
            try {
                int radix = Integer.parseInt(base);
                if (radix < 2 || radix > 36 || digits.length() > 40) throw UNREADABLE;
                return new Exact(Rational.of(new java.math.BigInteger(digits, radix), java.math.BigInteger.ONE));
            } catch (NumberFormatException e) {
                throw UNREADABLE;
            }
        }

        /** A letter run: a bare function name, e, i, or one single-letter variable (with its subscript). */
        Node letters(boolean single) {
            if (!single) {
                for (String name : BARE_FUNCTIONS) {
                    if (s.startsWith(name, at)) {
                        at += name.length();
                        if (name.equals("pi")) return new Constant(Complex.real(Math.PI));
                        return applyFunction(name);
                    }
                }
            }
            char c = s.charAt(at++);
            if (c == 'e' && !subscriptFollows()) return new Constant(Complex.real(Math.E));
            if (c == 'i' && !subscriptFollows()) return new Constant(Complex.I);
            return variable(String.valueOf(c));
        }

        boolean subscriptFollows() {
            return at < s.length() && s.charAt(at) == '_';
        }

        Node variable(String name) {
            sawVariable = true;
            if (subscriptFollows()) {
                at++;
                if (at < s.length() && s.charAt(at) == '{') {
                    int close = s.indexOf('}', at);
                    if (close < 0 || close - at > 20) throw UNREADABLE;
                    name = name + "_" + s.substring(at + 1, close).replace(" ", "");
                    at = close + 1;
                } else if (at < s.length() && Character.isLetterOrDigit(s.charAt(at))) {
                    name = name + "_" + s.charAt(at++);
                } else {
                    throw UNREADABLE;
                }
            }
            return new Variable(name);
        }

        Node command(String name) {
            at += 1 + name.length();
            switch (name) {
                case "frac", "dfrac", "tfrac", "cfrac" -> {
                    Node num = argument();
                    Node den = argument();
                    return new Binary('/', num, den);
                }
                case "sqrt" -> {
                    if (peek() == '[') {
                        Node index = group('[', ']');
                        return new Binary('r', index, argument());
                    }
                    return new Function("sqrt", argument());
                }
                case "binom", "dbinom", "tbinom", "choose" -> {
                    Node n = argument();
                    return new Binary('C', n, argument());
                }
                case "pi" -> {
                    return new Constant(Complex.real(Math.PI));
                }
                case "infty", "infin" -> {
                    return new Constant(Complex.real(Double.POSITIVE_INFINITY));
                }
                case "mathrm", "text", "mathit", "operatorname" -> {
                    // \mathrm{e}, \mathrm{i}, \operatorname{...}: read the content as letters
                    return argument();
                }
                case "lfloor", "lceil" -> {
                    Node inner = expression();
                    spaces();
                    String close = name.equals("lfloor") ? "rfloor" : "rceil";
                    if (!(at < s.length() && s.charAt(at) == '\\' && commandIs(close))) throw UNREADABLE;
                    at += 1 + close.length();
                    return new Function(name.equals("lfloor") ? "floor" : "ceil", inner);
                }
                case "log" -> {
                    if (peek() == '_') {
                        at++;
                        Node base = argument();
                        return new Binary('l', base, functionArgument());
                    }
                    return applyFunction("log");
                }
                default -> {
                    if (FUNCTIONS.contains(name)) return applyFunction(name);
                    if (GREEK.contains(name)) return variable(name);
                    throw UNREADABLE;
                }
            }
        }

        /** f x, f(x), f^2 x (the square of f x), f^{-1} x (the inverse for sin, cos, tan). */
        Node applyFunction(String name) {
            if (name.equals("sqrt")) return new Function("sqrt", peek() == '(' ? group('(', ')') : argument());
            Node power = null;
            if (peek() == '^') {
                at++;
                power = exponent();
                if (power instanceof Negate(Exact(Rational v)) && v.equals(Rational.ONE) && (name.equals("sin") || name.equals("cos") || name.equals("tan"))) {
                    return new Function("arc" + name, functionArgument());
                }
            }
            Node applied = new Function(name, functionArgument());
            return power == null ? applied : new Binary('^', applied, power);
        }

        /** (x), or a product of factors up to the next sign or function: {@code \sin 2x} is sin(2x). */
        Node functionArgument() {
            enter();
            Node arg = power();
            while (startsPrimary() && !startsFunction()) arg = new Binary('*', arg, power());
            depth--;
            return arg;
        }

        boolean startsFunction() {
            if (peek() == '\\') return FUNCTIONS.contains(command());
            for (String name : BARE_FUNCTIONS) if (!name.equals("pi") && s.startsWith(name, at)) return true;
            return false;
        }
    }
}
