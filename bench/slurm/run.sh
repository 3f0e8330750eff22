#!/usr/bin/env bash
# The Slurm backend's benchmark (not run in CI): builds a generated workflow of about
# 1,000 nodes with maps for Slurm, submits it to a one-node cluster on 127.0.0.1
# (test/integration/slurm/with_cluster.sh; root), and reports the wall time of submit.sh,
# the number of sbatch calls (submit.sh's and the map launchers'), and the time from
# submission to the last job's end. Results go into docs/benchmarks.md by hand.
#
#   bench/slurm/run.sh [BUILD_DIR] [gen_workflow.py options...]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
shift || true
if [[ -z ${SLURM_CONF:-} ]]; then
  exec test/integration/slurm/with_cluster.sh -- "$0" "$build" "$@"
fi

tmp=$(mktemp -d /tmp/flytec-slurm-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
python3 bench/slurm/gen_workflow.py "$@" >"$tmp/big.flyte"
"$build/bin/flytec" build --target slurm "$tmp/big.flyte" -o "$tmp/out" 2>/dev/null
jobs=$(grep -c '^node ' "$tmp/out/submit.sh" || true)
maps=$(grep -c '^map ' "$tmp/out/submit.sh" || true)

# Every sbatch call (submit.sh's and the launchers') is one submission RPC in
# slurmctld's log (no wrapper on PATH, which would add its own start-up to the timing).
ctl_log=$FLYTEC_SLURM_DIR/log/slurmctld.log
submissions() { grep -c '_slurm_rpc_submit_batch_job' "$ctl_log" || true; }
before=$(submissions)
export FLYTE_CACHE_DIR=$tmp/cache

start=$(date +%s.%N)
"$tmp/out/submit.sh" --store "$tmp/store" >"$tmp/ids"
submitted=$(date +%s.%N)
submit_calls=$(wc -l <"$tmp/ids")  # one sbatch per line it printed
# The last job's end: the queue has none of the run's jobs left.
while [[ -n $(squeue --me --noheader --format=%A 2>/dev/null || echo unknown) ]]; do
  sleep 0.5
done
ended=$(date +%s.%N)
all_calls=$(($(submissions) - before))
ok=0
"$tmp/out/bin/wf" --store "$tmp/store" --collect >/dev/null && ok=1

echo "machine: $(nproc) CPUs, $(awk '/^MemTotal:/ { print int($2 / 1024) " MB" }' /proc/meminfo), $(uname -r), slurm $(sbatch --version | awk '{ print $2 }')"
echo "workflow: $jobs task jobs + $maps maps, $(wc -l <"$tmp/ids") jobs submitted by submit.sh"
printf 'submit.sh wall time: %.2f s\n' "$(echo "$submitted - $start" | bc)"
echo "sbatch calls: $submit_calls by submit.sh, $((all_calls - submit_calls)) by the map launchers"
printf 'submission to last job end: %.1f s\n' "$(echo "$ended - $start" | bc)"
echo "outputs collected: $([[ $ok -eq 1 ]] && echo yes || echo no)"
