package org.zerotir.rl;

import org.zerotir.engine.Transformer;
import org.zerotir.engine.optim.AdamW;

import java.util.Arrays;
import java.util.List;

/** PPO's critic update: regress values toward the returns, with value clipping, in the policy's batch layout. */
public final class CriticLearner {

    public record Report(double valueLoss, double explainedVariance, double clipFraction) {}

    private final Transformer critic;
    private final AdamW optimizer;
    private final ValueLoss loss;
    private final PolicyLearner.Settings settings;

    public CriticLearner(Transformer critic, AdamW optimizer, ValueLoss loss, PolicyLearner.Settings settings) {
        this.critic = critic;
        this.optimizer = optimizer;
        this.loss = loss;
        this.settings = settings;
    }

    public Report update(List<TrainingSequence> sequences, Batch batch, float[] oldValues, double[] returns, double learningRate) {
        int miniBatches = Math.min(settings.miniBatches(), sequences.size());
        double lossSum = 0, explained = 0, clip = 0;
        int steps = 0;
        for (int epoch = 0; epoch < settings.epochs(); epoch++) {
            for (int m = 0; m < miniBatches; m++) {
                int from = sequences.size() * m / miniBatches, to = sequences.size() * (m + 1) / miniBatches;
                int total = batch.slice(from, to).trainableTokens();
                if (total == 0) continue;
                critic.zeroGradients();
                double stepLoss = 0, stepExplained = 0, stepClip = 0;
                for (int micro = from; micro < to; micro += settings.microBatch()) {
                    int end = Math.min(to, micro + settings.microBatch());
                    Scoring.Packed packed = Scoring.pack(sequences, micro, end);
                    float[] rowValues = critic.forwardValues(packed.tokens(), packed.batch(), packed.time());
                    int[] range = batch.tokenRange(micro, end);
                    Batch part = batch.slice(micro, end);
                    float[] values = new float[part.tokens()];
                    for (int i = micro; i < end; i++) {
                        TrainingSequence s = sequences.get(i);
                        System.arraycopy(rowValues, (i - micro) * packed.time() + s.promptLength() - 1, values,
                                batch.starts()[i] - range[0], s.responseLength());
                    }
                    ValueLoss.Result r = loss.compute(part, values, Arrays.copyOfRange(oldValues, range[0], range[1]),
                            Arrays.copyOfRange(returns, range[0], range[1]));
                    // ValueLoss averages over the micro-batch; rescale to the mini-batch's token count
                    double share = (double) part.trainableTokens() / total;
                    float[] rowDValues = new float[rowValues.length];
                    for (int i = micro; i < end; i++) {
                        TrainingSequence s = sequences.get(i);
                        int at = batch.starts()[i] - range[0], row = (i - micro) * packed.time() + s.promptLength() - 1;
                        for (int j = 0; j < s.responseLength(); j++) rowDValues[row + j] = (float) (r.dValues()[at + j] * share);
                    }
                    critic.backwardValues(rowDValues);
                    stepLoss += r.loss() * share;
                    stepExplained += r.explainedVariance() * share;
                    stepClip += r.clipFraction() * share;
                }
                optimizer.step(learningRate);
                lossSum += stepLoss;
                explained += stepExplained;
                clip += stepClip;
                steps++;
            }
        }
        int d = Math.max(1, steps);
        return new Report(lossSum / d, explained / d, clip / d);
    }
}
