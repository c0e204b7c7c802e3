package org.zerotir.rl;

import org.zerotir.engine.Transformer;
import org.zerotir.engine.optim.AdamW;

import java.util.Arrays;
import java.util.List;

/**
 * The policy update of one RL step: for each epoch, the batch is cut into mini-batches (one optimizer step
 * each), and each mini-batch into micro-batches (one forward and backward each, gradients accumulating).
 * The loss of each token is scaled by its mini-batch's denominators, so splitting into micro-batches changes
 * only memory use, never the update.
 */
public final class PolicyLearner {

    public record Settings(int epochs, int miniBatches, int microBatch) {
        public Settings {
            if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
            if (miniBatches < 1) throw new IllegalArgumentException("miniBatches must be >= 1, got " + miniBatches);
            if (microBatch < 1) throw new IllegalArgumentException("microBatch must be >= 1, got " + microBatch);
        }
    }

    /** Means over the optimizer steps of this update. */
    public record Report(int optimizerSteps, double loss, double clipLow, double clipHigh, double kl, double entropy,
                         double gradNorm, double learningRate, long trainedTokens) {}

    private final Transformer policy;
    private final AdamW optimizer;
    private final PolicyLoss loss;
    private final Settings settings;

    public PolicyLearner(Transformer policy, AdamW optimizer, PolicyLoss loss, Settings settings) {
        this.policy = policy;
        this.optimizer = optimizer;
        this.loss = loss;
        this.settings = settings;
    }

    /**
     * @param batch        the sequences' per-token layout over response tokens (see {@link Scoring})
     * @param oldLogProbs  log p of the policy before this update, per response token; null for a single on-policy
     *                     step (one epoch, one mini-batch), where they equal the current ones and need no extra pass
     * @param refLogProbs  log p of the frozen reference, or null without a KL penalty in the loss
     */
    public Report update(List<TrainingSequence> sequences, Batch batch, double[] advantages, float[] oldLogProbs,
                         float[] refLogProbs, double learningRate) {
        if (sequences.size() != batch.sequences()) throw new IllegalArgumentException("batch and sequences disagree");
        if (oldLogProbs == null && (settings.epochs() > 1 || Math.min(settings.miniBatches(), sequences.size()) > 1)) {
            throw new IllegalArgumentException("old log-probs are needed for more than one optimizer step per batch");
        }
        int miniBatches = Math.min(settings.miniBatches(), sequences.size());
        double lossSum = 0, clipLow = 0, clipHigh = 0, kl = 0, entropy = 0, gradNorm = 0;
        int steps = 0;
        long tokens = 0;
        for (int epoch = 0; epoch < settings.epochs(); epoch++) {
            for (int m = 0; m < miniBatches; m++) {
                int from = sequences.size() * m / miniBatches, to = sequences.size() * (m + 1) / miniBatches;
                Batch mini = batch.slice(from, to);
                int totalTokens = mini.trainableTokens(), totalSequences = mini.validSequences();
                if (totalTokens == 0) continue;
                policy.zeroGradients();
                double stepLoss = 0, stepClipLow = 0, stepClipHigh = 0, stepKl = 0, stepEntropy = 0;
                for (int micro = from; micro < to; micro += settings.microBatch()) {
                    int microEnd = Math.min(to, micro + settings.microBatch());
                    PolicyLoss.Result r = microStep(sequences, batch, micro, microEnd, advantages, oldLogProbs, refLogProbs,
                            totalTokens, totalSequences);
                    int share = batch.slice(micro, microEnd).trainableTokens();
                    stepLoss += r.loss();
                    stepClipLow += r.clipLowFraction() * share / totalTokens;
                    stepClipHigh += r.clipHighFraction() * share / totalTokens;
                    stepKl += r.meanKl() * share / totalTokens;
                    stepEntropy += r.meanEntropy() * share / totalTokens;
                }
                AdamW.StepReport report = optimizer.step(learningRate);
                lossSum += stepLoss;
                clipLow += stepClipLow;
                clipHigh += stepClipHigh;
                kl += stepKl;
                entropy += stepEntropy;
                gradNorm += report.gradNorm();
                tokens += totalTokens;
                steps++;
            }
        }
        int d = Math.max(1, steps);
        return new Report(steps, lossSum / d, clipLow / d, clipHigh / d, kl / d, entropy / d, gradNorm / d, learningRate, tokens);
    }

    private PolicyLoss.Result microStep(List<TrainingSequence> sequences, Batch batch, int from, int to, double[] advantages,
                                        float[] oldLogProbs, float[] refLogProbs, int totalTokens, int totalSequences) {
        Scoring.Packed packed = Scoring.pack(sequences, from, to);
        policy.forward(packed.tokens(), packed.targets(), packed.batch(), packed.time());
        float[] rowLogProbs = policy.logProbs(), rowEntropies = policy.entropies();
        int[] range = batch.tokenRange(from, to);
        Batch micro = batch.slice(from, to);
        float[] logProbs = new float[micro.tokens()], entropies = new float[micro.tokens()];
        for (int i = from; i < to; i++) {
            TrainingSequence s = sequences.get(i);
            int row = (i - from) * packed.time() + s.promptLength() - 1;
            int at = batch.starts()[i] - range[0];
            System.arraycopy(rowLogProbs, row, logProbs, at, s.responseLength());
            System.arraycopy(rowEntropies, row, entropies, at, s.responseLength());
        }
        PolicyLoss.Result result = loss.compute(micro, Arrays.copyOfRange(advantages, range[0], range[1]), logProbs,
                oldLogProbs == null ? logProbs.clone() : Arrays.copyOfRange(oldLogProbs, range[0], range[1]),
                refLogProbs == null ? null : Arrays.copyOfRange(refLogProbs, range[0], range[1]), entropies,
                totalTokens, totalSequences);
        float[] rowDLogProbs = new float[packed.batch() * packed.time()], rowDEntropies = new float[rowDLogProbs.length];
        for (int i = from; i < to; i++) {
            TrainingSequence s = sequences.get(i);
            int row = (i - from) * packed.time() + s.promptLength() - 1;
            int at = batch.starts()[i] - range[0];
            System.arraycopy(result.dLogProbs(), at, rowDLogProbs, row, s.responseLength());
            System.arraycopy(result.dEntropies(), at, rowDEntropies, row, s.responseLength());
        }
        policy.backward(rowDLogProbs, rowDEntropies);
        return result;
    }
}
