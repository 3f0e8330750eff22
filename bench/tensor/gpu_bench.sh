#!/usr/bin/env bash
# The GPU benchmarks (a machine with an NVIDIA GPU, nvcc and a build with the CUDA plugin):
#   1. gpu_bench.cu: SGEMM 8192^3 through the plugin (device memory; host memory with
#      the copies) against cuBLAS called directly, and elementwise add against the
#      device's copy bandwidth;
#   2. the same GPU stage (gpu_stage.flyte, 4096x4096) fused and node by node
#      (FLYTEC_STAGE_DEVICE=none), wall-clock seconds, best of $REPS.
#
#   bench/tensor/gpu_bench.sh                 # uses build/ (cmake -DFLYTEC_CUDA=ON)
#   FLYTEC_BUILD_DIR=build-rel REPS=5 bench/tensor/gpu_bench.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${FLYTEC_BUILD_DIR:-$root/build}
reps=${REPS:-3}
nvcc=${NVCC:-/usr/local/cuda/bin/nvcc}
plugin=$build/lib/flytec/libflytec_cuda.so
[[ -f $plugin ]] || { echo "gpu_bench: no $plugin (configure with -DFLYTEC_CUDA=ON)" >&2; exit 2; }
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$nvcc" -O2 -std=c++17 -arch=native -I"$root" "$root/bench/tensor/gpu_bench.cu" -o "$tmp/gpu_bench" -lcublas -ldl
"$tmp/gpu_bench" "$plugin"

"$build/bin/flytec" build "$root/bench/tensor/gpu_stage.flyte" -o "$tmp/stage"
best() {  # best wall-clock seconds of $reps runs of "$@"
  local b=
  for _ in $(seq "$reps"); do
    local s e
    s=$(date +%s.%N)
    "$@" --run-dir "$tmp/runs" --no-cache >/dev/null
    e=$(date +%s.%N)
    b=$(echo "$s $e ${b:-1e9}" | awk '{d = $2 - $1; print (d < $3 ? d : $3)}')
  done
  echo "$b"
}
echo "{\"bench\": \"stage_fused\", \"s\": $(best "$tmp/stage")}"
echo "{\"bench\": \"stage_node_by_node\", \"s\": $(FLYTEC_STAGE_DEVICE=none best "$tmp/stage")}"
echo "{\"bench\": \"stage_cpu\", \"s\": $(best "$tmp/stage" --device cpu)}"
