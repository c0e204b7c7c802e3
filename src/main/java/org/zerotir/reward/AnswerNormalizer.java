package org.zerotir.reward;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites a final answer into a canonical spelling, so that answers differing only in presentation compare
 * equal as strings (the cheapest stage of {@link MathEquivalence}): no {@code $}, {@code \left}/{@code \right},
 * spacing commands, text wrappers around units, units, degree signs, dollar signs, thousands separators,
 * trailing period or spaces; {@code \dfrac}/{@code \tfrac} become {@code \frac}; single-character arguments
 * get braces ({@code \frac12} is {@code \frac{1}{2}}). The result is still LaTeX the expression parser reads.
 * A leading {@code x =} is removed by {@link #stripVariablePrefix}, per element of a list.
 */
public final class AnswerNormalizer {

    private AnswerNormalizer() {}

    private static final String[] TEXT_COMMANDS = {"\\text", "\\textbf", "\\textit", "\\textrm", "\\mathrm", "\\mathbf",
            "\\mbox", "\\textnormal", "\\mathit", "\\hbox"};
    /** Words that only name a unit after a number ("5 cm", "36 dollars"); "m", "s" and "g" are left alone: they are also variables. */
    private static final java.util.Set<String> UNITS = java.util.Set.of("unit", "units", "degree", "degrees", "deg", "cm", "mm", "km",
            "meter", "meters", "metre", "metres", "inch", "inches", "in", "foot", "feet", "ft", "mile", "miles", "yard", "yards", "yd",
            "cent", "cents", "dollar", "dollars", "hour", "hours", "hr", "hrs", "minute", "minutes", "min", "mins", "second", "seconds",
            "sec", "day", "days", "week", "weeks", "month", "months", "year", "years", "mph", "km/h", "kg", "gram", "grams", "pound",
            "pounds", "lb", "lbs", "ounce", "ounces", "oz", "liter", "liters", "litre", "litres", "gallon", "gallons", "people", "person",
            "persons", "student", "students", "apples", "marbles", "ways", "point", "points");
    private static final java.util.Set<String> UNIT_PREFIXES = java.util.Set.of("square", "sq", "sq.", "cubic");
    private static final Pattern UNIT_EXPONENT = Pattern.compile("^\\s*\\^\\s*\\{?\\s*[23]\\s*\\}?");
    private static final Pattern MIXED_NUMBER = Pattern.compile("^(-?\\d+)\\s+(\\d+)\\s*/\\s*(\\d+)$");
    private static final Pattern THOUSANDS = Pattern.compile("^[-+]?\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?$");
    private static final Pattern VARIABLE_PREFIX = Pattern.compile("^(?:[a-zA-Z]|\\\\[a-zA-Z]+)(?:_\\{?\\w+\\}?)?(?:\\([a-z]\\))?\\s*(?:=|\\\\in\\b)");

    public static String normalize(String answer) {
        if (answer == null) return "";
        String s = answer.strip();
        s = unwrapBoxes(s);
        if (hasNonAscii(s)) {
            s = s.replace('−', '-').replace('–', '-').replace("×", "\\times ").replace("·", "\\cdot ").replace("π", "\\pi ")
                    .replace("∞", "\\infty ").replace("√", "\\sqrt").replace("±", "\\pm ").replace("≤", "\\leq ").replace("≥", "\\geq ")
                    .replace("°", "").replace("²", "^2").replace("³", "^3");
        }
        s = s.replace('\n', ' ').replace('\t', ' ');
        if (s.indexOf('$') >= 0) {
            s = s.replace("\\$", "").replace("$", "");
            // "$\boxed{5}$": the box is only visible once the dollars are gone
            s = unwrapBoxes(s.strip());
        }
        if (s.indexOf('\\') >= 0) s = commands(s);
        s = s.replace("~", " ");
        s = s.replace("{,}", ",");
        if (s.contains("\\text") || s.contains("\\math") || s.contains("\\mbox") || s.contains("\\hbox")) s = texts(s);
        s = stripTrailingPunctuation(s.strip());
        if (mayEndInUnit(s)) s = removeUnitWord(s);
        s = s.strip();
        // "\approx 8.24": the approximation sign says nothing about which number is meant
        if (s.startsWith("\\approx")) s = s.substring(7).strip();
        s = stripTrailingPunctuation(s);
        if (s.indexOf('/') >= 0 && s.indexOf(' ') >= 0) {
            Matcher mixed = MIXED_NUMBER.matcher(s);
            if (mixed.matches()) s = mixed.group(1) + "\\frac{" + mixed.group(2) + "}{" + mixed.group(3) + "}";
        }
        s = squeezeSpaces(s);
        if (s.indexOf(',') >= 0 && THOUSANDS.matcher(s).matches()) s = s.replace(",", "");
        s = braceSingleArguments(s);
        s = leadingZero(s);
        if (s.startsWith("+") && s.length() > 1) s = s.substring(1);
        s = s.replace("+\\infty", "\\infty");
        if (s.length() == 3 && s.charAt(0) == '(' && s.charAt(2) == ')' && s.charAt(1) >= 'A' && s.charAt(1) <= 'E') s = s.substring(1, 2);
        return s;
    }

    /** The backslash rewrites of {@link #normalize}: delimiters, spacing, sizing, fraction and degree spellings. */
    private static String commands(String s) {
        if (s.startsWith("\\[") && s.endsWith("\\]") && s.length() >= 4) s = s.substring(2, s.length() - 2);
        if (s.startsWith("\\(") && s.endsWith("\\)") && s.length() >= 4) s = s.substring(2, s.length() - 2);
        // "\\" (a matrix row break) must survive the removal of "\ " and friends
        s = s.replace("\\\\", "\u0001");
        s = s.replace("\\%", "%").replace("\\!", "").replace("\\,", " ").replace("\\;", " ").replace("\\:", " ").replace("\\ ", " ")
                .replace("\\qquad", " ").replace("\\quad", " ");
        s = s.replace("\u0001", "\\\\");
        s = removeCommand(s, "\\displaystyle");
        if (s.contains("\\left") || s.contains("\\right")) {
            s = s.replace("\\left.", "").replace("\\right.", "");
            s = removeCommand(s, "\\left");
            s = removeCommand(s, "\\right");
        }
        s = removeCommand(s, "\\bigl");
        s = removeCommand(s, "\\bigr");
        s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac").replace("\\cfrac", "\\frac")
                .replace("\\dbinom", "\\binom").replace("\\tbinom", "\\binom");
        if (s.contains("circ") || s.contains("degree")) {
            s = s.replace("^{\\circ}", "").replace("^\\circ", "").replace("\\circ", "").replace("^{\\degree}", "").replace("\\degree", "");
        }
        s = replaceCommand(s, "\\le", "\\leq").replace("\\leqslant", "\\leq");
        s = replaceCommand(s, "\\ge", "\\geq").replace("\\geqslant", "\\geq");
        s = replaceCommand(s, "\\ne", "\\neq");
        s = replaceCommand(s, "\\infin", "\\infty");
        return s.replace("\\lvert", "|").replace("\\rvert", "|").replace("\\vert", "|").replace("\\mid", "|");
    }

    private static boolean hasNonAscii(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 128) return true;
        return false;
    }

    /** Removes a leading {@code x =}, {@code f(x) =}, {@code \theta =} or {@code x \in}, when something is left. */
    public static String stripVariablePrefix(String s) {
        Matcher m = VARIABLE_PREFIX.matcher(s);
        if (m.find() && m.end() < s.length()) {
            String rest = s.substring(m.end()).strip();
            if (!rest.isEmpty() && rest.indexOf('=') < 0) return rest;
        }
        return s;
    }

    private static String unwrapBoxes(String s) {
        for (int guard = 0; guard < 8; guard++) {
            String prefix = s.startsWith("\\boxed{") ? "\\boxed{" : s.startsWith("\\fbox{") ? "\\fbox{" : null;
            if (prefix == null) return s;
            int close = AnswerExtractor.matchingBrace(s, prefix.length() - 1, s.length());
            if (close != s.length() - 1) return s;
            s = s.substring(prefix.length(), close).strip();
        }
        return s;
    }

    /** "42." and "(E)," as they end sentences and lists in prose. */
    private static String stripTrailingPunctuation(String s) {
        while (s.endsWith(".") || s.endsWith(",") || s.endsWith(";")) s = s.substring(0, s.length() - 1).strip();
        return s;
    }

    /** A unit word can only be there when the answer ends in a letter, a period or a small exponent. */
    private static boolean mayEndInUnit(String s) {
        if (s.isEmpty()) return false;
        char last = s.charAt(s.length() - 1);
        return Character.isLetter(last) || last == '.' || last == '2' || last == '3' || last == '}' || last == '²' || last == '³';
    }

    /** Removes \name where it is a whole command (not a prefix of a longer one: \right vs \rightarrow). */
    static String removeCommand(String s, String name) {
        return replaceCommand(s, name, "");
    }

    static String replaceCommand(String s, String name, String replacement) {
        int i = s.indexOf(name);
        if (i < 0) return s;
        StringBuilder out = new StringBuilder(s.length());
        int from = 0;
        while (i >= 0) {
            int end = i + name.length();
            if (end < s.length() && Character.isLetter(s.charAt(end))) {
                out.append(s, from, end);
            } else {
                out.append(s, from, i).append(replacement);
                if (replacement.isEmpty() && end < s.length() && s.charAt(end) == ' ') end++;
            }
            from = end;
            i = s.indexOf(name, from);
        }
        return out.append(s, from, s.length()).toString();
    }

    /**
     * {@code \text{...}} and its kin. When the whole answer is text it is unwrapped ({@code \text{Evelyn}});
     * beside math, a word is a unit and goes away with its exponent ({@code 864 \mbox{ inches}^2}), "and"/"or"
     * become a comma, anything else is unwrapped ({@code \text{(C)}}, {@code 3+2\mathrm{i}}).
     */
    private static String texts(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder out = new StringBuilder(s.length());
        StringBuilder outside = new StringBuilder();
        java.util.List<int[]> groups = new java.util.ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            String command = null;
            if (s.charAt(i) == '\\') {
                for (String c : TEXT_COMMANDS) {
                    if (s.startsWith(c, i) && s.startsWith("{", i + c.length())) {
                        command = c;
                        break;
                    }
                }
            }
            if (command == null) {
                outside.append(s.charAt(i));
                i++;
                continue;
            }
            int open = i + command.length();
            int close = AnswerExtractor.matchingBrace(s, open, s.length());
            if (close < 0) return s;
            groups.add(new int[]{i, open, close});
            i = close + 1;
        }
        if (groups.isEmpty()) return s;
        boolean onlyText = true;
        for (int k = 0; k < outside.length() && onlyText; k++) onlyText = " \t.,;:!()^{}".indexOf(outside.charAt(k)) >= 0;
        int from = 0;
        for (int[] g : groups) {
            out.append(s, from, g[0]);
            String content = s.substring(g[1] + 1, g[2]);
            String word = content.strip();
            int after = g[2] + 1;
            if (onlyText) {
                out.append(content);
            } else if (word.equals("and") || word.equals("or") || word.equals(",")) {
                out.append(',');
            } else if (word.length() >= 2 && word.matches("[A-Za-z .]+")) {
                Matcher exponent = UNIT_EXPONENT.matcher(s.substring(after));
                if (exponent.find()) after += exponent.end();
            } else {
                out.append(content);
            }
            from = after;
        }
        out.append(s, from, s.length());
        return out.toString().strip();
    }

    /** "5 cm", "15 square units", "12 ft^2": the trailing unit goes when a number (or a closing bracket) is before it. */
    private static String removeUnitWord(String s) {
        int end = s.length();
        if (s.endsWith("^2") || s.endsWith("^3")) end -= 2;
        else if (s.endsWith("^{2}") || s.endsWith("^{3}")) end -= 4;
        int start = wordBefore(s, end);
        if (start == end || !UNITS.contains(s.substring(start, end).toLowerCase(java.util.Locale.ROOT))) return s;
        int cut = start;
        while (cut > 0 && s.charAt(cut - 1) == ' ') cut--;
        int prefix = wordBefore(s, cut);
        if (prefix < cut && UNIT_PREFIXES.contains(s.substring(prefix, cut).toLowerCase(java.util.Locale.ROOT))) {
            cut = prefix;
            while (cut > 0 && s.charAt(cut - 1) == ' ') cut--;
        }
        if (cut == 0) return s;
        char before = s.charAt(cut - 1);
        if (!(Character.isDigit(before) || before == '}' || before == ')' || before == '.')) return s;
        return s.substring(0, cut);
    }

    /** Start of the run of letters (with inner '/', as in km/h) that ends at end. */
    private static int wordBefore(String s, int end) {
        int i = end;
        while (i > 0 && (Character.isLetter(s.charAt(i - 1)) || (s.charAt(i - 1) == '/' && i < end))) i--;
        return i;
    }

    /** Collapses spaces; keeps one only between two letters or two digits, where it still separates tokens. */
    private static String squeezeSpaces(String s) {
        if (s.indexOf(' ') < 0) return s;
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != ' ') {
                out.append(c);
                continue;
            }
            int j = i;
            while (j < s.length() && s.charAt(j) == ' ') j++;
            if (out.length() > 0 && j < s.length()) {
                char before = out.charAt(out.length() - 1), after = s.charAt(j);
                if ((Character.isLetter(before) && Character.isLetter(after)) || (Character.isDigit(before) && Character.isDigit(after))) out.append(' ');
            }
            i = j - 1;
        }
        return out.toString();
    }

    /** {@code \frac12} to {@code \frac{1}{2}}, {@code \sqrt2} to {@code \sqrt{2}}, {@code ^{2}} to {@code ^2}, {@code _{5}} to {@code _5}. */
    private static String braceSingleArguments(String s) {
        if (s.indexOf('\\') < 0 && s.indexOf('{') < 0) return s;
        StringBuilder out = new StringBuilder(s.length() + 8);
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\' && s.startsWith("\\frac", i) && (i + 5 == s.length() || !Character.isLetter(s.charAt(i + 5)))) {
                out.append("\\frac");
                i = braceArgument(s, i + 5, out);
                i = braceArgument(s, i, out);
            } else if (c == '\\' && s.startsWith("\\sqrt", i) && (i + 5 == s.length() || !Character.isLetter(s.charAt(i + 5)))) {
                out.append("\\sqrt");
                i = braceArgument(s, i + 5, out);
            } else if ((c == '^' || c == '_') && i + 3 < s.length() && s.charAt(i + 1) == '{' && s.charAt(i + 3) == '}'
                    && Character.isLetterOrDigit(s.charAt(i + 2))) {
                out.append(c).append(s.charAt(i + 2));
                i += 4;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** Copies one argument at i, braced: a {group} as it is, a single letter or digit wrapped. */
    private static int braceArgument(String s, int i, StringBuilder out) {
        int start = i;
        while (i < s.length() && s.charAt(i) == ' ') i++;
        if (i >= s.length()) return start;
        char c = s.charAt(i);
        if (c == '{') {
            int close = AnswerExtractor.matchingBrace(s, i, s.length());
            if (close < 0) return i;
            out.append(s, i, close + 1);
            return close + 1;
        }
        if (c < 128 && Character.isLetterOrDigit(c)) {
            out.append('{').append(c).append('}');
            return i + 1;
        }
        return start;
    }

    /** {@code .5} to {@code 0.5}, where the point starts a numeral. */
    private static String leadingZero(String s) {
        if (s.indexOf('.') < 0) return s;
        StringBuilder out = new StringBuilder(s.length() + 2);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)) && (i == 0 || !Character.isDigit(s.charAt(i - 1)))) out.append('0');
            out.append(c);
        }
        return out.toString();
    }
}
