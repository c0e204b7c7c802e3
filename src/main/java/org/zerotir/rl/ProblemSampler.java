package org.zerotir.rl;

import org.zerotir.data.Problem;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The problems of each step: epochs over the training set, each in its own seeded order. Step s always gets
 * the same problems for the same seed, whatever steps ran before in this process (resume needs that).
 */
final class ProblemSampler {
    private final List<Problem> problems;
    private final long seed;

    ProblemSampler(List<Problem> problems, long seed) {
        if (problems.isEmpty()) throw new IllegalArgumentException("the training set is empty");
        this.problems = List.copyOf(problems);
        this.seed = seed;
    }

    List<Problem> batch(int step, int count) {
        List<Problem> batch = new ArrayList<>(count);
        long first = (long) step * count;
        for (long i = first; i < first + count; i++) {
            int epoch = (int) (i / problems.size()), position = (int) (i % problems.size());
            batch.add(problems.get(order(epoch)[position]));
        }
        return batch;
    }

    private int cachedEpoch = -1;
    private int[] cachedOrder;

    private int[] order(int epoch) {
        if (epoch != cachedEpoch) {
            int[] order = new int[problems.size()];
            for (int i = 0; i < order.length; i++) order[i] = i;
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + epoch);
            for (int i = order.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int swap = order[i];
                order[i] = order[j];
                order[j] = swap;
            }
            cachedOrder = order;
            cachedEpoch = epoch;
        }
        return cachedOrder;
    }
}
