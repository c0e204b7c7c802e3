package org.zerotir.runs;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import org.zerotir.engine.BackendChoice;

/** Where the server computes: every model it serves or evaluates and every run it trains ({@code zerotir.engine.*}). */
@ConfigMapping(prefix = "zerotir.engine")
public interface EngineConfig {

    String BACKEND_KEY = "zerotir.engine.backend";

    /**
     * {@code cpu}, {@code cuda} or {@code auto}: CUDA when it opens at start, else the CPU with the reason logged and
     * shown in /q/health. With {@code cuda} a server where CUDA cannot run refuses to start. Checked by
     * {@link EngineBackends}, which names this key when the value is wrong.
     */
    @WithDefault(BackendChoice.DEFAULT)
    String backend();

    /** The CUDA device ordinal (as nvidia-smi numbers them, after CUDA_VISIBLE_DEVICES). */
    @WithDefault("0")
    int device();
}
