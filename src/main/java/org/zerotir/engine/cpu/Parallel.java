package org.zerotir.engine.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;

/** Splits a loop over independent items across the backend's threads; small loops stay on the caller. */
final class Parallel {

    @FunctionalInterface
    interface RangeBody {
        void run(int from, int to);
    }

    /** Below this many floating-point operations a loop is not worth a thread hand-off. */
    private static final long MIN_WORK_PER_TASK = 32_768;

    private final ForkJoinPool pool;
    private final int threads;

    Parallel(int threads) {
        this.threads = threads;
        this.pool = new ForkJoinPool(threads);
    }

    int threads() {
        return threads;
    }

    /** Runs body over [0, count) in contiguous chunks; workPerItem is a rough operation count per item. */
    void forRange(int count, long workPerItem, RangeBody body) {
        if (count <= 0) return;
        long total = (long) count * Math.max(1, workPerItem);
        int chunks = (int) Math.min(Math.min(count, threads * 4L), Math.max(1, total / MIN_WORK_PER_TASK));
        // Nested calls from our own workers run inline rather than wait on the pool they occupy.
        if (chunks <= 1 || threads == 1
                || (Thread.currentThread() instanceof ForkJoinWorkerThread worker && worker.getPool() == pool)) {
            body.run(0, count);
            return;
        }
        List<RecursiveAction> tasks = new ArrayList<>(chunks);
        for (int c = 0; c < chunks; c++) {
            int from = (int) ((long) count * c / chunks);
            int to = (int) ((long) count * (c + 1) / chunks);
            tasks.add(new RecursiveAction() {
                @Override
                protected void compute() {
                    body.run(from, to);
                }
            });
        }
        pool.invoke(new RecursiveAction() {
            @Override
            protected void compute() {
                invokeAll(tasks);
            }
        });
    }

    void close() {
        pool.shutdownNow();
    }
}
