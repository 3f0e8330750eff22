#!/usr/bin/env bash
# Builds the tensor kernels' benchmark in Release (build-bench/, as bench/run.sh) and runs
# each comparison side by side: per repetition, the flytec kernel and its baseline one
# right after the other (SGEMM through tensor.matmul and cblas_sgemm called directly in
# one benchmark process; the softmax_regression epoch and then NumPy's; kmeans and then
# scikit-learn's), so that both sides see the same load. Prints the medians with the
# machine: CPU model, OPENBLAS_CORETYPE (OpenBLAS's detected core when unset), date and
# load average.
#
#   bench/tensor/run.sh            # 5 repetitions of each
#   REPS=7 bench/tensor/run.sh
#   ONLY=softmax bench/tensor/run.sh   # one of sgemm, softmax, kmeans
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${FLYTEC_BENCH_BUILD_DIR:-$root/build-bench}
reps=${REPS:-5}
only=${ONLY:-sgemm softmax kmeans}

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DFLYTEC_BUILD_BENCH=ON -DFLYTEC_BUILD_TESTS=OFF -DFLYTEC_FUZZ=OFF >/dev/null
ninja -C "$build" -j2 flytec_tensor_bench
bench=$build/bench/tensor/flytec_tensor_bench

# The raw results stay in $OUT (default: a temporary folder removed at the end).
tmp=${OUT:-$(mktemp -d)}
[[ -n ${OUT:-} ]] || trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) threads"
echo "OPENBLAS_CORETYPE: ${OPENBLAS_CORETYPE:-unset (detected: $(OPENBLAS_VERBOSE=2 "$bench" --benchmark_filter=NONE 2>&1 | grep -m1 -o 'Core: .*' || echo '?'))}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

cpp() {  # name filter rep
  "$bench" --benchmark_filter="$2" --benchmark_out="$tmp/cpp-$1-$3.json" \
    --benchmark_out_format=json >/dev/null
}
for ((i = 1; i <= reps; i++)); do
  for what in $only; do
    case $what in
      sgemm) cpp sgemm '^BM_Sgemm' "$i" ;;
      softmax)
        cpp softmax '^BM_SoftmaxRegressionEpoch' "$i"
        /usr/bin/python3 "$root/bench/tensor/numpy_bench.py" softmax >"$tmp/py-softmax-$i.json" ;;
      kmeans)
        cpp kmeans '^BM_KMeans' "$i"
        /usr/bin/python3 "$root/bench/tensor/numpy_bench.py" kmeans >"$tmp/py-kmeans-$i.json" ;;
      *) echo "unknown benchmark $what" >&2; exit 2 ;;
    esac
  done
  echo "repetition $i done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

/usr/bin/python3 - "$tmp" "$reps" "$only" <<'PY'
import json, statistics, sys
tmp, reps, only = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
def cpp(what):  # name -> seconds per repetition
    out = {}
    for i in range(1, reps + 1):
        for b in json.load(open(f"{tmp}/cpp-{what}-{i}.json"))["benchmarks"]:
            out.setdefault(b["run_name"].replace("/real_time", ""), []).append(b["real_time"] / 1e3)
    return out
def py(what):
    runs = [json.load(open(f"{tmp}/py-{what}-{i}.json")) for i in range(1, reps + 1)]
    return runs[0], [r["seconds"] for r in runs], runs
def show(ts): return f"median {statistics.median(ts)*1e3:8.1f} ms [" + " ".join(f"{t*1e3:.0f}" for t in ts) + "]"
def ratios(a, b): return statistics.median([x / y for x, y in zip(a, b)])
print(f"\nmedians of {reps} repetitions, each pair run back to back (all times in ms)")
if "sgemm" in only:
    c = cpp("sgemm")
    for n in (1024, 4096):
        k, d = c[f"BM_SgemmKernel/{n}"], c[f"BM_SgemmCblasDirect/{n}"]
        gf = 2 * n**3 / 1e9
        print(f"SGEMM {n}^3 kernel: {show(k)} ({gf/statistics.median(k):.1f} GFLOP/s)")
        print(f"SGEMM {n}^3 cblas : {show(d)} ({gf/statistics.median(d):.1f} GFLOP/s)")
        print(f"  kernel at {100*statistics.median(d)/statistics.median(k):.1f}% of cblas "
              f"(median of per-repetition ratios {100*ratios(d, k):.1f}%)")
if "softmax" in only:
    k = cpp("softmax")["BM_SoftmaxRegressionEpoch"]
    info, n, _ = py("softmax")
    print(f"softmax_regression epoch 60000x784x10 kernel: {show(k)}")
    print(f"  NumPy {info['numpy']}: {show(n)}")
    print(f"  kernel {statistics.median(n)/statistics.median(k):.2f}x faster "
          f"(median of per-repetition ratios {ratios(n, k):.2f}x)")
if "kmeans" in only:
    k = cpp("kmeans")["BM_KMeans"]
    info, s, runs = py("kmeans")
    print(f"kmeans 1e6x16 k=8 20 iterations kernel: {show(k)}")
    print(f"  scikit-learn {info['sklearn']} (iterations {[r['iterations'] for r in runs]}): {show(s)}")
    print(f"  kernel {statistics.median(s)/statistics.median(k):.2f}x faster "
          f"(median of per-repetition ratios {ratios(s, k):.2f}x)")
PY
