package org.zerotir.rl;

/**
 * Estimators of KL(policy || reference) from one sampled token, with r = log p_ref - log p_policy
 * (Schulman, "Approximating KL divergence"): k1 = -r (unbiased, high variance), k2 = r^2 / 2,
 * k3 = e^r - 1 - r (unbiased and never negative).
 */
public enum KlEstimator {
    K1, K2, K3;

    public double value(double policyLogProb, double referenceLogProb) {
        double r = referenceLogProb - policyLogProb;
        return switch (this) {
            case K1 -> -r;
            case K2 -> 0.5 * r * r;
            case K3 -> Math.expm1(r) - r;
        };
    }

    /** d value / d log p_policy */
    public double gradient(double policyLogProb, double referenceLogProb) {
        double r = referenceLogProb - policyLogProb;
        return switch (this) {
            case K1 -> 1;
            case K2 -> -r;
            case K3 -> 1 - Math.exp(r);
        };
    }
}
