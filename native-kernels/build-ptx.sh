#!/usr/bin/env bash
# Puts what the Maven build step puts into target/classes when nvcc is on the PATH: PTX for sm_80 and sm_90 of
# every kernel under native-kernels/sm_XY/, and the sources (for NVRTC) under native-kernels/. For a GpuParity
# run on a lent GPU from a build that did not have that step; run from anywhere in the project.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/classes/native-kernels
mkdir -p "$out"
cp native-kernels/*.cu native-kernels/*.cuh "$out/"
for arch in 80 90; do
  mkdir -p "$out/sm_$arch"
  for source in native-kernels/*.cu; do
    nvcc -ptx -arch="sm_$arch" -o "$out/sm_$arch/$(basename "${source%.cu}").ptx" "$source"
  done
done
ls "$out" "$out"/sm_*
