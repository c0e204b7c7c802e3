package org.zerotir.rl;

/**
 * PPO's critic loss with value clipping: 0.5 * max((v - R)^2, (v_clip - R)^2), v_clip = v_old + clip(v - v_old,
 * -eps, eps), averaged over trainable tokens of valid sequences. Clipping keeps the critic from moving far from
 * the values the advantages were computed with, as the policy's ratio clip does for the policy.
 */
public final class ValueLoss {

    /** loss, d loss / d value per token, and how much of the returns' variance the values explain. */
    public record Result(double loss, float[] dValues, double explainedVariance, double clipFraction) {}

    private final double clipRange;

    public ValueLoss(double clipRange) {
        if (!(clipRange > 0)) throw new IllegalArgumentException("value clip range must be positive, got " + clipRange);
        this.clipRange = clipRange;
    }

    public Result compute(Batch batch, float[] values, float[] oldValues, double[] returns) {
        int n = batch.tokens();
        float[] dValues = new float[n];
        int count = batch.trainableTokens();
        if (count == 0) return new Result(0, dValues, 0, 0);
        double loss = 0, residualSquares = 0, returnSum = 0, returnSquares = 0;
        int clipped = 0;
        for (int i = 0; i < batch.sequences(); i++) {
            if (!batch.valid()[i]) continue;
            for (int t = batch.starts()[i]; t < batch.ends()[i]; t++) {
                if (!batch.trainable()[t]) continue;
                double v = values[t], old = oldValues[t], target = returns[t];
                double vClipped = old + Math.clamp(v - old, -clipRange, clipRange);
                double plain = (v - target) * (v - target), clippedLoss = (vClipped - target) * (vClipped - target);
                // The max picks the clipped term only when it is larger; its gradient is then zero if v sits
                // outside the clip range (v_clip does not move with v).
                double gradient;
                if (plain >= clippedLoss) {
                    gradient = v - target;
                } else {
                    boolean inside = Math.abs(v - old) <= clipRange;
                    gradient = inside ? vClipped - target : 0;
                    if (!inside) clipped++;
                }
                loss += 0.5 * Math.max(plain, clippedLoss) / count;
                dValues[t] = (float) (gradient / count);
                residualSquares += (target - v) * (target - v);
                returnSum += target;
                returnSquares += target * target;
            }
        }
        double returnVariance = returnSquares / count - (returnSum / count) * (returnSum / count);
        double explained = returnVariance > 1e-12 ? 1 - (residualSquares / count) / returnVariance : 0;
        return new Result(loss, dValues, explained, (double) clipped / count);
    }
}
