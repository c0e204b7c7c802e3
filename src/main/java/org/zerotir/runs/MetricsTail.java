package org.zerotir.runs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The latest steps of a training run's metrics, exactly as the database holds them, so that a metric query about
 * a run that trains (what a dashboard polls) is answered without a transaction and a query: on 2 cores every
 * CPU-millisecond the server and PostgreSQL spend on a query comes out of the training step (issue 6).
 *
 * <p>The run's {@link MetricsWriter} adds each batch after it is committed, so the tail never shows what the database
 * does not have. It covers every step above {@link #coveredAfter}: at the start that is the highest step the database
 * already holds for the run (rows a resumed run left behind stay the database's to answer), and it rises as old steps
 * are evicted past its capacity. A query that reaches below it goes to the database.
 */
final class MetricsTail {

    /** Steps kept: a dashboard's window of recent steps; a run of the mini model's shape makes about 5 a second. */
    static final int CAPACITY = 1000;

    /**
     * The database's order of names within a step ({@code ORDER BY name COLLATE "C"}: by code point, whatever the
     * database's locale). Not {@link String#compareTo}, which orders UTF-16 units and so differs above U+FFFF.
     */
    static final Comparator<String> CODE_POINT_ORDER = (a, b) -> {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i), y = b.codePointAt(j);
            if (x != y) return Integer.compare(x, y);
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    private final TreeMap<Integer, TreeMap<String, Double>> steps = new TreeMap<>();
    private final int capacity;
    private int coveredAfter;

    /**
     * @param storedUpTo the highest step the database holds for this run before this tail's first batch, or -1
     * @param capacity   steps kept ({@link #CAPACITY}; smaller in tests)
     */
    MetricsTail(int storedUpTo, int capacity) {
        this.coveredAfter = storedUpTo;
        this.capacity = capacity;
    }

    /** A committed batch's metrics at {@code step} (a step's training metrics, or an evaluation at it). */
    synchronized void add(int step, Map<String, Double> metrics) {
        if (step <= coveredAfter) return;
        TreeMap<String, Double> stored = steps.computeIfAbsent(step, s -> new TreeMap<>(CODE_POINT_ORDER));
        // as MetricsWriter stores them: NaN and infinities become NULL (JSON has neither)
        metrics.forEach((name, value) -> stored.put(name, value == null || !Double.isFinite(value) ? null : value));
        while (steps.size() > capacity) coveredAfter = steps.pollFirstEntry().getKey();
    }

    /**
     * What {@code SELECT ... WHERE step BETWEEN from AND to [AND name IN names] [AND name LIKE 'eval/%']} returns,
     * grouped by step in the database's order; null when the range reaches steps this tail does not cover.
     */
    synchronized List<RunService.StepMetrics> query(int from, int to, List<String> names, boolean evaluationsOnly) {
        if (from <= coveredAfter) return null;
        List<RunService.StepMetrics> answer = new ArrayList<>();
        for (Map.Entry<Integer, TreeMap<String, Double>> step : steps.subMap(from, true, to, true).entrySet()) {
            Map<String, Double> selected = new LinkedHashMap<>();
            step.getValue().forEach((name, value) -> {
                if ((names.isEmpty() || names.contains(name)) && (!evaluationsOnly || name.startsWith("eval/"))) selected.put(name, value);
            });
            if (!selected.isEmpty()) answer.add(new RunService.StepMetrics(step.getKey(), selected));
        }
        return answer;
    }
}
