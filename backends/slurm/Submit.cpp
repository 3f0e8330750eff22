// submit.sh, status.sh, cancel.sh and the README of a Slurm build (see Submit.h). The
// job list of submit.sh is generated in topological order; the rest is fixed shell.
#include "backends/slurm/Submit.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "backends/slurm/Template.h"

namespace flyte::slurm {
namespace {

// Option parsing, the store, the run's name and the one squeue query, shared by the
// three scripts.
constexpr std::string_view kPrelude = R"sh(here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
store=$here/store

# Variables of an enclosing allocation (SLURM_JOB_ID, SLURM_CPUS_PER_TASK, ...) would
# leak into the jobs submitted from here: strip them; SLURM_CONF says which cluster.
while read -r var; do
  case $var in
    SLURM_CONF) ;;
    SLURM_* | SBATCH_* | SALLOC_*) unset "$var" ;;
  esac
done < <(compgen -e)

# The run's jobs still in the queue, one `JOBID NAME STATE REASON` line each, from ONE
# squeue query for the whole run (its job names start with the run's name). A failed
# query returns 1: the state is unknown, never "finished".
run_jobs() {
  local out
  out=$(squeue --me --noheader --format='%A %j %T %r' 2>/dev/null) || return 1
  awk -v prefix="$run." 'index($2, prefix) == 1' <<<"$out"
}
)sh";

constexpr std::string_view kSubmit = R"sh(#!/bin/bash
# shellcheck disable=SC2317  # functions are called through spawn; some workflows have no map
# Submits workflow @WORKFLOW@ (built from @SOURCE@) to Slurm.
#
#   submit.sh [--store DIR] [--wait] [--poll SECONDS] [--] [INPUTS...]
#
# INPUTS are the executable's own input flags (`bin/wf --help` lists them) or
# `--inputs FILE`; they are handed to `bin/wf --store DIR --init` and recorded in the
# store, never pasted into a script. The store (default: store/ beside this script)
# must be on a file system every node sees. Every job is submitted held, in topological
# order, with `--dependency=afterok:...` and `--kill-on-invalid-dep=yes` (a failed
# job's dependents are cancelled), and all are released once every id is known. Nodes
# already done in the store are not submitted: running this again resumes, and on a
# finished store it submits nothing.
#
# Prints `KEY JOBID` for each job submitted. With --wait it then polls the queue (one
# squeue query per interval), prints the outputs JSON on stdout (the job ids then go to
# stderr), writes it to outputs.json beside this script, and exits 0 when the workflow
# succeeded and 1 when it failed.
set -euo pipefail

@PRELUDE@
wf=$here/bin/wf
wait_end=0
poll=${FLYTEC_POLL_SECONDS:-2}
while [[ $# -gt 0 ]]; do
  case $1 in
    --store) store=${2:?--store needs a folder}; shift 2 ;;
    --store=*) store=${1#--store=}; shift ;;
    --wait) wait_end=1; shift ;;
    --poll) poll=${2:?--poll needs seconds}; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done

# What submit.sh prints about jobs goes to stdout, or to stderr when stdout is for the
# outputs JSON.
if [[ $wait_end -eq 1 ]]; then exec 3>&2; else exec 3>&1; fi

mkdir -p "$store"
store=$(cd "$store" && pwd)

# The store records the inputs; other inputs than a store's own are refused (exit 2).
rc=0
"$wf" --store "$store" --init "$@" || rc=$?
if [[ $rc -ne 0 ]]; then
  echo "submit.sh: bin/wf --init refused the inputs (exit $rc)" >&2
  exit "$rc"
fi

# The run's name prefixes every job's name; it is kept in the store so that status.sh,
# cancel.sh and a second submit.sh find the same jobs.
mkdir -p "$store/slurm"
if [[ ! -s $store/slurm/run ]]; then
  printf '%s-%s\n' @WORKFLOW_NAME@ "$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')" >"$store/slurm/run.partial"
  mv "$store/slurm/run.partial" "$store/slurm/run"
fi
run=$(cat "$store/slurm/run")
mkdir -p "$store/slurm/$run"
export FLYTEC_DIR=$here FLYTEC_STORE=$store FLYTEC_RUN=$run

if queued=$(run_jobs) && [[ -n $queued ]]; then
  echo "submit.sh: run $run still has jobs in the queue (status.sh shows them, cancel.sh cancels them)" >&2
  exit 1
