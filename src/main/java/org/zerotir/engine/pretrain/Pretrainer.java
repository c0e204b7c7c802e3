package org.zerotir.engine.pretrain;

import org.zerotir.engine.Transformer;
import org.zerotir.engine.optim.AdamW;
import org.zerotir.engine.optim.LearningRateSchedule;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Next-token training on tokenised documents: each document is followed by the end-of-sequence token, and
 * every batch row is a document read from its start (left-aligned, padded), so the model learns to begin at a
 * prompt and to stop. Documents longer than the window are cut. Padding positions carry no loss.
 */
public final class Pretrainer {

    public record Settings(int batch, int window, int steps, LearningRateSchedule schedule, long seed) {
        public Settings {
            if (batch < 1 || window < 2 || steps < 1) {
                throw new IllegalArgumentException("batch >= 1, window >= 2 and steps >= 1 required, got " + batch + ", " + window + ", " + steps);
            }
        }
    }

    /**
     * Called after every step with the step (from 1), its mean loss in nats per token and the optimizer's report;
     * returns false to end training there (e.g. once a probe of the model says it is where it should be).
     */
    @FunctionalInterface
    public interface Progress {
        boolean after(int step, double loss, AdamW.StepReport report);
    }

    private final Transformer model;
    private final AdamW optimizer;
    private final int endOfSequence;

    public Pretrainer(Transformer model, AdamW optimizer, int endOfSequence) {
        this.model = model;
        this.optimizer = optimizer;
        this.endOfSequence = endOfSequence;
    }

    /** Trains for settings.steps() steps or until progress says stop; returns the mean loss of the last tenth of the steps done. */
    public double train(List<int[]> documents, Settings settings, Progress progress) {
        if (documents.isEmpty()) throw new IllegalArgumentException("no documents to train on");
        if (settings.window() > model.config().maxPositions()) {
            throw new IllegalArgumentException("window " + settings.window() + " exceeds the model's " + model.config().maxPositions() + " positions");
        }
        SplittableRandom random = new SplittableRandom(settings.seed());
        int batch = settings.batch();
        int[][] rows = new int[batch][];
        double[] losses = new double[settings.steps()];
        int done = 0;
        for (int step = 1; step <= settings.steps(); step++) {
            // rows are only as long as this batch's longest document needs: short documents waste no compute
            int time = 2;
            for (int b = 0; b < batch; b++) {
                rows[b] = documents.get(random.nextInt(documents.size()));
                time = Math.max(time, Math.min(settings.window(), rows[b].length));
            }
            int[] tokens = new int[batch * time], targets = new int[batch * time];
            float[] dLogProbs = new float[batch * time];
            int counted = 0;
            for (int b = 0; b < batch; b++) {
                int[] document = rows[b];
                // the document then EOS; positions past it are padding and carry no loss
                int scored = Math.min(document.length, time);
                int row = b * time;
                for (int t = 0; t < time; t++) {
                    tokens[row + t] = t < scored ? document[t] : endOfSequence;
                    targets[row + t] = t < scored ? tokenAt(document, t + 1) : endOfSequence;
                    if (t < scored) dLogProbs[row + t] = 1f;
                }
                counted += scored;
            }
            float scale = -1f / counted;
            for (int i = 0; i < dLogProbs.length; i++) dLogProbs[i] *= scale;
            model.zeroGradients();
            model.forward(tokens, targets, batch, time);
            float[] logProbs = model.logProbs();
            double loss = 0;
            for (int i = 0; i < logProbs.length; i++) loss += dLogProbs[i] * logProbs[i];
            model.backward(dLogProbs, null);
            AdamW.StepReport report = optimizer.step(settings.schedule().at(optimizer.step() + 1));
            losses[done++] = loss;
            if (progress != null && !progress.after(step, loss, report)) break;
        }
        int tailSteps = Math.max(1, done / 10);
        double tail = 0;
        for (int i = done - tailSteps; i < done; i++) tail += losses[i] / tailSteps;
        return tail;
    }

    private int tokenAt(int[] document, int index) {
        return index < document.length ? document[index] : endOfSequence;
    }
}
