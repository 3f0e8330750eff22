#!/usr/bin/env bash
# Times `flytec check` (parse, resolve, type-check, lower, analysis passes) on one workflow
# of 10,000 and of 100,000 task calls (bench/gen_nodes.py) and of 100,000 expression nodes
# (bench/gen_layered.py), median of 5 runs with peak memory, in a Release
# build (build-bench/). Where Debian's snakemake and cwltool are installed, times
# `snakemake -n` on a 10,000-job DAG and `cwltool --validate` on a 500-step workflow of
# the same shape, for comparison.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FLYTEC_BENCH_BUILD_DIR:-$root/build-bench}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFLYTEC_BUILD_BENCH=ON \
  -DFLYTEC_BUILD_TESTS=OFF >/dev/null
ninja -C "$build" flytec >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# median_of RUNS CMD...: prints "SECONDS PEAK_KB" of the median run.
median_of() {
  local runs=$1
  shift
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$tmp/t" "$@" >/dev/null 2>&1 || true
    tail -n 1 "$tmp/t"
  done | sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'
}

# Chains of task calls (gen_nodes.py) and 100,000 expression nodes in 1,000 layers.
python3 "$root/bench/gen_nodes.py" 10000 >"$tmp/nodes-10000.flyte"
python3 "$root/bench/gen_nodes.py" 100000 >"$tmp/nodes-100000.flyte"
python3 "$root/bench/gen_layered.py" 100000 100 >"$tmp/layered-100000.flyte"
for input in nodes-10000 nodes-100000 layered-100000; do
  "$build/bin/flytec" check "$tmp/$input.flyte"
  read -r s kb < <(median_of 5 "$build/bin/flytec" check "$tmp/$input.flyte")
  printf 'flytec check, %-15s %6.2f s, %6.1f MiB peak\n' "$input:" "$s" "$(echo "$kb/1024" | bc -l)"
done

if command -v snakemake >/dev/null; then
  # One wildcard rule; job i needs jobs i/2 and i/3 (a DAG of depth ~14: snakemake
  # builds its DAG recursively and a 10,000-deep chain would exceed Python's stack).
  cat >"$tmp/Snakefile" <<'SMK'
N = 10000
def deps(wc):
    i = int(wc.i)
    return [] if i == 0 else sorted({f"n{i // 2}.txt", f"n{i // 3}.txt"} - {f"n{i}.txt"})
rule all:
    input: [f"n{i}.txt" for i in range(N)]
rule step:
    input: deps
    output: "n{i}.txt"
    shell: "cat {input} /dev/null > {output}"
SMK
  read -r s kb < <(median_of 3 snakemake -n -j1 --quiet -s "$tmp/Snakefile" -d "$tmp")
  printf 'snakemake -n,       10000 jobs:  %6.2f s, %6.1f MiB peak\n' "$s" "$(echo "$kb/1024" | bc -l)"
fi

if command -v cwltool >/dev/null; then
  python3 - "$tmp" <<'PY'
import sys
d = sys.argv[1]
n = 500
lines = ["cwlVersion: v1.2", "class: Workflow", "inputs:", "  seed: int", "outputs:",
         "  out:", "    type: File", f"    outputSource: n{n-1}/out", "steps:"]
for i in range(n):
    lines += [f"  n{i}:", "    run: step.cwl", "    in:"]
    lines += ["      x: seed" if i == 0 else f"      prev: n{i-1}/out"]
    lines += ["    out: [out]"]
open(f"{d}/wf.cwl", "w").write("\n".join(lines) + "\n")
open(f"{d}/step.cwl", "w").write("""cwlVersion: v1.2
class: CommandLineTool
baseCommand: [sh, -c, 'echo 1 > out.txt']
inputs:
  x: {type: int?}
  prev: {type: File?}
outputs:
  out: {type: File, outputBinding: {glob: out.txt}}
""")
PY
  read -r s kb < <(median_of 3 cwltool --validate "$tmp/wf.cwl")
  printf 'cwltool --validate,   500 steps: %6.2f s, %6.1f MiB peak\n' "$s" "$(echo "$kb/1024" | bc -l)"
fi
