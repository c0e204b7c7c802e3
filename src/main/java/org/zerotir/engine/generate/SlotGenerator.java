package org.zerotir.engine.generate;

import java.util.List;

/**
 * Batched generation over sequence slots, as the rollout drives it. {@link Generator} is the model's; tests
 * drive the rollout with scripted ones.
 */
public interface SlotGenerator {
    int slotCount();

    int maxSequenceLength();

    void start(int slot, int[] prompt, SamplingParams sampling, StopRules rules);

    /** One batched step over every running slot; the tokens sampled. */
    List<Generator.Sampled> step();

    boolean hasRunning();

    void append(int slot, int[] tokens);

    void resume(int slot);

    void free(int slot);
}
