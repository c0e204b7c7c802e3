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
    private static final Pattern UNIT_WORD = Pattern.compile(
            "(?<=[0-9}).)\\s])\\s*(?:square\\s+|sq\\.?\\s+|cubic\\s+)?(?:units?|degrees?|deg|cm|mm|km|meters?|metres?|inches|inch|in\\.|feet|foot|ft|miles?|yards?|yd"
                    + "|cents?|dollars?|hours?|hrs?|minutes?|mins?|seconds?|sec|days?|weeks?|months?|years?|mph|km/h|kg|grams?|pounds?|lbs?|ounces?|oz"
                    + "|liters?|litres?|gallons?|people|persons?|students?|apples?|marbles?|ways|points?|sq\\.?\\s*(?:units|ft|in|cm|m))"
                    + "(?:\\^\\{?[23]\\}?|²|³)?\\s*$");
    private static final Pattern MIXED_NUMBER = Pattern.compile("^(-?\\d+)\\s+(\\d+)\\s*/\\s*(\\d+)$");
    private static final Pattern THOUSANDS = Pattern.compile("^[-+]?\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?$");
    private static final Pattern VARIABLE_PREFIX = Pattern.compile("^(?:[a-zA-Z]|\\\\[a-zA-Z]+)(?:_\\{?\\w+\\}?)?(?:\\([a-z]\\))?\\s*(?:=|\\\\in\\b)");

    public static String normalize(String answer) {
        if (answer == null) return "";
        String s = answer.strip();
        s = unwrapBoxes(s);
        s = s.replace('\n', ' ').replace('\t', ' ').replace('−', '-').replace('–', '-').replace("×", "\\times ")
                .replace("·", "\\cdot ").replace("π", "\\pi ").replace("∞", "\\infty ").replace("√", "\\sqrt")
                .replace("±", "\\pm ").replace("≤", "\\leq ").replace("≥", "\\geq ").replace("°", "").replace("²", "^2").replace("³", "^3");
        if (s.startsWith("\\[") && s.endsWith("\\]") && s.length() >= 4) s = s.substring(2, s.length() - 2);
        if (s.startsWith("\\(") && s.endsWith("\\)") && s.length() >= 4) s = s.substring(2, s.length() - 2);
        s = s.replace("\\$", "").replace("$", "");
        // "$\boxed{5}$": the box is only visible once the dollars are gone
        s = unwrapBoxes(s.strip());
        // "\\" (a matrix row break) must survive the removal of "\ " and friends
        s = s.replace("\\\\", "\u0001");
        s = s.replace("\\%", "%").replace("\\!", "").replace("\\,", " ").replace("\\;", " ").replace("\\:", " ").replace("\\ ", " ")
                .replace("~", " ").replace("\\qquad", " ").replace("\\quad", " ");
        s = s.replace("\u0001", "\\\\");
        s = removeCommand(s, "\\displaystyle");
        s = s.replace("\\left.", "").replace("\\right.", "");
        s = removeCommand(s, "\\left");
        s = removeCommand(s, "\\right");
        s = removeCommand(s, "\\bigl");
        s = removeCommand(s, "\\bigr");
        s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac").replace("\\cfrac", "\\frac")
                .replace("\\dbinom", "\\binom").replace("\\tbinom", "\\binom");
        s = s.replace("^{\\circ}", "").replace("^\\circ", "").replace("\\circ", "").replace("^{\\degree}", "").replace("\\degree", "");
        s = replaceCommand(s, "\\le", "\\leq").replace("\\leqslant", "\\leq");
        s = replaceCommand(s, "\\ge", "\\geq").replace("\\geqslant", "\\geq");
        s = replaceCommand(s, "\\ne", "\\neq");
        s = replaceCommand(s, "\\infin", "\\infty");
        s = s.replace("\\lvert", "|").replace("\\rvert", "|").replace("\\vert", "|").replace("\\mid", "|");
        s = s.replace("{,}", ",");
        if (s.contains("\\text") || s.contains("\\math") || s.contains("\\mbox") || s.contains("\\hbox")) s = texts(s);
        if (mayEndInUnit(s)) s = removeUnitWord(s);
        s = s.strip();
        // "\approx 8.24": the approximation sign says nothing about which number is meant
        if (s.startsWith("\\approx")) s = s.substring(7).strip();
        while (s.endsWith(".") || s.endsWith(",") || s.endsWith(";")) s = s.substring(0, s.length() - 1).strip();
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
        boolean onlyText = outside.toString().replaceAll("[\\s.,;:!()^{}0-9]", "").isEmpty() && !outside.toString().matches(".*\\d.*");
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
                Matcher exponent = Pattern.compile("^\\s*\\^\\s*\\{?\\s*[23]\\s*\\}?").matcher(s.substring(after));
                if (exponent.find()) after += exponent.end();
            } else {
                out.append(content);
            }
            from = after;
        }
        out.append(s, from, s.length());
        return out.toString().strip();
    }

    private static String removeUnitWord(String s) {
        Matcher m = UNIT_WORD.matcher(s);
        if (m.find() && m.start() > 0) return s.substring(0, m.start());
        return s;
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
