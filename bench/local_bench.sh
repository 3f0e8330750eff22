#!/usr/bin/env bash
# Benchmarks the local runtime: the executables `flytec build` makes, in a Release build
# (build-bench/, apart from the normal build), against Snakemake and TBB's flow graph.
#
#   bench/local_bench.sh            # both benchmarks, prints a table
#   bench/local_bench.sh --help
#
# (a) fan-out: 200 independent trivial shell tasks and one join task over their results
#     (bench/gen_fanout.py), run with --jobs 2 --no-cache (the journal is always on), wall
#     time of the executable, median of 5; the same graph in Snakemake (--cores 2, one
#     wildcard rule and a join rule, fresh directory each time), median of 3. Skipped
#     with a note when snakemake is not installed. Also the floor: the same 200 commands
#     as `/bin/sh -c` from two plain shell loops, which is what process creation costs.
# (b) scheduler overhead: 100,000 in-process arithmetic nodes in layers of 100
#     (bench/gen_layered.py), run with --jobs 2 --no-cache; (wall - wall of a one-node
#     workflow) / nodes, medians of 5; the same graph as a TBB flow graph
#     (bench/tbb_flow_bench.cpp, 2 threads, construction + run), median of 5. Skipped
#     with a note when TBB is not installed.
#
# FLYTEC_BENCH_BUILD_DIR picks another build dir.
set -euo pipefail

usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
case ${1:-} in
  -h | --help) usage; exit 0 ;;
  "") ;;
  *) usage >&2; exit 2 ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FLYTEC_BENCH_BUILD_DIR:-$root/build-bench}
fanout_tasks=200 fanout_runs=5 snakemake_runs=3
layered_nodes=100000 layered_width=100 layered_runs=5

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DFLYTEC_BUILD_BENCH=ON -DFLYTEC_BUILD_TESTS=OFF -DFLYTEC_FUZZ=OFF >/dev/null
targets=(flytec flyte_runtime flyte_ir flyte_ir_proto flyte_support)
have_tbb=0
if ninja -C "$build" -t targets all | grep -q '^flytec_tbb_flow_bench:'; then
  targets+=(flytec_tbb_flow_bench)
  have_tbb=1
