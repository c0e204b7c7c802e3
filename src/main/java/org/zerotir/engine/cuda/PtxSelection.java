package org.zerotir.engine.cuda;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a module's code comes from, as pure functions of the device (tested without a GPU). The build puts PTX
 * for the architectures in {@link #BUILT_ARCHITECTURES} under {@code /native-kernels/sm_XY/<module>.ptx} and the
 * sources under {@code /native-kernels/}. PTX runs on its own architecture and every later one (the driver
 * JIT-compiles it forward), never on an earlier one, so a device takes the newest build not above its own
 * compute capability; a device older than all of them compiles the source with NVRTC instead.
 */
final class PtxSelection {
    private PtxSelection() {}

    /** Compute capabilities (major*10 + minor) the Maven build compiles PTX for, newest first. */
    static final int[] BUILT_ARCHITECTURES = {90, 80};

    static final String RESOURCE_ROOT = "/native-kernels/";

    /** Class-path resources to try for a module on a device of compute capability major.minor, best first. */
    static List<String> ptxCandidates(String module, int major, int minor) {
        int capability = major * 10 + minor;
        List<String> candidates = new ArrayList<>();
        for (int architecture : BUILT_ARCHITECTURES) {
            if (architecture <= capability) candidates.add(ptxResource(module, architecture));
        }
        return candidates;
    }

    static String ptxResource(String module, int architecture) {
        return RESOURCE_ROOT + "sm_" + architecture + "/" + module + ".ptx";
    }

    static String sourceResource(String module) {
        return RESOURCE_ROOT + module + ".cu";
    }

    static String headerResource(String header) {
        return RESOURCE_ROOT + header;
    }

    /** NVRTC's target for the device itself: compute_XY PTX, which its driver loads without a forward JIT. */
    static String nvrtcArchitectureOption(int major, int minor) {
        return "--gpu-architecture=compute_" + major + minor;
    }

    private static final Pattern LOCAL_INCLUDE = Pattern.compile("^\\s*#\\s*include\\s+\"([^\"]+)\"", Pattern.MULTILINE);

    /** The quoted includes of a source ({@code #include "common.cuh"}), which NVRTC must be handed as headers. */
    static List<String> localIncludes(String source) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = LOCAL_INCLUDE.matcher(source);
        while (m.find()) names.add(m.group(1));
        return List.copyOf(names);
    }
}
