package org.zerotir.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The unbiased estimator on cases worked by hand from 1 - C(n-c, k) / C(n, k). */
class PassAtKTest {

    @Test
    void handComputedCases() {
        assertEquals(0.0, PassAtK.estimate(5, 0, 1), 1e-12);
        assertEquals(0.4, PassAtK.estimate(5, 2, 1), 1e-12);                // pass@1 is c/n
        assertEquals(0.5, PassAtK.estimate(4, 1, 2), 1e-12);                // 1 - C(3,2)/C(4,2) = 1 - 3/6
        assertEquals(1 - 21.0 / 252, PassAtK.estimate(10, 3, 5), 1e-12);    // 1 - C(7,5)/C(10,5)
        assertEquals(1 - 1.0 / 6, PassAtK.estimate(4, 2, 2), 1e-12);        // 1 - C(2,2)/C(4,2)
        assertEquals(1.0, PassAtK.estimate(3, 1, 3), 0);                    // n - c < k: every draw holds the correct one
        assertEquals(1.0, PassAtK.estimate(16, 16, 16), 0);
        assertEquals(0.0, PassAtK.estimate(16, 0, 16), 0);
    }

    @Test
    void staysExactWhereTheBinomialsWouldOverflow() {
        // C(999,100)/C(1000,100) = 900/1000
        assertEquals(0.1, PassAtK.estimate(1000, 1, 100), 1e-12);
        // against log-gamma for a case whose binomials have hundreds of digits
        int n = 2000, c = 1000, k = 500;
        double logRatio = logChoose(n - c, k) - logChoose(n, k);
        assertEquals(1 - Math.exp(logRatio), PassAtK.estimate(n, c, k), 1e-12);
    }

    @Test
    void averageOverKEqualsFractionCorrectForK1() {
        for (int n = 1; n <= 20; n++) for (int c = 0; c <= n; c++) assertEquals(c / (double) n, PassAtK.estimate(n, c, 1), 1e-12);
    }

    @Test
    void refusesImpossibleCounts() {
        assertThrows(IllegalArgumentException.class, () -> PassAtK.estimate(4, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> PassAtK.estimate(4, 1, 5));
        assertThrows(IllegalArgumentException.class, () -> PassAtK.estimate(0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> PassAtK.estimate(4, -1, 1));
    }

    private static double logChoose(int n, int k) {
        double sum = 0;
        for (int i = 1; i <= k; i++) sum += Math.log(n - k + i) - Math.log(i);
        return sum;
    }
}
