package org.zerotir.engine.cuda;

import org.zerotir.engine.optim.AdamWScalars;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;
import org.zerotir.engine.Backend;
import org.zerotir.engine.Tensor;

import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

/**
 * The engine's operations on one NVIDIA GPU, fp32 throughout: our kernels (native-kernels/) launched through
 * JCuda's driver API, matrix products through cuBLAS (JavaCPP), all on one stream of the device's primary
 * context, which cuBLAS (a runtime-API library) adopts as well. See {@link DevicePointers} for how device
 * addresses cross between the two bindings.
 *
 * <p>{@link Variant#REFERENCE} launches the simple _ref twin of every kernel instead of the fast one, so that
 * {@link GpuParity} can check one against the other on the device. Host transfers and int[] arguments
 * synchronise the stream first: correct and simple; a pinned staging ring is the later, faster version.
 */
final class CudaBackend implements Backend {

    enum Variant { FAST, REFERENCE }

    /** Where launches go: the device, or (see {@link #dryRun}) a recorder. */
    interface KernelLauncher {
        void launch(Kernel kernel, LaunchGeometry geometry, Object[] arguments);
    }

    private static final Cleaner CLEANER = Cleaner.create();

    private final Variant variant;
    private final CUdevice device;
    private final CUcontext context;
    private final DevicePointers.Stream stream;
    private final KernelModules kernels;
    private final Cublas cublas;
    private final String description;
    private final KernelLauncher launcher;
    /** No device behind this backend: launches are recorded, memory is never touched (tests of the launch code). */
    private final boolean dryRun;
    /** Allocations not yet freed, so close() can free what the Cleaner has not. */
    private final Set<DevicePointers.Allocation> live = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<Boolean> contextCurrent = ThreadLocal.withInitial(() -> false);
    private volatile boolean closed;

    // Scratch, grown on demand and kept: the int[] arguments (two per call at most), block partials, attention.
    private final CudaTensor[] intScratch = new CudaTensor[2];
    private CudaTensor partialScratch, scoreScratch;

    private CudaBackend(Variant variant, CUdevice device, CUcontext context, DevicePointers.Stream stream,
                        KernelModules kernels, Cublas cublas, String description) {
        this.variant = variant;
        this.device = device;
        this.context = context;
        this.stream = stream;
        this.kernels = kernels;
        this.cublas = cublas;
        this.description = description;
        this.dryRun = device == null;
        this.launcher = dryRun ? null : this::launchOnDevice;
        contextCurrent.set(true);
    }

    private CudaBackend(Variant variant, KernelLauncher recorder) {
        this.variant = variant;
        this.device = null;
        this.context = null;
        this.stream = null;
        this.kernels = null;
        this.cublas = null;
        this.description = "dry run (no device)";
        this.dryRun = true;
        this.launcher = recorder;
    }

    /**
     * A backend with no GPU behind it that hands every kernel launch (kernel, geometry, arguments) to
     * {@code recorder} and skips cuBLAS and all memory traffic. Only for checking, on a machine without a GPU,
     * that each launch passes the arguments its kernel's PTX declares. Its tensors come from {@link #allocate}
     * and have no memory behind them.
     */
    static CudaBackend dryRun(Variant variant, KernelLauncher recorder) {
        return new CudaBackend(variant, recorder);
    }

