#!/usr/bin/env bash
# Builds the tensor kernels' benchmark in Release (build-bench/, as bench/run.sh) and runs
# it and the NumPy / scikit-learn baselines one after the other, then prints them side by
# side with the machine: CPU model, OPENBLAS_CORETYPE (OpenBLAS's detected core when
# unset), load average.
#
#   bench/tensor/run.sh            # 3 repetitions of each
#   REPS=5 bench/tensor/run.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${FLYTEC_BENCH_BUILD_DIR:-$root/build-bench}
reps=${REPS:-3}

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DFLYTEC_BUILD_BENCH=ON -DFLYTEC_BUILD_TESTS=OFF -DFLYTEC_FUZZ=OFF >/dev/null
ninja -C "$build" -j2 flytec_tensor_bench

# The raw results stay in $OUT (default: a temporary folder removed at the end).
tmp=${OUT:-$(mktemp -d)}
[[ -n ${OUT:-} ]] || trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) threads"
echo "OPENBLAS_CORETYPE: ${OPENBLAS_CORETYPE:-unset (detected: $(OPENBLAS_VERBOSE=2 "$build/bench/tensor/flytec_tensor_bench" --benchmark_filter=NONE 2>&1 | grep -m1 -o 'Core: .*' || echo '?'))}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

"$build/bench/tensor/flytec_tensor_bench" --benchmark_repetitions="$reps" \
  --benchmark_report_aggregates_only=true --benchmark_out="$tmp/cpp.json" --benchmark_out_format=json
/usr/bin/python3 "$root/bench/tensor/numpy_bench.py" "$reps" >"$tmp/py.json"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

/usr/bin/python3 - "$tmp/cpp.json" "$tmp/py.json" <<'PY'
import json, sys
cpp = json.load(open(sys.argv[1]))
py = json.load(open(sys.argv[2]))
med = {b["run_name"].replace("/real_time", ""): b["real_time"] / 1000.0
       for b in cpp["benchmarks"] if b.get("aggregate_name") == "median"}
def s(name): return med[name]
print()
print(f"numpy {py['numpy']}, scikit-learn {py['sklearn']}; medians of the repetitions")
for n in (1024, 4096):
    k, d = s(f"BM_SgemmKernel/{n}"), s(f"BM_SgemmCblasDirect/{n}")
    gf = 2 * n**3 / 1e9
    print(f"SGEMM {n}^3: kernel {k*1e3:9.1f} ms ({gf/k:6.1f} GFLOP/s), cblas direct {d*1e3:9.1f} ms "
          f"({gf/d:6.1f} GFLOP/s): kernel at {100*d/k:5.1f}% of cblas")
e, ne = s("BM_SoftmaxRegressionEpoch"), py["softmax_regression_epoch_s"]
print(f"softmax_regression epoch 60000x784x10: kernel {e*1e3:8.1f} ms, NumPy {ne*1e3:8.1f} ms: {ne/e:4.1f}x")
km, skm = s("BM_KMeans"), py["kmeans_s"]
print(f"kmeans 1e6x16 k=8 20 iters: kernel {km*1e3:8.1f} ms, scikit-learn {skm*1e3:8.1f} ms "
      f"(iterations {py['kmeans_iterations']}): {skm/km:4.1f}x")
PY
