package org.zerotir.eval;

import org.zerotir.rl.MetricNames;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A benchmark's evaluation: every response, and the summary computed from them (nothing else feeds it).
 * records hold the samples of one problem together, problems in benchmark order.
 */
public record EvalResult(String benchmark, String model, boolean toolEnabled, int samples, int problems,
                         List<ResponseRecord> records, double seconds) {

    public EvalResult {
        records = List.copyOf(records);
        if (records.size() != problems * samples) {
            throw new IllegalArgumentException(records.size() + " records for " + problems + " problems x " + samples + " samples");
        }
    }

    /** avg@k: the mean accuracy over every response (k per problem). */
    public double averageAccuracy() {
        return records.stream().filter(ResponseRecord::correct).count() / (double) records.size();
    }

    /** The unbiased pass@k, averaged over problems, for k <= samples. */
    public double passAt(int k) {
        double sum = 0;
        for (int p = 0; p < problems; p++) {
            int correct = 0;
            for (int s = 0; s < samples; s++) if (records.get(p * samples + s).correct()) correct++;
            sum += PassAtK.estimate(samples, correct, k);
        }
        return sum / problems;
    }

    public double codeRatio() {
        return records.stream().filter(ResponseRecord::usedCode).count() / (double) records.size();
    }

    public double callsPerResponse() {
        return records.stream().mapToInt(ResponseRecord::calls).sum() / (double) records.size();
    }

    public double meanLength() {
        return records.stream().mapToInt(ResponseRecord::length).sum() / (double) records.size();
    }

    public double noAnswerRate() {
        return records.stream().filter(r -> r.answer() == null).count() / (double) records.size();
    }

    public double truncatedRate() {
        return records.stream().filter(ResponseRecord::truncated).count() / (double) records.size();
    }

    /** The figures under the metric names the trainer, database and dashboard share. */
    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(MetricNames.evalAverage(benchmark, samples), averageAccuracy());
        m.put(MetricNames.evalPass(benchmark, samples), passAt(samples));
        m.put(MetricNames.evalCodeRatio(benchmark), codeRatio());
        return m;
    }

    /** One summary row: every reported figure, by column name. */
    public Map<String, Double> summary() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("avg@" + samples, averageAccuracy());
        m.put("pass@" + samples, passAt(samples));
        m.put("code_ratio", codeRatio());
        m.put("calls_per_response", callsPerResponse());
        m.put("response_length", meanLength());
        m.put("no_answer_rate", noAnswerRate());
        m.put("truncated_rate", truncatedRate());
        return m;
    }
}
