package org.zerotir.engine.optim;

/**
 * The per-step scalars of an AdamW update, computed once on the host in float: every backend takes them from
 * here, so that their updates round alike (the CUDA backend is checked against the CPU's to 1e-5).
 */
public record AdamWScalars(float correction1, float correction2, float decay) {
    public static AdamWScalars of(float learningRate, float beta1, float beta2, float weightDecay, int step) {
        return new AdamWScalars((float) (1 - Math.pow(beta1, step)), (float) (1 - Math.pow(beta2, step)), 1f - learningRate * weightDecay);
    }
}