fi
ninja -C "$build" "${targets[@]}" >/dev/null
flytec=$build/bin/flytec

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# wall CMD...: runs CMD with its output in $tmp/out and prints its wall time in seconds.
wall() {
  local t0 t1
  t0=$(date +%s%N)
  "$@" >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/err" >&2; echo "failed: $*" >&2; exit 1; }
  t1=$(date +%s%N)
  echo "scale=6; ($t1 - $t0) / 1000000000" | bc
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# expect WHAT REGEX: fails unless the last command's output matches REGEX.
expect() {
  if ! [[ $(cat "$tmp/out") =~ $2 ]]; then
    echo "local_bench.sh: $1 printed $(cat "$tmp/out"), expected $2" >&2
    exit 1
  fi
}
# build_workflow FILE WORKFLOW BIN: checks FILE (no diagnostics allowed) and builds it.
build_workflow() {
  if [[ -n $("$flytec" check --color=never "$1" 2>&1) ]]; then
    "$flytec" check --color=never "$1" >&2 || true
    echo "local_bench.sh: $1 does not check cleanly" >&2
    exit 1
  fi
  "$flytec" build "$1" --workflow "$2" -o "$3"
}
# nodes_of FILE: the node count flytec reports for FILE.
nodes_of() {
  "$flytec" emit --format text --time-passes "$1" 2>&1 >/dev/null |
    awk '/validate-dag.nodes/ {print $1}'
}
rows=()
row() { rows+=("$(printf '%-52s %14s  %s' "$1" "$2" "${3:-}")"); }

# (a) Fan-out of trivial shell tasks.
python3 "$root/bench/gen_fanout.py" "$fanout_tasks" >"$tmp/fanout.flyte"
build_workflow "$tmp/fanout.flyte" fanout "$tmp/fanout"
fan_nodes=$(nodes_of "$tmp/fanout.flyte")
fan_s=$(for r in $(seq "$fanout_runs"); do
  wall "$tmp/fanout" --run-dir "$tmp/runs-fan-$r" --no-cache --jobs 2
  expect "the fan-out workflow" '^\{"o":[0-9]+\}$'
done | median)
row "flytec, $fanout_tasks shell tasks + join ($fan_nodes nodes), -j2" \
  "$(printf '%.3f s' "$fan_s")" "median of $fanout_runs; target <= 0.6 s"

# The floor on this machine: the same 200 commands, each in its own `/bin/sh -c`, from
# two plain shell loops at once, with nothing else (no outputs read, no journal).
mkdir -p "$tmp/floor"
floor_s=$(for r in $(seq "$fanout_runs"); do
  wall sh -c 'for lane in 0 1; do
      (i=$lane; while [ $i -lt '"$fanout_tasks"' ]; do /bin/sh -c "echo $i > '"$tmp"'/floor/$i"; i=$((i + 2)); done) &
    done; wait'
done | median)
row "floor: $fanout_tasks x /bin/sh -c from 2 shell loops" "$(printf '%.3f s' "$floor_s")" \
  "median of $fanout_runs; process creation alone"
row "  flytec overhead over the floor, per task" \
  "$(printf '%.2f ms' "$(echo "($fan_s - $floor_s) * 1000 / $fanout_tasks" | bc -l)")"

if command -v snakemake >/dev/null; then
  cat >"$tmp/Snakefile" <<SMK
N = $fanout_tasks
rule all:
    input: "join.txt"
rule t:
    output: "t/{i}.txt"
    shell: "echo {wildcards.i} > {output}"
rule join:
    input: expand("t/{i}.txt", i=range(N))
    output: "join.txt"
    shell: "cat {input} | wc -c > {output}"
SMK
  smk_s=$(for r in $(seq "$snakemake_runs"); do
    mkdir "$tmp/smk-$r"
    wall snakemake --cores 2 -q -s "$tmp/Snakefile" -d "$tmp/smk-$r"
    [[ -s $tmp/smk-$r/join.txt ]] || { echo "local_bench.sh: snakemake made no join.txt" >&2; exit 1; }
  done | median)
  row "snakemake $(snakemake --version), the same graph, --cores 2" \
    "$(printf '%.3f s' "$smk_s")" "median of $snakemake_runs"
  row "  ratio snakemake / flytec" "$(printf '%.1fx' "$(echo "$smk_s / $fan_s" | bc -l)")" \
    "target >= 15x"
else
  row "snakemake" "skipped: snakemake not installed"
fi

# (b) Scheduler overhead per in-process node.
python3 "$root/bench/gen_layered.py" "$layered_nodes" "$layered_width" >"$tmp/layered.flyte"
python3 "$root/bench/gen_layered.py" 1 1 >"$tmp/one.flyte"
check_s=$(wall "$flytec" check --color=never "$tmp/layered.flyte")
build_workflow "$tmp/layered.flyte" layered "$tmp/layered"
build_workflow "$tmp/one.flyte" layered "$tmp/one"
lay_nodes=$(nodes_of "$tmp/layered.flyte")
lay_s=$(for r in $(seq "$layered_runs"); do
  wall "$tmp/layered" --run-dir "$tmp/runs-lay-$r" --no-cache --jobs 2 --n 1 --timings
  expect "the layered workflow" '^\{"o":200\}$'
  # "timings: load plan 0.3s, index, schedule and run 0.04s (...)": the engine's part.
  sed -n 's/.*index, schedule and run \([0-9.]*\)s.*/\1/p' "$tmp/err" >>"$tmp/sched"
done | median)
sched_us=$(median <"$tmp/sched" | awk -v n="$lay_nodes" '{printf "%.3f", $1 * 1000000 / n}')
one_s=$(for r in $(seq "$layered_runs"); do
  wall "$tmp/one" --run-dir "$tmp/runs-one-$r" --no-cache --jobs 2 --n 1
  expect "the one-node workflow" '^\{"o":2\}$'
done | median)
lay_us=$(echo "($lay_s - $one_s) * 1000000 / $lay_nodes" | bc -l)
row "flytec check, layered graph" "$(printf '%.3f s' "$check_s")"
row "flytec, one-node workflow (start, plan load), -j2" "$(printf '%.3f s' "$one_s")" \
  "median of $layered_runs"
row "flytec, layered graph ($lay_nodes in-process nodes), -j2" \
  "$(printf '%.3f s' "$lay_s")" "median of $layered_runs"
row "  flytec per node, end to end" "$(printf '%.2f us/node' "$lay_us")" \
  "(layered - one-node) / nodes: plan loading included"
row "  flytec scheduler overhead (--timings)" "$(printf '%.2f us/node' "$sched_us")" \
  "index + schedule + run / nodes; target <= 3 us/node"
if ((have_tbb)); then
  "$build/bench/flytec_tbb_flow_bench" "$layered_nodes" "$layered_width" "$layered_runs" 2 \
    >"$tmp/tbb"
  grep -q ' result 200$' "$tmp/tbb" || { cat "$tmp/tbb" >&2; exit 1; }
  tbb_us=$(awk '/^median:/ {print $2}' "$tmp/tbb")
  row "TBB flow_graph, the same graph, 2 threads" "$(printf '%.2f us/node' "$tbb_us")" \
    "construction + run, median of $layered_runs"
  row "  ratio flytec scheduler / TBB" "$(printf '%.1fx' "$(echo "$sched_us / $tbb_us" | bc -l)")"
  row "  ratio flytec end to end / TBB" "$(printf '%.1fx' "$(echo "$lay_us / $tbb_us" | bc -l)")"
else
  row "TBB flow_graph" "skipped: TBB not installed"
fi

echo
echo "local runtime benchmark ($(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%s\n' "${rows[@]}"
