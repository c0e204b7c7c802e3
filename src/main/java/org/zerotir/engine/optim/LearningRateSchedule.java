package org.zerotir.engine.optim;

/** The learning rate as a function of the optimizer step (counted from 1). */
public sealed interface LearningRateSchedule {

    double at(int step);

    /** Linear warm-up to {@code rate} over {@code warmupSteps}, then constant. */
    record Constant(double rate, int warmupSteps) implements LearningRateSchedule {
        public Constant {
            requireRate(rate, "rate");
            if (warmupSteps < 0) throw new IllegalArgumentException("warmupSteps must be >= 0, got " + warmupSteps);
        }

        @Override
        public double at(int step) {
            return warmupSteps > 0 && step <= warmupSteps ? rate * step / warmupSteps : rate;
        }
    }

    /** Linear warm-up to {@code peak}, then a cosine from peak down to {@code minimum} at {@code totalSteps}. */
    record WarmupCosine(double peak, double minimum, int warmupSteps, int totalSteps) implements LearningRateSchedule {
        public WarmupCosine {
            requireRate(peak, "peak");
            if (minimum < 0 || minimum > peak) throw new IllegalArgumentException("minimum must be in [0, peak], got " + minimum);
            if (warmupSteps < 0) throw new IllegalArgumentException("warmupSteps must be >= 0, got " + warmupSteps);
            if (totalSteps <= warmupSteps) {
                throw new IllegalArgumentException("totalSteps (" + totalSteps + ") must exceed warmupSteps (" + warmupSteps + ")");
            }
        }

        @Override
        public double at(int step) {
            if (warmupSteps > 0 && step <= warmupSteps) return peak * step / warmupSteps;
            double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
            return minimum + 0.5 * (peak - minimum) * (1 + Math.cos(Math.PI * progress));
        }
    }

    private static void requireRate(double rate, String field) {
        if (!(rate > 0) || Double.isInfinite(rate)) throw new IllegalArgumentException(field + " must be a positive number, got " + rate);
    }
}
