package org.zerotir.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Evaluation results as tables: the summary (one row per model, benchmark and tool setting, every figure) and
 * the paper's headline table (per benchmark, the tool-trained model with its tool beside the no-tool baseline),
 * each as Markdown and as CSV.
 */
public final class Reports {
    private Reports() {}

    private static final List<String> SUMMARY_COLUMNS = List.of("model", "benchmark", "tool", "problems", "samples", "avg@k", "pass@k",
            "code_ratio", "calls_per_response", "response_length", "no_answer_rate", "truncated_rate");

    public static String summaryMarkdown(List<EvalResult> results) {
        return markdown(SUMMARY_COLUMNS, summaryRows(results));
    }

    public static String summaryCsv(List<EvalResult> results) {
        return csv(SUMMARY_COLUMNS, summaryRows(results));
    }

    private static List<List<String>> summaryRows(List<EvalResult> results) {
        List<List<String>> rows = new ArrayList<>();
        for (EvalResult r : results) {
            rows.add(List.of(r.model(), r.benchmark(), r.toolEnabled() ? "on" : "off", String.valueOf(r.problems()), String.valueOf(r.samples()),
                    percent(r.averageAccuracy()), percent(r.passAt(r.samples())), percent(r.codeRatio()),
                    fixed(r.callsPerResponse()), fixed(r.meanLength()), percent(r.noAnswerRate()), percent(r.truncatedRate())));
        }
        return rows;
    }

    private static final List<String> HEADLINE_COLUMNS = List.of("benchmark", "ZeroTIR avg@k", "ZeroRL avg@k", "difference",
            "ZeroTIR pass@k", "ZeroRL pass@k", "ZeroTIR code_ratio", "ZeroTIR calls_per_response", "ZeroTIR model", "ZeroRL model");

    /**
     * The headline table: ZeroTIR (evaluated with the tool) against ZeroRL (without), matched by benchmark, with
     * an average row over the benchmarks both have, as the paper's table ends.
     */
    public static String headlineMarkdown(List<EvalResult> zeroTir, List<EvalResult> zeroRl) {
        return markdown(HEADLINE_COLUMNS, headlineRows(zeroTir, zeroRl));
    }

    public static String headlineCsv(List<EvalResult> zeroTir, List<EvalResult> zeroRl) {
        return csv(HEADLINE_COLUMNS, headlineRows(zeroTir, zeroRl));
    }

    private static List<List<String>> headlineRows(List<EvalResult> zeroTir, List<EvalResult> zeroRl) {
        Map<String, EvalResult> baseline = new java.util.LinkedHashMap<>();
        for (EvalResult r : zeroRl) baseline.put(r.benchmark(), r);
        List<List<String>> rows = new ArrayList<>();
        double sumTool = 0, sumBase = 0;
        int paired = 0;
        for (EvalResult t : zeroTir) {
            EvalResult b = baseline.get(t.benchmark());
            String k = String.valueOf(t.samples());
            rows.add(List.of(t.benchmark() + (t.samples() > 1 ? " (k=" + k + ")" : ""), percent(t.averageAccuracy()),
                    b == null ? "" : percent(b.averageAccuracy()), b == null ? "" : signedPoints(t.averageAccuracy() - b.averageAccuracy()),
                    percent(t.passAt(t.samples())), b == null ? "" : percent(b.passAt(b.samples())),
                    percent(t.codeRatio()), fixed(t.callsPerResponse()), t.model(), b == null ? "" : b.model()));
            if (b != null) {
                sumTool += t.averageAccuracy();
                sumBase += b.averageAccuracy();
                paired++;
            }
        }
        if (paired > 1) {
            rows.add(List.of("average", percent(sumTool / paired), percent(sumBase / paired), signedPoints((sumTool - sumBase) / paired),
                    "", "", "", "", "", ""));
        }
        return rows;
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f", 100 * fraction);
    }

    private static String signedPoints(double fraction) {
        return String.format(Locale.ROOT, "%+.1f", 100 * fraction);
    }

    private static String fixed(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    static String markdown(List<String> columns, List<List<String>> rows) {
        StringBuilder out = new StringBuilder("| ").append(String.join(" | ", columns)).append(" |\n|");
        for (int i = 0; i < columns.size(); i++) out.append("---|");
        out.append('\n');
        for (List<String> row : rows) out.append("| ").append(String.join(" | ", row.stream().map(c -> c.replace("|", "\\|")).toList())).append(" |\n");
        return out.toString();
    }

    static String csv(List<String> columns, List<List<String>> rows) {
        StringBuilder out = new StringBuilder(String.join(",", columns.stream().map(Reports::csvField).toList())).append('\n');
        for (List<String> row : rows) out.append(String.join(",", row.stream().map(Reports::csvField).toList())).append('\n');
        return out.toString();
    }

    private static String csvField(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0) return value;
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
