#!/usr/bin/env bash
# One device call: GpuParity on a lent GPU machine (see ../shared/gpu/README.md). Expects .gpu/ (bundle.sh) and
# target/classes carried; compiles the PTX there when the build did not (nvcc 13.0 is on that machine), runs every
# check once, and leaves the table and logs under $OUT. Exit status: GpuParity's (0 pass, 1 failures, 2 no device).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/gpu-parity-out}
mkdir -p "$OUT"
{ nvidia-smi --query-gpu=name,driver_version,compute_cap --format=csv; nvcc --version | tail -1; } > "$OUT/device.txt" 2>&1
tar xJf .gpu/jre.tar.xz -C .gpu
export PATH=$PWD/.gpu/jre/bin:$PATH
export LD_LIBRARY_PATH=$(find / -xdev -name 'libcublas.so.*' 2>/dev/null | xargs -rn1 dirname | sort -u | paste -sd:):${LD_LIBRARY_PATH:-}
[ -f target/classes/native-kernels/sm_90/attention.ptx ] || native-kernels/build-ptx.sh > "$OUT/build-ptx.log" 2>&1
run() { java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp 'target/classes:.gpu/lib/*' "$@"; }
run org.zerotir.engine.cuda.GpuParity "$OUT/parity.txt" > "$OUT/parity.log" 2>&1
status=$?
if [ "$status" -eq 2 ]; then
  # No backend: say which native library did not load (the JavaCPP 13.1 preset against CUDA 13.0 is the known risk).
  run -Dorg.bytedeco.javacpp.logger.debug=true org.zerotir.engine.cuda.GpuParity > "$OUT/parity-debug.log" 2>&1
  ls -l $(echo "$LD_LIBRARY_PATH" | tr ':' ' ') 2>/dev/null | grep -E 'libcu(blas|dart)|libnvrtc' > "$OUT/cuda-libs.txt"
fi
cat "$OUT/device.txt"; tail -n 120 "$OUT/parity.log"
exit "$status"
