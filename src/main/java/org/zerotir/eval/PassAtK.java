package org.zerotir.eval;

/**
 * The unbiased pass@k estimator of Chen et al. 2021 ("Evaluating Large Language Models Trained on Code", eq. 1):
 * with n samples of which c are correct, pass@k = 1 - C(n-c, k) / C(n, k). The binomials overflow long before n
 * is large, so the ratio is taken as the product prod_{i=n-c+1}^{n} (1 - k/i), which the paper's own numpy code
 * uses: every factor lies in [0, 1) and nothing is ever bigger than 1.
 */
public final class PassAtK {
    private PassAtK() {}

    public static double estimate(int n, int c, int k) {
        if (n < 1) throw new IllegalArgumentException("n must be >= 1, got " + n);
        if (c < 0 || c > n) throw new IllegalArgumentException("c must be in [0, n=" + n + "], got " + c);
        if (k < 1 || k > n) throw new IllegalArgumentException("k must be in [1, n=" + n + "], got " + k);
        // fewer wrong samples than k: every draw of k holds a correct one
        if (n - c < k) return 1.0;
        double allWrong = 1.0;
        for (int i = n - c + 1; i <= n; i++) allWrong *= 1.0 - (double) k / i;
        return 1.0 - allWrong;
    }
}