fi

# Node states in the store: done and skipped nodes are not submitted again.
declare -A state=()
while read -r key node_state _; do
  state[$key]=$node_state
done < <("$wf" --store "$store" --status)

declare -A job=() # node key -> the job its dependents wait for
held=()           # every job submitted, held until all are
log_dirs=()       # their log folders, made (at once) before they are released
# The jobs of one level (whose upstream jobs were all submitted) are submitted side by
# side, FLYTEC_SUBMIT_JOBS at a time (default 4); each leaves its id in a file here.
ids_dir=$store/slurm/$run/ids
rm -rf "$ids_dir"
mkdir -p "$ids_dir"
parallel=${FLYTEC_SUBMIT_JOBS:-4}
running=0
level_keys=()

# Cancels what was submitted and stops: a submission failed.
give_up() {
  local f id
  for f in "$ids_dir"/*; do
    if [[ -s $f ]]; then read -r id <"$f" && held+=("$id"); fi
  done
  if [[ ${#held[@]} -gt 0 ]]; then scancel "${held[@]}" 2>/dev/null || true; fi
  exit 1
}

# sbatch, retried with backoff on transient failures (timeouts, busy controller, submit
# limits); a permanent failure is reported with the job's name and the reason.
sbatch_retry() {
  local name=$1 delay=1 attempt out
  shift
  for attempt in 1 2 3 4 5 6; do
    if out=$(sbatch "$@" 2>&1); then
      printf '%s\n' "${out%%;*}"
      return 0
    fi
    case $out in
      *"timed out"* | *"temporarily"* | *"Unable to contact"* | *"limit"* | *"try again"*)
        echo "submit.sh: sbatch of $name failed (attempt $attempt, retrying in ${delay}s): $out" >&2
        sleep "$delay"
        delay=$((delay * 2)) ;;
      *)
        echo "submit.sh: cannot submit $name: $out" >&2
        return 1 ;;
    esac
  done
  echo "submit.sh: cannot submit $name: $out" >&2
  return 1
}

# submit KEY NAME SCRIPT TYPE [UPSTREAM-ID...]: submits jobs/SCRIPT held, after the
# given jobs (TYPE: afterok or afterany); sets `id` and leaves it in ids/KEY. Runs in
# the background: a failure leaves ids/failed.
submit() {
  local key=$1 name=$2 script=$3 type=$4
  shift 4
  local dependency=()
  if [[ $# -gt 0 ]]; then dependency=(--dependency="$type$(printf ':%s' "$@")"); fi
  if ! id=$(sbatch_retry "$name" --hold --parsable --kill-on-invalid-dep=yes --job-name="$run.$name" \
    --output="$here/logs/$run/$name/%j.out" "${dependency[@]}" "$here/jobs/$script"); then
    : >"$ids_dir/failed"
    return 1
  fi
  printf '%s\n' "$id" >"$ids_dir/$key"
  echo "$key $id" >&3
}

finished() {
  [[ ${state[$1]:-pending} == "done" || ${state[$1]:-pending} == "skipped" ]]
}

# The ids of the jobs of the upstream keys that were submitted, in `up_ids`.
upstream_ids() {
  local up
  up_ids=()
  for up in "$@"; do
    if [[ -n ${job[$up]:-} ]]; then up_ids+=("${job[$up]}"); fi
  done
}

# Starts one background submission, at most $parallel at a time.
spawn() {
  if [[ -e $ids_dir/failed ]]; then
    wait
    give_up
  fi
  if [[ $running -ge $parallel ]]; then
    wait -n || true
    running=$((running - 1))
  fi
  "$@" &
  running=$((running + 1))
}

# node KEY NAME [UPSTREAM-KEY...]: one job running the node.
node() {
  local key=$1 name=$2
  shift 2
  if finished "$key"; then return 0; fi
  upstream_ids "$@"
  log_dirs+=("$here/logs/$run/$name")
  level_keys+=("$key")
  spawn submit "$key" "$name" "$name.sbatch" afterok "${up_ids[@]}"
}

# map KEY NAME [UPSTREAM-KEY...]: the launcher, after the upstream jobs, and the gather,
# after the launcher; the launcher submits the items' array and moves the gather's
# dependency onto it.
map() {
  local key=$1 name=$2
  shift 2
  if finished "$key"; then return 0; fi
  upstream_ids "$@"
  log_dirs+=("$here/logs/$run/$name.launch" "$here/logs/$run/$name")
  level_keys+=("$key.launch" "$key")
  spawn submit_map "$key" "$name" "${up_ids[@]}"
}

submit_map() {
  local key=$1 name=$2
  shift 2
  submit "$key.launch" "$name.launch" "$name.launch.sbatch" afterok "$@" || return 1
  submit "$key" "$name" "$name.sbatch" afterok "$id" || return 1
  printf '%s\n' "$id" >"$store/slurm/$run/$key.gather"
}

# level: the jobs before were submitted; waits for them and reads their ids.
level() {
  local key
  wait
  running=0
  if [[ -e $ids_dir/failed ]]; then give_up; fi
  for key in "${level_keys[@]}"; do
    read -r "job[$key]" <"$ids_dir/$key" || give_up
    held+=("${job[$key]}")
  done
  level_keys=()
}

# The jobs, level by level: a job's upstream jobs are all in the levels before.
@JOBS@level

if [[ ${#held[@]} -eq 0 ]]; then
  echo "submit.sh: nothing to submit: every node is done in $store" >&2
else
  mkdir -p "${log_dirs[@]}" || give_up
  # Every id is known: release them all (in batches, for long argument lists).
  for ((i = 0; i < ${#held[@]}; i += 500)); do
    batch=("${held[@]:i:500}")
    scontrol release "$(IFS=,; echo "${batch[*]}")" || give_up
  done
fi
if [[ $wait_end -eq 0 ]]; then exit 0; fi

# Wait: one squeue query per interval for the whole run. A failed query is "unknown".
fail_fast=@FAIL_FAST@
cancelled=0
while [[ ${#held[@]} -gt 0 ]]; do
  sleep "$poll"
  if ! queued=$(run_jobs); then
    echo "submit.sh: squeue failed; the run's state is unknown, polling again" >&2
    continue
  fi
  if [[ -z $queued ]]; then break; fi
  # A failed node of the workflow's own body (not a map's item: @min_success may allow
  # it) ends a fail-fast run.
  if [[ $fail_fast -eq 1 && $cancelled -eq 0 ]] &&
    "$wf" --store "$store" --status | awk '$1 ~ /^n[0-9]+$/ && $2 == "failed" { found = 1 } END { exit !found }'; then
    echo "submit.sh: a node failed; cancelling the run's other jobs" >&2
    # shellcheck disable=SC2046  # one id per word
    scancel $(awk '{ print $1 }' <<<"$queued") 2>/dev/null || true
    cancelled=1
  fi
done

if outputs=$("$wf" --store "$store" --collect); then
  printf '%s\n' "$outputs" >"$here/outputs.json.partial"
  mv "$here/outputs.json.partial" "$here/outputs.json"
  printf '%s\n' "$outputs"
  exit 0
fi
echo "submit.sh: workflow @WORKFLOW@ failed; logs: $here/logs/$run" >&2
exit 1
)sh";

constexpr std::string_view kStatus = R"sh(#!/bin/bash
# Shows run of workflow @WORKFLOW@: each node's state in the store (done, skipped,
# failed, running, pending), then the run's jobs in the queue (one squeue query).
#
#   status.sh [--store DIR]
set -euo pipefail

@PRELUDE@
wf=$here/bin/wf
while [[ $# -gt 0 ]]; do
  case $1 in
    --store) store=${2:?--store needs a folder}; shift 2 ;;
    --store=*) store=${1#--store=}; shift ;;
    *) echo "usage: $0 [--store DIR]" >&2; exit 2 ;;
  esac
done
store=$(cd "$store" && pwd)
if [[ ! -s $store/slurm/run ]]; then
  echo "status.sh: nothing was submitted with $store" >&2
  exit 1
fi
run=$(cat "$store/slurm/run")
echo "# nodes (store $store)"
"$wf" --store "$store" --status
echo "# jobs of run $run in the queue (JOBID NAME STATE REASON)"
if ! run_jobs; then
  echo "status.sh: squeue failed: the jobs' states are unknown" >&2
  exit 1
fi
)sh";

constexpr std::string_view kCancel = R"sh(#!/bin/bash
# Cancels every queued or running job of the run of workflow @WORKFLOW@ (one squeue
# query, one scancel). The store keeps what finished: submit.sh resumes from there.
#
#   cancel.sh [--store DIR]
set -euo pipefail

@PRELUDE@
while [[ $# -gt 0 ]]; do
  case $1 in
    --store) store=${2:?--store needs a folder}; shift 2 ;;
    --store=*) store=${1#--store=}; shift ;;
    *) echo "usage: $0 [--store DIR]" >&2; exit 2 ;;
  esac
done
store=$(cd "$store" && pwd)
if [[ ! -s $store/slurm/run ]]; then
  echo "cancel.sh: nothing was submitted with $store" >&2
  exit 1
fi
run=$(cat "$store/slurm/run")
if ! queued=$(run_jobs); then
  echo "cancel.sh: squeue failed: cannot tell which jobs to cancel" >&2
  exit 1
fi
ids=$(awk '{ print $1 }' <<<"$queued")
if [[ -z $ids ]]; then
  echo "cancel.sh: run $run has no jobs in the queue"
  exit 0
fi
# shellcheck disable=SC2086  # one id per word
scancel $ids
echo "cancel.sh: cancelled $(wc -w <<<"$ids") jobs of run $run"
)sh";

std::vector<std::pair<std::string_view, std::string>> common(const ScriptContext& c) {
  return {{"WORKFLOW", one_line(c.workflow)},
          {"WORKFLOW_NAME", short_name(c.workflow)},
          {"SOURCE", one_line(c.source)},
          {"PRELUDE", std::string(kPrelude)}};
}

}  // namespace

std::string submit_script(const JobGraph& g, const ScriptContext& c) {
  // Each job's level: one more than its deepest upstream job's.
  std::vector<uint32_t> depth(g.jobs.size(), 0);
  uint32_t levels = 0;
  for (size_t i = 0; i < g.jobs.size(); ++i) {
    for (uint32_t u : g.jobs[i].after) depth[i] = std::max(depth[i], depth[u] + 1);
    levels = std::max(levels, depth[i] + 1);
  }
  std::vector<std::vector<uint32_t>> by_level(levels);
  for (size_t i = 0; i < g.jobs.size(); ++i) by_level[depth[i]].push_back(static_cast<uint32_t>(i));
  std::string jobs;
  for (uint32_t level = 0; level < levels; ++level) {
    if (level > 0) jobs += "level\n";
    for (uint32_t i : by_level[level]) {
      const Job& j = g.jobs[i];
      jobs += fmt::format("{} {} {}", j.kind == Job::Kind::Map ? "map" : "node", j.key, j.name);
      for (uint32_t u : j.after) jobs += " " + g.jobs[u].key;
      jobs += "\n";
    }
  }
  auto values = common(c);
  values.emplace_back("JOBS", jobs);
  values.emplace_back("FAIL_FAST", g.failure_policy == ir::FailurePolicy::FailFast ? "1" : "0");
  return fill(kSubmit, values);
}

std::string status_script(const JobGraph&, const ScriptContext& c) {
  return fill(kStatus, common(c));
}

std::string cancel_script(const JobGraph&, const ScriptContext& c) {
  return fill(kCancel, common(c));
}

std::string readme(const JobGraph& g, const ScriptContext& c) {
  size_t maps = 0;
  for (const Job& j : g.jobs) maps += j.kind == Job::Kind::Map ? 1 : 0;
  return fmt::format(R"sh(Workflow {} of {}, built for Slurm by flytec.

  ./submit.sh [--store DIR] [--wait] [INPUTS...]   submit (INPUTS: bin/wf --help)
  ./status.sh [--store DIR]                        node states and queued jobs
  ./cancel.sh [--store DIR]                        cancel the run's jobs

{} jobs ({} of them maps: a launcher, a job array of the items and a gather each).
jobs/     one commented sbatch script per job; each runs `bin/wf --run-node KEY`
bin/wf    the compiled workflow; its node mode runs one node against the store
logs/     logs/<run>/<node>/<jobid>.out
store/    the default store: it must be on a file system every node sees

Running submit.sh again with the same store resumes: done nodes are not submitted.
A rebuild into this folder replaces all of it but store/ and logs/.
)sh",
                     one_line(c.workflow), one_line(c.source), g.jobs.size(), maps);
}

}  // namespace flyte::slurm
