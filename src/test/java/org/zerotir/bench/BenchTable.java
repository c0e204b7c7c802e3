package org.zerotir.bench;

import java.util.ArrayList;
import java.util.List;

/** A benchmark's printed result: a title, the command that made it, and aligned columns. */
public final class BenchTable {
    private final String title;
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public BenchTable(String title, String... header) {
        this.title = title;
        this.header = List.of(header);
    }

    public BenchTable row(Object... cells) {
        if (cells.length != header.size()) throw new IllegalArgumentException("row has " + cells.length + " cells, header " + header.size());
        List<String> row = new ArrayList<>();
        for (Object c : cells) row.add(c instanceof Double d ? String.format("%.2f", d) : String.valueOf(c));
        rows.add(row);
        return this;
    }

    /** Prints as a Markdown table, so it can be pasted into docs/benchmarks.md unchanged. */
    public void print(String command) {
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) width[i] = header.get(i).length();
        for (List<String> r : rows) for (int i = 0; i < width.length; i++) width[i] = Math.max(width[i], r.get(i).length());
        StringBuilder out = new StringBuilder();
        out.append("### ").append(title).append("\n\n`").append(command).append("`\n\n");
        line(out, header, width);
        StringBuilder rule = new StringBuilder("|");
        for (int w : width) rule.append("-".repeat(w + 2)).append('|');
        out.append(rule).append('\n');
        for (List<String> r : rows) line(out, r, width);
        System.out.println(out);
    }

    private static void line(StringBuilder out, List<String> cells, int[] width) {
        out.append('|');
        for (int i = 0; i < width.length; i++) out.append(' ').append(String.format("%-" + width[i] + "s", cells.get(i))).append(" |");
        out.append('\n');
    }
}
