package org.zerotir.rl;

import org.zerotir.engine.Transformer;

import java.util.List;

/**
 * Forward-only passes over trajectories, in micro-batches of equal padded length: the log-probability (and
 * entropy) a model gives each response token, or a critic's value before each response token. Response token j
 * of a sequence is predicted at row promptLength + j - 1, the row whose hidden state has seen everything before it.
 */
public final class Scoring {

    private Scoring() {}

    /** Per-token arrays flattened in sequence order, response tokens only. */
    public record Scores(float[] logProbs, float[] entropies) {}

    /** Packs sequences [from, to) into (B, T) inputs and targets, padding with token 0. */
    record Packed(int[] tokens, int[] targets, int batch, int time) {}

    static Packed pack(List<TrainingSequence> sequences, int from, int to) {
        int time = 0;
        for (int i = from; i < to; i++) time = Math.max(time, sequences.get(i).tokens().length - 1);
        int batch = to - from;
        int[] tokens = new int[batch * time], targets = new int[batch * time];
        for (int i = from; i < to; i++) {
            int[] t = sequences.get(i).tokens();
            int row = (i - from) * time;
            System.arraycopy(t, 0, tokens, row, t.length - 1);
            System.arraycopy(t, 1, targets, row, t.length - 1);
        }
        return new Packed(tokens, targets, batch, time);
    }

    /** Offset of each sequence's first response token in the flattened per-token arrays. */
    static int[] offsets(List<TrainingSequence> sequences) {
        int[] offsets = new int[sequences.size() + 1];
        for (int i = 0; i < sequences.size(); i++) offsets[i + 1] = offsets[i] + sequences.get(i).responseLength();
        return offsets;
    }

    public static Scores logProbs(Transformer model, List<TrainingSequence> sequences, int microBatch) {
        int[] offsets = offsets(sequences);
        float[] logProbs = new float[offsets[sequences.size()]], entropies = new float[logProbs.length];
        for (int from = 0; from < sequences.size(); from += microBatch) {
            int to = Math.min(sequences.size(), from + microBatch);
            Packed packed = pack(sequences, from, to);
            model.forward(packed.tokens(), packed.targets(), packed.batch(), packed.time());
            float[] rowLogProbs = model.logProbs(), rowEntropies = model.entropies();
            for (int i = from; i < to; i++) {
                TrainingSequence s = sequences.get(i);
                int row = (i - from) * packed.time() + s.promptLength() - 1;
                System.arraycopy(rowLogProbs, row, logProbs, offsets[i], s.responseLength());
                System.arraycopy(rowEntropies, row, entropies, offsets[i], s.responseLength());
            }
        }
        return new Scores(logProbs, entropies);
    }

    public static float[] values(Transformer critic, List<TrainingSequence> sequences, int microBatch) {
        int[] offsets = offsets(sequences);
        float[] values = new float[offsets[sequences.size()]];
        for (int from = 0; from < sequences.size(); from += microBatch) {
            int to = Math.min(sequences.size(), from + microBatch);
            Packed packed = pack(sequences, from, to);
            float[] rowValues = critic.forwardValues(packed.tokens(), packed.batch(), packed.time());
            for (int i = from; i < to; i++) {
                TrainingSequence s = sequences.get(i);
                System.arraycopy(rowValues, (i - from) * packed.time() + s.promptLength() - 1, values, offsets[i], s.responseLength());
            }
        }
        return values;
    }
}
