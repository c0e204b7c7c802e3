package org.zerotir.reward;

import java.time.Duration;
import java.util.Optional;

/**
 * The last stage of {@link MathEquivalence}: a computer algebra system (the lead backs it with sympy in the
 * sandbox pool). It sees only the atoms the earlier stages could not decide, already normalised, and answers
 * true (equal), false (different) or empty (it cannot tell). It should give up by the timeout;
 * {@link MathEquivalence} stops waiting then in any case.
 */
@FunctionalInterface
public interface SymbolicFallback {
    Optional<Boolean> equivalent(String a, String b, Duration timeout);
}
