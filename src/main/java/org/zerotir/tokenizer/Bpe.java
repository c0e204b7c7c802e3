package org.zerotir.tokenizer;

import java.util.Arrays;

/**
 * The BPE merge loop of Hugging Face {@code tokenizers} ({@code Word::merge_all}): a heap of candidate
 * merges ordered by rank, then by position; an entry is stale when the pair at its position no longer
 * yields the merged id it was pushed with. Doing exactly this (not "merge all occurrences of the best
 * pair") matters when two different pairs merge into the same token.
 */
final class Bpe {
    private static final long EMPTY = -1L;
    /** Open addressing: key (left << 32 | right), value (rank << 32 | mergedId). */
    private final long[] keys;
    private final long[] values;
    private final int mask;

    Bpe(int[] lefts, int[] rights, int[] mergedIds) {
        int capacity = Integer.highestOneBit(Math.max(4, lefts.length * 2 - 1)) << 1;
        keys = new long[capacity];
        values = new long[capacity];
        mask = capacity - 1;
        Arrays.fill(keys, EMPTY);
        // Later duplicates overwrite earlier ones, as collecting into Rust's HashMap does.
        for (int rank = 0; rank < lefts.length; rank++) put(pairKey(lefts[rank], rights[rank]), ((long) rank << 32) | mergedIds[rank]);
    }

    int mergeCount() {
        int n = 0;
        for (long k : keys) if (k != EMPTY) n++;
        return n;
    }

    private static long pairKey(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & mask;
    }

    private void put(long key, long value) {
        int i = slot(key);
        while (keys[i] != EMPTY && keys[i] != key) i = (i + 1) & mask;
        keys[i] = key;
        values[i] = value;
    }

    /** rank << 32 | mergedId, or -1 when the pair does not merge. */
    long lookup(int left, int right) {
        long key = pairKey(left, right);
        int i = slot(key);
        while (true) {
            long k = keys[i];
            if (k == key) return values[i];
            if (k == EMPTY) return -1;
            i = (i + 1) & mask;
        }
    }

    /** Merges symbols[0, n) in place of a fresh array; returns the merged ids. */
    int[] merge(int[] symbols, int n) {
        if (n < 2) return Arrays.copyOf(symbols, n);
        int[] ids = Arrays.copyOf(symbols, n);
        int[] prev = new int[n];
        int[] next = new int[n];
        boolean[] removed = new boolean[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        Heap heap = new Heap(n);
        for (int i = 0; i + 1 < n; i++) {
            long m = lookup(ids[i], ids[i + 1]);
            if (m >= 0) heap.push(((m >>> 32) << 32) | i, (int) m);
        }
        int alive = n;
        while (heap.size > 0) {
            long top = heap.keys[0];
            int newId = heap.payload[0];
            heap.pop();
            int pos = (int) top;
            if (removed[pos]) continue;
            int right = next[pos];
            if (right < 0) continue;
            long current = lookup(ids[pos], ids[right]);
            if (current < 0 || (int) current != newId) continue;
            ids[pos] = newId;
            removed[right] = true;
            alive--;
            int after = next[right];
            next[pos] = after;
            if (after >= 0) prev[after] = pos;
            if (prev[pos] >= 0) {
                long m = lookup(ids[prev[pos]], ids[pos]);
                if (m >= 0) heap.push(((m >>> 32) << 32) | prev[pos], (int) m);
            }
            if (after >= 0) {
                long m = lookup(ids[pos], ids[after]);
                if (m >= 0) heap.push(((m >>> 32) << 32) | pos, (int) m);
            }
        }
        int[] out = new int[alive];
        for (int i = 0, k = 0; i >= 0; i = next[i]) out[k++] = ids[i];
        return out;
    }

    /** A min-heap of (rank << 32 | position) with the merged id carried along. */
    private static final class Heap {
        long[] keys;
        int[] payload;
        int size;

        Heap(int capacity) {
            keys = new long[Math.max(4, capacity)];
            payload = new int[keys.length];
        }

        void push(long key, int value) {
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
                payload = Arrays.copyOf(payload, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (keys[parent] <= key) break;
                keys[i] = keys[parent];
                payload[i] = payload[parent];
                i = parent;
            }
            keys[i] = key;
            payload[i] = value;
        }

        void pop() {
            size--;
            if (size == 0) return;
            long key = keys[size];
            int value = payload[size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) break;
                if (child + 1 < size && keys[child + 1] < keys[child]) child++;
                if (keys[child] >= key) break;
                keys[i] = keys[child];
                payload[i] = payload[child];
                i = child;
            }
            keys[i] = key;
            payload[i] = value;
        }
    }
}