    /** Opens device {@code ordinal}; every failure comes back as a reason (see {@link Cuda#openBackend}). */
    static CudaBackend open(int ordinal, Variant variant) throws CudaUnavailableException {
        JCudaDriver.setExceptionsEnabled(true);
        cuInit(0);
        int[] count = new int[1];
        cuDeviceGetCount(count);
        if (count[0] == 0) throw new CudaUnavailableException("no CUDA device");
        if (ordinal < 0 || ordinal >= count[0]) {
            throw new CudaUnavailableException("no CUDA device " + ordinal + " (this machine has " + count[0] + ")");
        }
        CUdevice device = new CUdevice();
        cuDeviceGet(device, ordinal);
        int[] major = new int[1], minor = new int[1], driver = new int[1];
        cuDeviceGetAttribute(major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
        cuDeviceGetAttribute(minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
        cuDriverGetVersion(driver);
        byte[] nameBytes = new byte[256];
        cuDeviceGetName(nameBytes, nameBytes.length, device);
        String name = new String(nameBytes, StandardCharsets.US_ASCII).trim().replace("\0", "");

        CUcontext context = new CUcontext();
        cuDevicePrimaryCtxRetain(context, device);
        DevicePointers.Stream stream = null;
        KernelModules kernels = null;
        try {
            cuCtxSetCurrent(context);
            stream = new DevicePointers.Stream();
            // Flags 0: a blocking stream, ordered against the legacy default stream that the synchronous memcpys use.
            cuStreamCreate(stream, 0);
            kernels = new KernelModules(major[0], minor[0]);
            Cublas cublas;
            try {
                cublas = new Cublas(stream);
            } catch (LinkageError e) {
                throw new CudaUnavailableException("cuBLAS could not be loaded: " + firstLine(e), e);
            } catch (IllegalStateException e) {
                throw new CudaUnavailableException("cuBLAS could not start: " + e.getMessage(), e);
            }
            String description = name + " (sm_" + major[0] + minor[0] + ", driver " + driver[0] / 1000 + "."
                    + (driver[0] % 1000) / 10 + ", device " + ordinal + ", " + variant.name().toLowerCase()
                    + " kernels from " + summarize(kernels.origins()) + ")";
            return new CudaBackend(variant, device, context, stream, kernels, cublas, description);
        } catch (CudaUnavailableException | RuntimeException | LinkageError e) {
            if (kernels != null) kernels.close();
            if (stream != null) cuStreamDestroy(stream);
            cuDevicePrimaryCtxRelease(device);
            throw e;
        }
    }

    private static String summarize(Map<String, String> origins) {
        return origins.values().stream().map(o -> o.startsWith(PtxSelection.RESOURCE_ROOT + "sm_") ? o.split("/")[2] + " PTX" : "NVRTC")
                .distinct().sorted().reduce((a, b) -> a + ", " + b).orElse("nowhere");
    }

    static String firstLine(Throwable e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return e.getClass().getSimpleName() + ": " + (newline < 0 ? message : message.substring(0, newline));
    }

    @Override
    public String name() {
        return "cuda";
    }

    /** Device, compute capability, driver and where the kernels came from: one line for the start-up log. */
    String description() {
        return description;
    }

    Variant variant() {
        return variant;
    }

    // ---- memory ---------------------------------------------------------------------------------------------

    @Override
    public Tensor allocate(long size) {
        return allocateFloats(size);
    }

    private CudaTensor allocateFloats(long size) {
        if (size < 0) throw new IllegalArgumentException("negative size " + size);
        ensureContext();
        if (dryRun) return new CudaTensor(new DeviceBuffer(new DevicePointers.Allocation(), size), 0, size);
        DevicePointers.Allocation allocation = new DevicePointers.Allocation();
        cuMemAlloc(allocation, Math.max(size, 1) * Float.BYTES);
        live.add(allocation);
        DeviceBuffer buffer = new DeviceBuffer(allocation, size);
        CUcontext ctx = context;
        CLEANER.register(buffer, () -> free(ctx, allocation));
        CudaTensor tensor = new CudaTensor(buffer, 0, size);
        if (size > 0) cuMemsetD32Async(tensor.pointer(), 0, size, stream);
        return tensor;
    }

    /** Runs on the Cleaner's thread or in close(); whoever removes the allocation from {@code live} frees it. */
    private void free(CUcontext ctx, DevicePointers.Allocation allocation) {
        if (closed || !live.remove(allocation)) return;
        cuCtxSetCurrent(ctx);
        // A kernel queued before the last view was dropped may still read the block (a replaced scratch buffer):
        // wait for the context's queued work rather than rely on cuMemFree doing so.
        cuCtxSynchronize();
        cuMemFree(allocation);
    }

    @Override
    public void copyFromHost(float[] source, int sourceOffset, Tensor destination) {
        CudaTensor d = of(destination);
        if (d.size() == 0 || dryRun) return;
        float[] slice = sourceOffset == 0 ? source : Arrays.copyOfRange(source, sourceOffset, sourceOffset + (int) d.size());
        if (slice.length < d.size()) throw new IndexOutOfBoundsException("source holds " + slice.length + " floats, need " + d.size());
        synchronize();
        cuMemcpyHtoD(d.pointer(), Pointer.to(slice), d.bytes());
    }

    @Override
    public void copyToHost(Tensor source, float[] destination, int destinationOffset) {
        CudaTensor s = of(source);
        if (s.size() == 0 || dryRun) return;
        float[] target = destinationOffset == 0 && destination.length >= s.size() ? destination : new float[(int) s.size()];
        synchronize();
        cuMemcpyDtoH(Pointer.to(target), s.pointer(), s.bytes());
        if (target != destination) System.arraycopy(target, 0, destination, destinationOffset, (int) s.size());
    }

    @Override
    public void zero(Tensor tensor) {
        CudaTensor t = of(tensor);
        ensureContext();
        if (t.size() > 0 && !dryRun) cuMemsetD32Async(t.pointer(), 0, t.size(), stream);
    }

    @Override
    public void copy(Tensor source, Tensor destination) {
        CudaTensor s = of(source), d = of(destination);
        requireSameSize(s, d);
        ensureContext();
        if (s.size() > 0 && !dryRun) cuMemcpyDtoDAsync(d.pointer(), s.pointer(), s.bytes(), stream);
    }

    @Override
    public void accumulate(Tensor destination, Tensor source) {
        add(destination, destination, source);
    }

    @Override
    public void scale(Tensor tensor, float factor) {
        CudaTensor t = of(tensor);
        if (t.size() == 0) return;
        if (fast()) launch(Kernel.SCALE, LaunchGeometry.gridStride(t.size()), t, factor, t.size());
        else launch(Kernel.SCALE_REF, LaunchGeometry.perItem(t.size()), t, factor, t.size());
    }

    @Override
    public double sumOfSquares(Tensor tensor) {
        CudaTensor t = of(tensor);
        if (t.size() == 0) return 0;
        int partials = fast() ? LaunchGeometry.gridStride(t.size()).gridX() : 1;
        // Doubles in a float scratch: two floats per double, and cuMemAlloc's alignment (256 bytes) keeps them aligned.
        CudaTensor scratch = partialScratch = grow(partialScratch, 2L * partials);
        if (fast()) launch(Kernel.SUM_SQUARES, LaunchGeometry.gridStride(t.size()), scratch, t, t.size());
        else launch(Kernel.SUM_SQUARES_REF, new LaunchGeometry(1, 1, 1), scratch, t, t.size());
        double[] host = new double[partials];
        if (dryRun) return 0;
        synchronize();
        cuMemcpyDtoH(Pointer.to(host), scratch.pointer(), (long) partials * Double.BYTES);
        double total = 0;
        for (double p : host) total += p;
        return total;
    }

    // ---- linear layers --------------------------------------------------------------------------------------

    @Override
    public void matmulForward(Tensor out, Tensor inp, Tensor weight, Tensor bias, int n, int inChannels, int outChannels) {
        CudaTensor o = of(out), x = of(inp), w = of(weight);
        requireSize(o, (long) n * outChannels, "out");
        requireSize(x, (long) n * inChannels, "inp");
        requireSize(w, (long) outChannels * inChannels, "weight");
        if (bias != null) {
            CudaTensor b = of(bias);
            requireSize(b, outChannels, "bias");
            long total = (long) n * outChannels;
            if (fast()) launch(Kernel.BIAS_BROADCAST, LaunchGeometry.gridStride(total), o, b, n, outChannels);
            else launch(Kernel.BIAS_BROADCAST_REF, LaunchGeometry.perItem(total), o, b, n, outChannels);
        }
        if (n == 0 || dryRun) return;
        ensureContext();
        cublas.linearForward(o.address(), x.address(), w.address(), n, inChannels, outChannels, bias != null);
    }

    @Override
    public void matmulBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight,
                               int n, int inChannels, int outChannels) {
        CudaTensor dy = of(dout);
        requireSize(dy, (long) n * outChannels, "dout");
        if (n == 0) return;
        ensureContext();
        if (dinp != null) {
            CudaTensor dx = of(dinp), w = of(weight);
            requireSize(dx, (long) n * inChannels, "dinp");
            requireSize(w, (long) outChannels * inChannels, "weight");
            if (!dryRun) cublas.linearBackwardInput(dx.address(), dy.address(), w.address(), n, inChannels, outChannels);
        }
        if (dweight != null) {
            CudaTensor dw = of(dweight), x = of(inp);
            requireSize(dw, (long) outChannels * inChannels, "dweight");
            requireSize(x, (long) n * inChannels, "inp");
            if (!dryRun) cublas.linearBackwardWeight(dw.address(), dy.address(), x.address(), n, inChannels, outChannels);
        }
        if (dbias != null) {
            CudaTensor db = of(dbias);
            requireSize(db, outChannels, "dbias");
            if (fast()) launch(Kernel.BIAS_BACKWARD, LaunchGeometry.columnSums(outChannels), db, dy, n, outChannels);
            else launch(Kernel.BIAS_BACKWARD_REF, LaunchGeometry.perItem(outChannels), db, dy, n, outChannels);
        }
    }

    // ---- embedding ------------------------------------------------------------------------------------------

    @Override
    public void embeddingForward(Tensor out, int[] tokens, Tensor table, int n, int channels) {
        CudaTensor o = of(out), t = of(table);
        checkIds(tokens, n, t.size() / channels, "token id", "the vocabulary");
        if (n == 0) return;
        CudaTensor ids = ints(0, tokens, n);
        if (fast()) launch(Kernel.EMBEDDING_FORWARD, LaunchGeometry.gridStride((long) n * channels), o, ids, t, n, channels);
        else launch(Kernel.EMBEDDING_FORWARD_REF, LaunchGeometry.perItem(n), o, ids, t, n, channels);
    }

    @Override
    public void embeddingBackward(Tensor dtable, Tensor dout, int[] tokens, int n, int channels) {
        CudaTensor dt = of(dtable), dy = of(dout);
        checkIds(tokens, n, dt.size() / channels, "token id", "the vocabulary");
        if (n == 0) return;
        CudaTensor ids = ints(0, tokens, n);
        if (fast()) launch(Kernel.EMBEDDING_BACKWARD, LaunchGeometry.gridStride((long) n * channels), dt, dy, ids, n, channels);
        else launch(Kernel.EMBEDDING_BACKWARD_REF, LaunchGeometry.perItem(channels), dt, dy, ids, n, channels);
    }

    // ---- RMSNorm --------------------------------------------------------------------------------------------

    @Override
    public void rmsnormForward(Tensor out, Tensor rstd, Tensor inp, Tensor weight, int n, int channels, float eps) {
        CudaTensor o = of(out), x = of(inp), w = of(weight), r = rstd == null ? null : of(rstd);
        if (n == 0) return;
        if (fast()) launch(Kernel.RMSNORM_FORWARD, LaunchGeometry.blockPerRow(n), o, r, x, w, n, channels, eps);
        else launch(Kernel.RMSNORM_FORWARD_REF, LaunchGeometry.perItem(n), o, r, x, w, n, channels, eps);
    }

    @Override
    public void rmsnormBackward(Tensor dinp, Tensor dweight, Tensor dout, Tensor inp, Tensor weight, Tensor rstd,
                                int n, int channels) {
        CudaTensor dx = of(dinp), dw = of(dweight), dy = of(dout), x = of(inp), w = of(weight), r = of(rstd);
        if (n == 0) return;
        if (fast()) {
            launch(Kernel.RMSNORM_BACKWARD_DINP, LaunchGeometry.blockPerRow(n), dx, dy, x, w, r, n, channels);
            launch(Kernel.RMSNORM_BACKWARD_DWEIGHT, LaunchGeometry.columnSums(channels), dw, dy, x, r, n, channels);
        } else {
            launch(Kernel.RMSNORM_BACKWARD_DINP_REF, LaunchGeometry.perItem(n), dx, dy, x, w, r, n, channels);
            launch(Kernel.RMSNORM_BACKWARD_DWEIGHT_REF, LaunchGeometry.perItem(channels), dw, dy, x, r, n, channels);
        }
    }

    // ---- rotary embedding -----------------------------------------------------------------------------------

    @Override
    public void ropeForward(Tensor x, Tensor cos, Tensor sin, int[] positions, int n, int heads, int headDim) {
        rotate(x, cos, sin, positions, n, heads, headDim, 1f);
    }

    @Override
    public void ropeBackward(Tensor dx, Tensor cos, Tensor sin, int[] positions, int n, int heads, int headDim) {
        rotate(dx, cos, sin, positions, n, heads, headDim, -1f);
    }

    private void rotate(Tensor tensor, Tensor cos, Tensor sin, int[] positions, int n, int heads, int headDim, float direction) {
        CudaTensor x = of(tensor), c = of(cos), s = of(sin);
        int half = headDim / 2;
        checkIds(positions, n, c.size() / half, "position", "the rotary table");
        if (n == 0) return;
        CudaTensor p = ints(0, positions, n);
        if (fast()) launch(Kernel.ROPE, LaunchGeometry.gridStride((long) n * heads * half), x, c, s, p, n, heads, headDim, direction);
        else launch(Kernel.ROPE_REF, LaunchGeometry.perItem(n), x, c, s, p, n, heads, headDim, direction);
    }

    // ---- attention ------------------------------------------------------------------------------------------

    @Override
    public void attentionForward(Tensor out, Tensor probs, Tensor q, Tensor k, Tensor v,
                                 int batch, int time, int heads, int kvHeads, int headDim) {
        CudaTensor o = of(out), qt = of(q), kt = of(k), vt = of(v);
        float scale = attentionScale(headDim);
        long rows = (long) batch * heads * time;
        if (rows == 0) return;
        if (probs == null && fast() && headDim <= LaunchGeometry.MAX_WARP_HEAD_DIM) {
            launch(Kernel.ATTENTION_FORWARD_FLASH, LaunchGeometry.warpPerRow(rows), o, qt, kt, vt, batch, time, heads, kvHeads, headDim, scale);
            return;
        }
        CudaTensor p = probs != null ? of(probs) : (scoreScratch = grow(scoreScratch, rows * time));
        if (fast()) launch(Kernel.ATTENTION_FORWARD, LaunchGeometry.warpPerRow(rows), o, p, qt, kt, vt, batch, time, heads, kvHeads, headDim, scale);
        else launch(Kernel.ATTENTION_FORWARD_REF, LaunchGeometry.perItem(rows), o, p, qt, kt, vt, batch, time, heads, kvHeads, headDim, scale);
    }

    /** Attention through the flash kernel even when probs were asked for (GpuParity checks it against the others). */
    void attentionForwardFlash(Tensor out, Tensor q, Tensor k, Tensor v, int batch, int time, int heads, int kvHeads, int headDim) {
        if (headDim > LaunchGeometry.MAX_WARP_HEAD_DIM) throw new IllegalArgumentException("head dimension " + headDim + " above " + LaunchGeometry.MAX_WARP_HEAD_DIM);
        long rows = (long) batch * heads * time;
        launch(Kernel.ATTENTION_FORWARD_FLASH, LaunchGeometry.warpPerRow(rows), of(out), of(q), of(k), of(v),
                batch, time, heads, kvHeads, headDim, attentionScale(headDim));
    }

    @Override
    public void attentionBackward(Tensor dq, Tensor dk, Tensor dv, Tensor dout, Tensor probs, Tensor q, Tensor k,
                                  Tensor v, int batch, int time, int heads, int kvHeads, int headDim) {
        CudaTensor dqt = of(dq), dkt = of(dk), dvt = of(dv), dy = of(dout), p = of(probs), qt = of(q), kt = of(k), vt = of(v);
        float scale = attentionScale(headDim);
        long rows = (long) batch * heads * time;
        if (rows == 0) return;
        if (fast()) {
            CudaTensor dscores = scoreScratch = grow(scoreScratch, rows * time);
            launch(Kernel.ATTENTION_BACKWARD_DQ, LaunchGeometry.warpPerRow(rows), dqt, dscores, dy, p, kt, vt,
                    batch, time, heads, kvHeads, headDim, scale);
            launch(Kernel.ATTENTION_BACKWARD_DKDV, LaunchGeometry.warpPerRow((long) batch * kvHeads * time), dkt, dvt, dscores, p, qt, dy,
                    batch, time, heads, kvHeads, headDim);
        } else {
            launch(Kernel.ATTENTION_BACKWARD_REF, LaunchGeometry.perItem((long) batch * kvHeads), dqt, dkt, dvt, dy, p, qt, kt, vt,
                    batch, time, heads, kvHeads, headDim, scale);
        }
    }

    @Override
    public void kvCacheWrite(Tensor kCache, Tensor vCache, Tensor k, Tensor v, int[] slots, int[] positions,
                             int n, int cacheLength, int kvDim) {
        CudaTensor kc = of(kCache), vc = of(vCache), kt = of(k), vt = of(v);
        checkIds(positions, n, cacheLength, "position", "the cache length");
        checkIds(slots, n, kc.size() / ((long) cacheLength * kvDim), "slot", "the cache");
        if (n == 0) return;
        CudaTensor s = ints(0, slots, n), p = ints(1, positions, n);
        if (fast()) launch(Kernel.KV_CACHE_WRITE, LaunchGeometry.gridStride((long) n * kvDim), kc, vc, kt, vt, s, p, n, cacheLength, kvDim);
        else launch(Kernel.KV_CACHE_WRITE_REF, LaunchGeometry.perItem(n), kc, vc, kt, vt, s, p, n, cacheLength, kvDim);
    }

    @Override
    public void cachedAttention(Tensor out, Tensor q, Tensor kCache, Tensor vCache, int[] slots, int[] positions,
                                int n, int cacheLength, int heads, int kvHeads, int headDim) {
        CudaTensor o = of(out), qt = of(q), kc = of(kCache), vc = of(vCache);
        checkIds(positions, n, cacheLength, "position", "the cache length");
        checkIds(slots, n, kc.size() / ((long) cacheLength * kvHeads * headDim), "slot", "the cache");
        if (n == 0) return;
        CudaTensor s = ints(0, slots, n), p = ints(1, positions, n);
        float scale = attentionScale(headDim);
        long tasks = (long) n * heads;
        if (fast() && headDim <= LaunchGeometry.MAX_WARP_HEAD_DIM) {
            launch(Kernel.CACHED_ATTENTION, LaunchGeometry.warpPerRow(tasks), o, qt, kc, vc, s, p, n, cacheLength, heads, kvHeads, headDim, scale);
        } else {
            launch(Kernel.CACHED_ATTENTION_REF, LaunchGeometry.perItem(tasks), o, qt, kc, vc, s, p, n, cacheLength, heads, kvHeads, headDim, scale);
        }
    }

    /** The CPU backend's scale, rounded the same way: (float) (1 / sqrt(D)) in double. */
    static float attentionScale(int headDim) {
        return (float) (1.0 / Math.sqrt(headDim));
    }

    // ---- SwiGLU, add ----------------------------------------------------------------------------------------

    @Override
    public void swigluForward(Tensor out, Tensor gate, Tensor up, int n, int features) {
        CudaTensor o = of(out), g = of(gate), u = of(up);
        long total = (long) n * features;
        if (total == 0) return;
        if (fast()) launch(Kernel.SWIGLU_FORWARD, LaunchGeometry.gridStride(total), o, g, u, total);
        else launch(Kernel.SWIGLU_FORWARD_REF, LaunchGeometry.perItem(total), o, g, u, total);
    }

    @Override
    public void swigluBackward(Tensor dgate, Tensor dup, Tensor dout, Tensor gate, Tensor up, int n, int features) {
        CudaTensor dg = of(dgate), du = of(dup), dy = of(dout), g = of(gate), u = of(up);
        long total = (long) n * features;
        if (total == 0) return;
        if (fast()) launch(Kernel.SWIGLU_BACKWARD, LaunchGeometry.gridStride(total), dg, du, dy, g, u, total);
        else launch(Kernel.SWIGLU_BACKWARD_REF, LaunchGeometry.perItem(total), dg, du, dy, g, u, total);
    }

    @Override
    public void add(Tensor out, Tensor a, Tensor b) {
        CudaTensor o = of(out), at = of(a), bt = of(b);
        requireSameSize(at, bt);
        requireSameSize(at, o);
        if (o.size() == 0) return;
        if (fast()) launch(Kernel.ADD, LaunchGeometry.gridStride(o.size()), o, at, bt, o.size());
        else launch(Kernel.ADD_REF, LaunchGeometry.perItem(o.size()), o, at, bt, o.size());
    }

    // ---- token scores ---------------------------------------------------------------------------------------

    @Override
    public void tokenScoresForward(Tensor logProbs, Tensor entropies, Tensor logits, int[] targets, int n, int vocab) {
        CudaTensor lp = of(logProbs), z = of(logits), ent = entropies == null ? null : of(entropies);
        checkIds(targets, n, vocab, "target id", "the vocabulary");
        if (n == 0) return;
        CudaTensor t = ints(0, targets, n);
        if (fast()) launch(Kernel.TOKEN_SCORES_FORWARD, LaunchGeometry.blockPerRow(n), lp, ent, z, t, n, vocab);
        else launch(Kernel.TOKEN_SCORES_FORWARD_REF, LaunchGeometry.perItem(n), lp, ent, z, t, n, vocab);
    }

    @Override
    public void tokenScoresBackward(Tensor dlogits, Tensor logits, int[] targets, Tensor dLogProbs, Tensor dEntropies,
                                    int n, int vocab) {
        CudaTensor dz = of(dlogits), z = of(logits), dlp = of(dLogProbs), dent = dEntropies == null ? null : of(dEntropies);
        checkIds(targets, n, vocab, "target id", "the vocabulary");
        if (n == 0) return;
        CudaTensor t = ints(0, targets, n);
        if (fast()) launch(Kernel.TOKEN_SCORES_BACKWARD, LaunchGeometry.blockPerRow(n), dz, z, t, dlp, dent, n, vocab);
        else launch(Kernel.TOKEN_SCORES_BACKWARD_REF, LaunchGeometry.perItem(n), dz, z, t, dlp, dent, n, vocab);
    }

    // ---- AdamW ----------------------------------------------------------------------------------------------

    @Override
    public void adamwUpdate(Tensor params, Tensor grads, Tensor m, Tensor v, float learningRate, float beta1, float beta2,
                            float eps, float weightDecay, int step) {
        CudaTensor p = of(params), g = of(grads), mt = of(m), vt = of(v);
        requireSameSize(p, g);
        requireSameSize(p, mt);
        requireSameSize(p, vt);
        if (p.size() == 0) return;
        AdamWScalars scalars = AdamWScalars.of(learningRate, beta1, beta2, weightDecay, step);
        float correction1 = scalars.correction1(), correction2 = scalars.correction2(), decay = scalars.decay();
        Kernel kernel = fast() ? Kernel.ADAMW : Kernel.ADAMW_REF;
        LaunchGeometry geometry = fast() ? LaunchGeometry.gridStride(p.size()) : LaunchGeometry.perItem(p.size());
        launch(kernel, geometry, p, g, mt, vt, p.size(), learningRate, beta1, beta2, eps, decay, correction1, correction2);
    }

    // ---- plumbing -------------------------------------------------------------------------------------------

    private boolean fast() {
        return variant == Variant.FAST;
    }

    /**
     * Launches on the stream. Arguments in the order of the kernel's C parameters: a CudaTensor (or null) for a
     * pointer, Integer for int, Long for long long, Float for float. A mismatch here would not be caught by
     * anyone (the driver reads the bytes it was given), hence the narrow set of accepted types.
     */
    private void launch(Kernel kernel, LaunchGeometry geometry, Object... arguments) {
        ensureContext();
        launcher.launch(kernel, geometry, arguments);
    }

    private void launchOnDevice(Kernel kernel, LaunchGeometry geometry, Object[] arguments) {
        Pointer[] parameters = new Pointer[arguments.length];
        for (int i = 0; i < arguments.length; i++) {
            Object argument = arguments[i];
            parameters[i] = switch (argument) {
                case null -> Pointer.to(new long[] {0L});
                case CudaTensor t -> Pointer.to(new long[] {t.address()});
                case Integer value -> Pointer.to(new int[] {value});
                case Long value -> Pointer.to(new long[] {value});
                case Float value -> Pointer.to(new float[] {value});
                default -> throw new IllegalArgumentException("kernel argument of type " + argument.getClass());
            };
        }
        cuLaunchKernel(kernels.function(kernel), geometry.gridX(), 1, 1, geometry.blockX(), geometry.blockY(), 1,
                0, stream, Pointer.to(parameters), null);
    }

    /** Copies an int[] argument to device scratch slot {@code slot}, after the stream has finished its last reader. */
    private CudaTensor ints(int slot, int[] values, int n) {
        // Floats and ints are both 4 bytes: the scratch is a float buffer read as int by the kernels.
        CudaTensor scratch = intScratch[slot] = grow(intScratch[slot], n);
        if (dryRun) return scratch.slice(0, n);
        synchronize();
        cuMemcpyHtoD(scratch.pointer(), Pointer.to(values), (long) n * Integer.BYTES);
        return scratch.slice(0, n);
    }

    private CudaTensor grow(CudaTensor scratch, long floats) {
        if (scratch != null && scratch.size() >= floats) return scratch;
        return allocateFloats(Math.max(floats, scratch == null ? 0 : scratch.size() * 2));
    }

    void synchronize() {
        ensureContext();
        if (dryRun) return;
        cuStreamSynchronize(stream);
    }

    private void ensureContext() {
        if (closed) throw new IllegalStateException("the CUDA backend is closed");
        if (!dryRun && !contextCurrent.get()) {
            cuCtxSetCurrent(context);
            contextCurrent.set(true);
        }
    }

    private static void checkIds(int[] ids, int n, long bound, String what, String of) {
        if (ids.length < n) throw new IllegalArgumentException("need " + n + " " + what + "s, got " + ids.length);
        for (int i = 0; i < n; i++) {
            if (ids[i] < 0 || ids[i] >= bound) {
                throw new IllegalArgumentException(what + " " + ids[i] + " at row " + i + " is outside " + of + " of " + bound);
            }
        }
    }

    private static CudaTensor of(Tensor tensor) {
        if (tensor instanceof CudaTensor cuda) return cuda;
        throw new IllegalArgumentException("the CUDA backend was given a " + (tensor == null ? "null" : tensor.getClass().getSimpleName()));
    }

    private static void requireSameSize(CudaTensor a, CudaTensor b) {
        if (a.size() != b.size()) throw new IllegalArgumentException("tensor sizes differ: " + a.size() + " and " + b.size());
    }

    private static void requireSize(CudaTensor t, long expected, String what) {
        if (t.size() != expected) throw new IllegalArgumentException(what + " holds " + t.size() + " floats, expected " + expected);
    }

    @Override
    public void close() {
        if (closed) return;
        if (dryRun) {
            closed = true;
            return;
        }
        synchronize();
        cublas.close();
        closed = true;
        cuCtxSetCurrent(context);
        // Whoever removes an allocation from the set frees it, so a Cleaner running now cannot free it twice.
        for (DevicePointers.Allocation allocation : List.copyOf(live)) {
            if (live.remove(allocation)) cuMemFree(allocation);
        }
        kernels.close();
        cuStreamDestroy(stream);
        cuDevicePrimaryCtxRelease(device);
    }
}
