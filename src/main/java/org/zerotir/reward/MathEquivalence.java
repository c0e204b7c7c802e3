package org.zerotir.reward;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether two final answers are the same mathematical object, decided in cheap-to-expensive order:
 * <ol>
 *   <li>STRING: equal after {@link AnswerNormalizer#normalize};</li>
 *   <li>STRUCTURE: tuples, intervals, sets, lists, unions and matrices are taken apart and their elements
 *       compared by the stages below (a shape mismatch is decided here);</li>
 *   <li>RATIONAL: both elements plain numbers ({@link Rational#parse}) or numbers written as expressions
 *       ({@code 2^{10}}, {@code 20!}: {@link LatexExpression#exactValue}), compared exactly;</li>
 *   <li>NUMERIC: both read by {@link LatexExpression} and compared at seeded random points;</li>
 *   <li>FALLBACK: the optional {@link SymbolicFallback}, with a timeout, for what is still undecided.</li>
 * </ol>
 * Ordering rules: a parenthesised or bracketed tuple/interval is ordered and its brackets must agree
 * ({@code (1,2]} is not {@code [1,2]}); a braced set {@code \{...\}}, a bare comma list ({@code 1, -2}: the
 * solutions of an equation), a {@code \pm} answer and a union of intervals are unordered multisets. A bare list
 * against a parenthesised tuple is compared in order. Two equations are equal when their sides' differences are
 * proportional ({@code y=2x+3} and {@code 2x-y+3=0}); one equation against an expression drops a leading
 * {@code x =} ({@code x=5} equals {@code 5}). Every call is bounded: answers over {@value #MAX_CHARS} characters,
 * over {@value #MAX_ITEMS} elements or nested deeper than the parser's depth limit are UNPARSEABLE, never a stack overflow.
 */
public final class MathEquivalence {

    public enum Result { EQUAL, NOT_EQUAL, UNPARSEABLE }

    /** The stage that decided, in cost order (for metrics: how often the cheap stages suffice). */
    public enum Stage { STRING, STRUCTURE, RATIONAL, NUMERIC, FALLBACK, NONE }

    public record Verdict(Result result, Stage stage) {
        public boolean isEqual() {
            return result == Result.EQUAL;
        }
    }

    /**
     * @param samplePoints      points at which expressions with variables are compared
     * @param relativeTolerance |a - b| allowed, relative to the larger magnitude
     * @param seed              fixes the sample points, so a verdict is reproducible
     * @param fallback          null for none
     * @param fallbackTimeout   how long one fallback call may take
     */
    public record Settings(int samplePoints, double relativeTolerance, long seed, SymbolicFallback fallback, Duration fallbackTimeout) {
        public Settings {
            if (samplePoints < 2) throw new IllegalArgumentException("samplePoints must be >= 2, got " + samplePoints);
            if (!(relativeTolerance > 0 && relativeTolerance < 1e-3)) throw new IllegalArgumentException("relativeTolerance must be in (0, 1e-3), got " + relativeTolerance);
            if (fallbackTimeout == null || fallbackTimeout.isNegative() || fallbackTimeout.isZero()) throw new IllegalArgumentException("fallbackTimeout must be positive");
        }

        public static Settings defaults() {
            return new Settings(6, 1e-9, 0x5EEDL, null, Duration.ofSeconds(5));
        }

        public Settings withFallback(SymbolicFallback fallback, Duration timeout) {
            return new Settings(samplePoints, relativeTolerance, seed, fallback, timeout);
        }
    }

    static final int MAX_CHARS = 2_000;
    static final int MAX_ITEMS = 32;
    private static final int MAX_NESTING = 6;
    private static final double ABSOLUTE_TOLERANCE = 1e-13;
    private static final MathEquivalence STANDARD = new MathEquivalence(Settings.defaults());
    // Platform threads, not virtual ones: a fallback may block or compute, and virtual threads share a few
    // carriers with everything else in the JVM, so a busy process could starve the fallback past its budget.
    private static final ExecutorService FALLBACK_THREADS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "math-equivalence-fallback");
        thread.setDaemon(true);
        return thread;
    });

    private final Settings settings;

    public MathEquivalence(Settings settings) {
        this.settings = settings;
    }

    /** Without a fallback, at the default tolerance and points. */
    public static MathEquivalence standard() {
        return STANDARD;
    }

    /** Convenience: whether {@link #standard()} finds a and b equal. */
    public static boolean equivalent(String a, String b) {
        return STANDARD.check(a, b).isEqual();
    }

    public Verdict check(String a, String b) {
        if (a == null || b == null) return new Verdict(Result.UNPARSEABLE, Stage.NONE);
        if (a.strip().equals(b.strip()) && !a.isBlank()) return new Verdict(Result.EQUAL, Stage.STRING);
        // normalising is linear but for brace matching; bound it before it starts
        if (a.length() > 2 * MAX_CHARS || b.length() > 2 * MAX_CHARS) return new Verdict(Result.UNPARSEABLE, Stage.NONE);
        // the common case, two plain numbers, needs no normalising
        Verdict numbers = Comparison.rationally(a.strip(), b.strip());
        if (numbers != null) return numbers;
        String na = AnswerNormalizer.normalize(a), nb = AnswerNormalizer.normalize(b);
        if (na.isEmpty() || nb.isEmpty()) return new Verdict(Result.UNPARSEABLE, Stage.NONE);
        if (na.equals(nb)) return new Verdict(Result.EQUAL, Stage.STRING);
        if (na.length() > MAX_CHARS || nb.length() > MAX_CHARS) return new Verdict(Result.UNPARSEABLE, Stage.NONE);
        Shape sa = shape(na, 0), sb = shape(nb, 0);
        if (sa == null || sb == null) return new Verdict(Result.UNPARSEABLE, Stage.STRUCTURE);
        return new Comparison(System.nanoTime() + settings.fallbackTimeout().toNanos()).compare(sa, sb);
    }

    // ---- shapes -------------------------------------------------------------------------------------------

    /** What an answer is made of; atoms hold normalised text. */
    sealed interface Shape {}

    record Atom(String text) implements Shape {}

    /** A tuple or interval: ordered, and its brackets count. */
    record Ordered(char open, char close, List<Shape> items) implements Shape {}

    /** A set, a list of solutions or a union: order does not count, multiplicity does. */
    record Unordered(Kind kind, List<Shape> items) implements Shape {
        enum Kind { SET, LIST, UNION }
    }

    record Matrix(int rows, int columns, List<Shape> cells) implements Shape {}

    /** The shape of a normalised answer; null when it has too many elements or levels. */
    static Shape shape(String s, int nesting) {
        s = s.strip();
        if (nesting > MAX_NESTING) return null;
        List<String> union = splitTopLevel(s, "\\cup");
        if (union.size() > 1) return unordered(Unordered.Kind.UNION, union, nesting);
        if (s.startsWith("\\begin{") && s.endsWith("matrix}")) return matrix(s, nesting);
        if (s.startsWith("\\{") && s.endsWith("\\}") && closes(s, 0, s.length() - 1)) {
            return unordered(Unordered.Kind.SET, splitTopLevel(s.substring(2, s.length() - 2), ","), nesting);
        }
        if (s.length() >= 2 && (s.charAt(0) == '(' || s.charAt(0) == '[') && (s.endsWith(")") || s.endsWith("]")) && closes(s, 0, s.length() - 1)) {
            List<String> items = splitTopLevel(s.substring(1, s.length() - 1), ",");
            if (items.size() > 1) {
                if (items.size() > MAX_ITEMS) return null;
                List<Shape> shapes = new ArrayList<>();
                for (String item : items) {
                    Shape sh = shape(item, nesting + 1);
                    if (sh == null) return null;
                    shapes.add(sh);
                }
                return new Ordered(s.charAt(0), s.charAt(s.length() - 1), shapes);
            }
        }
        List<String> items = splitTopLevel(s, ";");
        if (items.size() > 1) return unordered(Unordered.Kind.LIST, items, nesting);
        items = splitTopLevel(s, ",");
        if (items.size() > 1) {
            // "x = (1, 2)" and "x \in [0, 1)" name the variable before a structure
            String stripped = AnswerNormalizer.stripVariablePrefix(s);
            if (!stripped.equals(s)) return shape(stripped, nesting + 1);
            return unordered(Unordered.Kind.LIST, items, nesting);
        }
        if (s.contains("\\in")) {
            String stripped = AnswerNormalizer.stripVariablePrefix(s);
            if (!stripped.equals(s)) return shape(stripped, nesting + 1);
        }
        List<String> signs = expandPlusMinus(s);
        if (signs.size() > 1) return unordered(Unordered.Kind.LIST, signs, nesting);
        return new Atom(s);
    }

    private static Shape unordered(Unordered.Kind kind, List<String> parts, int nesting) {
        if (parts.size() > MAX_ITEMS) return null;
        List<Shape> items = new ArrayList<>();
        for (String part : parts) {
            if (part.isBlank()) continue; // "2, 3, and 4" leaves an empty element behind
            Shape sh = shape(part, nesting + 1);
            if (sh == null) return null;
            // "1 \pm \sqrt 2" inside a list is two elements of that list
            if (kind != Unordered.Kind.UNION && sh instanceof Unordered u && u.kind() == Unordered.Kind.LIST && part.contains("\\pm")) items.addAll(u.items());
            else items.add(sh);
            if (items.size() > MAX_ITEMS) return null;
        }
        if (items.isEmpty()) return null;
        if (items.size() == 1 && kind == Unordered.Kind.LIST) return items.getFirst();
        return new Unordered(kind, items);
    }

    private static Shape matrix(String s, int nesting) {
        int bodyStart = s.indexOf('}') + 1;
        int bodyEnd = s.lastIndexOf("\\end{");
        if (bodyEnd < bodyStart) return null;
        List<String> rows = splitTopLevel(s.substring(bodyStart, bodyEnd), "\\\\");
        if (!rows.isEmpty() && rows.getLast().isBlank()) rows.removeLast();
        if (rows.isEmpty() || rows.size() > MAX_ITEMS) return null;
        List<Shape> cells = new ArrayList<>();
        int columns = -1;
        for (String row : rows) {
            List<String> rowCells = splitTopLevel(row, "&");
            if (columns >= 0 && rowCells.size() != columns) return null;
            columns = rowCells.size();
            for (String cell : rowCells) {
                Shape sh = shape(cell, nesting + 1);
                if (sh == null || cells.size() >= MAX_ITEMS * 4) return null;
                cells.add(sh);
            }
        }
        return new Matrix(rows.size(), columns, cells);
    }

    /** Whether the bracket at open is closed exactly at close (any of ( [ { against any of ) ] }). */
    static boolean closes(String s, int open, int close) {
        int depth = 0;
        for (int i = open; i <= close; i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[' || c == '{') depth++;
            else if (c == ')' || c == ']' || c == '}') {
                depth--;
                if (depth == 0) return i == close;
                if (depth < 0) return false;
            }
        }
        return false;
    }

    /** Splits at separator where no bracket is open; \begin...\end environments count as brackets. */
    static List<String> splitTopLevel(String s, String separator) {
        List<String> parts = new ArrayList<>();
        int depth = 0, from = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[' || c == '{') depth++;
            else if (c == ')' || c == ']' || c == '}') depth--;
            else if (c == '\\' && s.startsWith("\\begin{", i)) depth++;
            else if (c == '\\' && s.startsWith("\\end{", i)) depth--;
            if (depth == 0 && s.startsWith(separator, i) && !(separator.equals("\\cup") && i + 4 < s.length() && Character.isLetter(s.charAt(i + 4)))) {
                parts.add(s.substring(from, i));
                from = i + separator.length();
                i = from - 1;
            }
        }
        parts.add(s.substring(from));
        return parts;
    }

    /** a \pm b as [a + b, a - b] (\mp likewise); at most three signs, i.e. eight values. */
    static List<String> expandPlusMinus(String s) {
        List<String> out = new ArrayList<>(List.of(s));
        for (int round = 0; round < 3; round++) {
            List<String> next = new ArrayList<>();
            boolean expanded = false;
            for (String t : out) {
                int pm = t.indexOf("\\pm"), mp = t.indexOf("\\mp");
                int at = pm >= 0 && (mp < 0 || pm < mp) ? pm : mp;
                if (at < 0 || (at + 3 < t.length() && Character.isLetter(t.charAt(at + 3)))) {
                    next.add(t);
                    continue;
                }
                expanded = true;
                next.add(t.substring(0, at) + "+" + t.substring(at + 3));
                next.add(t.substring(0, at) + "-" + t.substring(at + 3));
            }
            out = next;
            if (!expanded) break;
        }
        return out;
    }

    // ---- comparison ---------------------------------------------------------------------------------------

    /**
     * One check: the fallback may spend at most one fallbackTimeout in all, however many elements of a tuple
     * or set it is asked about, so a check is bounded by that plus the built-in stages' (small) work.
     */
    private final class Comparison {
        private final long fallbackDeadline;

        Comparison(long fallbackDeadline) {
            this.fallbackDeadline = fallbackDeadline;
        }

        Verdict compare(Shape a, Shape b) {
            return switch (a) {
                case Atom x when b instanceof Atom y -> atom(x.text(), y.text());
                case Ordered x when b instanceof Ordered y -> x.open() != y.open() || x.close() != y.close() || x.items().size() != y.items().size()
                        ? new Verdict(Result.NOT_EQUAL, Stage.STRUCTURE) : inOrder(x.items(), y.items());
                case Ordered x when b instanceof Unordered y && y.kind() == Unordered.Kind.LIST && x.open() == '(' && x.close() == ')' ->
                        x.items().size() != y.items().size() ? new Verdict(Result.NOT_EQUAL, Stage.STRUCTURE) : inOrder(x.items(), y.items());
                case Unordered x when b instanceof Ordered -> compare(b, a);
                case Unordered x when b instanceof Unordered y -> (x.kind() == Unordered.Kind.UNION) != (y.kind() == Unordered.Kind.UNION)
                        || x.items().size() != y.items().size() ? new Verdict(Result.NOT_EQUAL, Stage.STRUCTURE) : anyOrder(x.items(), y.items());
                case Matrix x when b instanceof Matrix y -> x.rows() != y.rows() || x.columns() != y.columns()
                        ? new Verdict(Result.NOT_EQUAL, Stage.STRUCTURE) : inOrder(x.cells(), y.cells());
                case Matrix x when b instanceof Ordered y && (x.rows() == 1 || x.columns() == 1) && y.open() == '(' && y.close() == ')' ->
                        x.cells().size() != y.items().size() ? new Verdict(Result.NOT_EQUAL, Stage.STRUCTURE) : inOrder(x.cells(), y.items());
                case Ordered x when b instanceof Matrix -> compare(b, a);
                default -> new Verdict(Result.NOT_EQUAL, Stage.STRUCTURE);
            };
        }

        private Verdict inOrder(List<Shape> a, List<Shape> b) {
            Stage stage = Stage.STRUCTURE;
            boolean unparseable = false;
            for (int i = 0; i < a.size(); i++) {
                Verdict v = compare(a.get(i), b.get(i));
                if (v.result() == Result.NOT_EQUAL) return v;
                if (v.result() == Result.UNPARSEABLE) unparseable = true;
                stage = later(stage, v.stage());
            }
            return new Verdict(unparseable ? Result.UNPARSEABLE : Result.EQUAL, stage);
        }

        /** A perfect matching of equal elements (Kuhn's augmenting paths over at most MAX_ITEMS elements). */
        private Verdict anyOrder(List<Shape> a, List<Shape> b) {
            int n = a.size();
            Verdict diagonal = inOrder(a, b);
            if (diagonal.isEqual()) return diagonal;
            Result[][] results = new Result[n][n];
            Stage stage = Stage.STRUCTURE;
            boolean unparseable = false;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    Verdict v = compare(a.get(i), b.get(j));
                    results[i][j] = v.result();
                    if (v.result() == Result.UNPARSEABLE) unparseable = true;
                    stage = later(stage, v.stage());
                }
            }
            int[] matchOfB = new int[n];
            java.util.Arrays.fill(matchOfB, -1);
            for (int i = 0; i < n; i++) {
                if (!augment(i, results, matchOfB, new boolean[n])) {
                    return new Verdict(unparseable ? Result.UNPARSEABLE : Result.NOT_EQUAL, stage);
                }
            }
            return new Verdict(Result.EQUAL, stage);
        }

        private static boolean augment(int i, Result[][] results, int[] matchOfB, boolean[] seen) {
            for (int j = 0; j < matchOfB.length; j++) {
                if (results[i][j] != Result.EQUAL || seen[j]) continue;
                seen[j] = true;
                if (matchOfB[j] < 0 || augment(matchOfB[j], results, matchOfB, seen)) {
                    matchOfB[j] = i;
                    return true;
                }
            }
            return false;
        }

        private static Stage later(Stage a, Stage b) {
            return b == Stage.NONE ? a : a.ordinal() >= b.ordinal() ? a : b;
        }

        /** Two single values (numbers, expressions, words, equations). */
        Verdict atom(String a, String b) {
            if (a.equals(b)) return new Verdict(Result.EQUAL, Stage.STRING);
            if (isWord(a) && isWord(b)) {
                if (a.equalsIgnoreCase(b)) return new Verdict(Result.EQUAL, Stage.STRING);
                // short letter runs are more likely products of variables (xy against yx) than words: evaluate them
                if (a.length() > 3 || b.length() > 3) return new Verdict(Result.NOT_EQUAL, Stage.STRING);
            }
            if (a.contains("\\infty") || b.contains("\\infty")) return new Verdict(Result.NOT_EQUAL, Stage.STRING);
            Verdict numbers = rationally(a, b);
            if (numbers != null) return numbers;
            int ea = topLevelEquals(a), eb = topLevelEquals(b);
            if (ea >= 0 && eb >= 0) return equations(a, ea, b, eb);
            if (ea >= 0 || eb >= 0) {
                String sa = ea >= 0 ? AnswerNormalizer.stripVariablePrefix(a) : a;
                String sb = eb >= 0 ? AnswerNormalizer.stripVariablePrefix(b) : b;
                // an equation such as 2x+3y=6 against an expression: different kinds of object
                if (topLevelEquals(sa) >= 0 || topLevelEquals(sb) >= 0) return new Verdict(Result.NOT_EQUAL, Stage.STRUCTURE);
                return atom(sa, sb);
            }
            if (hasRelation(a) || hasRelation(b)) return undecided(a, b);
            // a ratio 3:5 is the number 3/5 (times such as 8:34 p.m. keep their letters and stay strings)
            String ratioA = ratio(a), ratioB = ratio(b);
            if (ratioA != null || ratioB != null) return atom(ratioA != null ? ratioA : a, ratioB != null ? ratioB : b);
            Optional<LatexExpression> xa = LatexExpression.parse(stripPercent(a)), xb = LatexExpression.parse(stripPercent(b));
            if (xa.isEmpty() || xb.isEmpty()) {
                // two different plain tokens (an invalid base numeral such as 4216_5): nothing to compute, they differ
                if (isPlainToken(a) && isPlainToken(b)) return new Verdict(Result.NOT_EQUAL, Stage.STRING);
                return undecided(a, b);
            }
            // numbers written as expressions (2^{10}, 10^{20}+1): exact when they can be, so big integers never round together
            Optional<Rational> qa = xa.get().exactValue();
            if (qa.isPresent()) {
                Optional<Rational> qb = xb.get().exactValue();
                if (qb.isPresent()) return new Verdict(qa.get().equals(qb.get()) ? Result.EQUAL : Result.NOT_EQUAL, Stage.RATIONAL);
            }
            Result numeric = numerically(xa.get(), null, xb.get(), null, false);
            if (numeric == null) return undecided(a, b);
            return new Verdict(numeric, Stage.NUMERIC);
        }

        /** Both plain numbers: compared exactly. Null when either is something else. */
        private static Verdict rationally(String a, String b) {
            Optional<Rational> ra = Rational.parse(a);
            if (ra.isEmpty()) return null;
            Optional<Rational> rb = Rational.parse(b);
            if (rb.isEmpty()) return null;
            if (ra.get().equals(rb.get())) return new Verdict(Result.EQUAL, Stage.RATIONAL);
            // "50%" against "50": the percent sign is presentation (MATH answers drop it)
            if (Rational.isPercent(a) || Rational.isPercent(b)) {
                Optional<Rational> pa = Rational.parse(stripPercent(a)), pb = Rational.parse(stripPercent(b));
                if (pa.isPresent() && pb.isPresent() && pa.get().equals(pb.get())) return new Verdict(Result.EQUAL, Stage.RATIONAL);
            }
            return new Verdict(Result.NOT_EQUAL, Stage.RATIONAL);
        }

        /** "a:b" with one colon and no letters as "(a)/(b)"; null otherwise. */
        private static String ratio(String s) {
            int colon = s.indexOf(':');
            if (colon <= 0 || colon == s.length() - 1 || s.indexOf(':', colon + 1) >= 0) return null;
            for (int i = 0; i < s.length(); i++) if (Character.isLetter(s.charAt(i))) return null;
            return "(" + s.substring(0, colon) + ")/(" + s.substring(colon + 1) + ")";
        }

        private static String stripPercent(String s) {
            if (s.endsWith("\\%")) return s.substring(0, s.length() - 2).strip();
            return s.endsWith("%") ? s.substring(0, s.length() - 1).strip() : s;
        }

        private static boolean isWord(String s) {
            if (s.length() < 2) return false;
            for (int i = 0; i < s.length(); i++) if (!Character.isLetter(s.charAt(i)) && s.charAt(i) != ' ') return false;
            return true;
        }

        private static boolean isPlainToken(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (!(c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '{' || c == '}' || c == '.'))) return false;
            }
            return true;
        }

        private static boolean hasRelation(String s) {
            return s.indexOf('<') >= 0 || s.indexOf('>') >= 0 || s.contains("\\leq") || s.contains("\\geq") || s.contains("\\neq")
                    || s.contains("\\lt") || s.contains("\\gt");
        }

        /** Index of the one '=' outside brackets, or -1 (also -1 for chains like a=b=c). */
        static int topLevelEquals(String s) {
            int depth = 0, found = -1;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '(' || c == '[' || c == '{') depth++;
                else if (c == ')' || c == ']' || c == '}') depth--;
                else if (c == '=' && depth == 0) {
                    if (found >= 0) return -1;
                    found = i;
                }
            }
            return found;
        }

        /** L1 = R1 against L2 = R2: the same solution set when L1 - R1 is a non-zero constant times L2 - R2. */
        private Verdict equations(String a, int ea, String b, int eb) {
            Optional<LatexExpression> la = LatexExpression.parse(a.substring(0, ea)), ra = LatexExpression.parse(a.substring(ea + 1));
            Optional<LatexExpression> lb = LatexExpression.parse(b.substring(0, eb)), rb = LatexExpression.parse(b.substring(eb + 1));
            if (la.isEmpty() || ra.isEmpty() || lb.isEmpty() || rb.isEmpty()) return undecided(a, b);
            Result r = numerically(la.get(), ra.get(), lb.get(), rb.get(), true);
            if (r == null) return undecided(a, b);
            return new Verdict(r, Stage.NUMERIC);
        }

        /**
         * Compares a (minus a2) with b (minus b2) at the sample points; proportional: a non-zero constant ratio
         * is enough. Null when fewer than two points (one for constants) gave finite values on both sides.
         */
        private Result numerically(LatexExpression a, LatexExpression a2, LatexExpression b, LatexExpression b2, boolean proportional) {
            boolean variables = a.hasVariables() || b.hasVariables() || (a2 != null && a2.hasVariables()) || (b2 != null && b2.hasVariables());
            int points = variables ? settings.samplePoints() : 1;
            int needed = variables ? 2 : 1;
            int compared = 0;
            Complex ratio = null;
            for (int k = 0; k < points; k++) {
                Complex va = a.evaluate(settings.seed(), k), vb = b.evaluate(settings.seed(), k);
                if (a2 != null) va = va.subtract(a2.evaluate(settings.seed(), k));
                if (b2 != null) vb = vb.subtract(b2.evaluate(settings.seed(), k));
                if (!va.isFinite() || !vb.isFinite()) continue;
                compared++;
                if (!proportional) {
                    if (!close(va, vb)) return Result.NOT_EQUAL;
                    continue;
                }
                boolean zeroA = va.abs() <= ABSOLUTE_TOLERANCE, zeroB = vb.abs() <= ABSOLUTE_TOLERANCE;
                if (zeroA && zeroB) continue;
                if (zeroA || zeroB) return Result.NOT_EQUAL;
                Complex r = va.divide(vb);
                if (ratio == null) ratio = r;
                else if (!close(r, ratio)) return Result.NOT_EQUAL;
            }
            if (compared < needed) return null;
            if (proportional && ratio == null) return null;
            return Result.EQUAL;
        }

        private boolean close(Complex a, Complex b) {
            double diff = a.subtract(b).abs();
            return diff <= settings.relativeTolerance() * Math.max(a.abs(), b.abs()) + ABSOLUTE_TOLERANCE;
        }

        /** The fallback's answer for what the built-in stages left open; UNPARSEABLE without one, or past the budget. */
        private Verdict undecided(String a, String b) {
            SymbolicFallback fallback = settings.fallback();
            if (fallback == null) return new Verdict(Result.UNPARSEABLE, Stage.NONE);
            long left = fallbackDeadline - System.nanoTime();
            if (left <= 0) return new Verdict(Result.UNPARSEABLE, Stage.FALLBACK);
            Duration timeout = Duration.ofNanos(left);
            Future<Optional<Boolean>> answer = FALLBACK_THREADS.submit(() -> fallback.equivalent(a, b, timeout));
            try {
                Optional<Boolean> equal = answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
                if (equal != null && equal.isPresent()) return new Verdict(equal.get() ? Result.EQUAL : Result.NOT_EQUAL, Stage.FALLBACK);
            } catch (TimeoutException e) {
                answer.cancel(true);
            } catch (InterruptedException e) {
                answer.cancel(true);
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException e) {
                // a failing fallback decides nothing
            }
            return new Verdict(Result.UNPARSEABLE, Stage.FALLBACK);
        }
    }
}
