// The sbatch scripts of one job (see Sbatch.h). Every value filled in is a node key, a
// sanitized name or a number; inputs reach the job through the store, and the build
// folder, the store and the run's name through the environment submit.sh exports.
#include "backends/slurm/Sbatch.h"

#include <fmt/format.h>

#include "backends/slurm/Template.h"

namespace flyte::slurm {
namespace {

// The `#SBATCH` lines, each with its reason on the line before.
std::string header(const std::vector<SbatchOption>& options) {
  std::string out;
  for (const SbatchOption& o : options)
    out += "# " + one_line(o.why) + "\n#SBATCH " + o.option + "\n";
  return out;
}

// Shell shared by the scripts that run nodes: the checks of what submit.sh exports, and
// run_node, which runs `wf --run-node` in the background so that USR1 reaches this
// script and is forwarded to it, and leaves its exit status in `rc`.
constexpr std::string_view kRunNode = R"sh(set -uo pipefail

# Exported by submit.sh (never pasted into this script): the build folder, the store
# and the run's name.
: "${FLYTEC_DIR:?submit this job with submit.sh}"
: "${FLYTEC_STORE:?submit this job with submit.sh}"

child=
# Slurm sends USR1 before the time limit or a preemption: the node saves a checkpoint
# and exits 75. TERM (scancel) is passed on too.
trap '[[ -n $child ]] && kill -USR1 "$child" 2>/dev/null' USR1
trap '[[ -n $child ]] && kill -TERM "$child" 2>/dev/null' TERM

run_node() {
  "$FLYTEC_DIR/bin/wf" --store "$FLYTEC_STORE" --run-node "$@" &
  child=$!
  # A trapped signal interrupts wait: wait again until the node's process is gone.
  while kill -0 "$child" 2>/dev/null; do
    wait "$child" || true
  done
  rc=0
  wait "$child" || rc=$?
  child=
}

# Exit 75: the node saved a checkpoint after USR1; requeue this job to resume from it
# (a requeued job is pending again, not failed: its dependents keep waiting).
requeue_if_checkpointed() {
  if [[ $rc -eq 75 ]]; then
    echo "flytec: checkpointed; requeueing job ${SLURM_JOB_ID:-?}" >&2
    scontrol requeue "${SLURM_JOB_ID:?}"
    exit 0
  fi
}
)sh";

constexpr std::string_view kNodeScript = R"sh(#!/bin/bash
# Node @KEY@ (@WHAT@) of workflow @WORKFLOW@, built from @SOURCE@.
# It runs the node through the executable's node mode against the store: the cache is
# checked before any work, retries happen inside this job, and its outputs are published
# with a done marker. submit.sh submits it held, with its dependencies, and releases it.
#
#SBATCH --job-name=@WORKFLOW_NAME@.@NAME@
@HEADER@
@RUN_NODE@
run_node @KEY@
requeue_if_checkpointed
exit "$rc"
)sh";

constexpr std::string_view kLauncherScript = R"sh(#!/bin/bash
# Launcher of map node @KEY@ of workflow @WORKFLOW@, built from @SOURCE@.
# Once the map's upstream jobs are done the list's length is known: this job submits
# the items as one job array (split at the cluster's MaxArraySize, several items per
# array task when there are many), then moves the gather job's dependency onto the
# array with `scontrol update`.
#
#SBATCH --job-name=@WORKFLOW_NAME@.@NAME@.launch
#SBATCH --cpus-per-task=1
#SBATCH --mem=100M
#SBATCH --time=0-00:10:00
#SBATCH --no-requeue
@PLACEMENT@
set -euo pipefail
: "${FLYTEC_DIR:?submit this job with submit.sh}"
: "${FLYTEC_STORE:?submit this job with submit.sh}"
: "${FLYTEC_RUN:?submit this job with submit.sh}"

key=@KEY@
name=@NAME@
# Items per array task at most: FLYTEC_MAP_MAX_TASKS tasks (default 1000) share them.
max_tasks=${FLYTEC_MAP_MAX_TASKS:-1000}
# One item's time limit in seconds (every attempt's timeout + 1 min), 0: none.
item_seconds=@ITEM_SECONDS@
concurrency=@CONCURRENCY@

# This job's own allocation variables would leak into the jobs it submits.
while read -r var; do
  case $var in
    SLURM_CONF) ;;
    SLURM_* | SBATCH_* | SALLOC_*) unset "$var" ;;
  esac
done < <(compgen -e)

# Submits with sbatch, retrying transient failures with backoff; prints the job id.
sbatch_retry() {
  local delay=1 attempt out
  for attempt in 1 2 3 4 5 6; do
    if out=$(sbatch "$@" 2>&1); then
      printf '%s\n' "${out%%;*}"
      return 0
    fi
    case $out in
      *"timed out"* | *"temporarily"* | *"Unable to contact"* | *"limit"* | *"try again"*)
        echo "flytec: sbatch failed (attempt $attempt, retrying in ${delay}s): $out" >&2
        sleep "$delay"
        delay=$((delay * 2)) ;;
      *)
        echo "flytec: cannot submit $name items: $out" >&2
        return 1 ;;
    esac
  done
  echo "flytec: cannot submit $name items: $out" >&2
  return 1
}

count=$("$FLYTEC_DIR/bin/wf" --store "$FLYTEC_STORE" --map-length "$key")
gather=$(cat "$FLYTEC_STORE/slurm/$FLYTEC_RUN/$key.gather")
if [[ $count -eq 0 ]]; then
  echo "flytec: map $key has no items"
  exit 0
fi

max_array=$(scontrol show config 2>/dev/null | awk -F= '/^MaxArraySize/ { gsub(/ /, "", $2); print $2 }')
max_array=${max_array:-1001}
tasks=$((count < max_tasks ? count : max_tasks))
per=$(((count + tasks - 1) / tasks))
tasks=$(((count + per - 1) / per))
throttle=
if [[ $concurrency -gt 0 ]]; then throttle="%$concurrency"; fi
time_opt=()
if [[ $item_seconds -gt 0 ]]; then
  time_opt=(--time=$(((item_seconds * per + 59) / 60)))
fi

mkdir -p "$FLYTEC_DIR/logs/$FLYTEC_RUN/$name"
ids=()
for ((first = 0; first < tasks; first += max_array)); do
  size=$((tasks - first < max_array ? tasks - first : max_array))
  export FLYTEC_MAP_FIRST_TASK=$first FLYTEC_MAP_PER=$per FLYTEC_MAP_COUNT=$count
  id=$(sbatch_retry --parsable --kill-on-invalid-dep=yes --array="0-$((size - 1))$throttle" \
    --job-name="$FLYTEC_RUN.$name.items" --output="$FLYTEC_DIR/logs/$FLYTEC_RUN/$name/%A_%a.out" \
    "${time_opt[@]}" "$FLYTEC_DIR/jobs/$name.items.sbatch")
  ids+=("$id")
done
dependency=afterany$(printf ':%s' "${ids[@]}")
scontrol update JobId="$gather" Dependency="$dependency"
echo "flytec: map $key: $count items in $tasks array tasks ($per each): ${ids[*]}"
)sh";

constexpr std::string_view kItemsScript = R"sh(#!/bin/bash
# Items of map node @KEY@ (@WHAT@) of workflow @WORKFLOW@, built from @SOURCE@.
# One task of the job array the launcher submits: it runs items
# [(FLYTEC_MAP_FIRST_TASK + SLURM_ARRAY_TASK_ID) * FLYTEC_MAP_PER, ... + FLYTEC_MAP_PER)
# one after another; an item already done is not run again.
#
#SBATCH --job-name=@WORKFLOW_NAME@.@NAME@.items
@HEADER@
@RUN_NODE@
: "${FLYTEC_MAP_PER:?submitted by the launcher of the map}"
first=$(((FLYTEC_MAP_FIRST_TASK + SLURM_ARRAY_TASK_ID) * FLYTEC_MAP_PER))
end=$((first + FLYTEC_MAP_PER))
if [[ $end -gt $FLYTEC_MAP_COUNT ]]; then end=$FLYTEC_MAP_COUNT; fi
status=0
for ((item = first; item < end; item++)); do
  run_node @KEY@ --item "$item"
  requeue_if_checkpointed
  if [[ $rc -ne 0 ]]; then status=$rc; fi
done
exit "$status"
)sh";

std::string what(const Job& job) {
  switch (job.kind) {
    case Job::Kind::Task: return "task " + job.label;
    case Job::Kind::Map: return "map, gather of its items";
    case Job::Kind::InProcess: return job.label + ", run in-process";
  }
  return job.label;
}

std::vector<std::pair<std::string_view, std::string>> common(const Job& job,
                                                             const ScriptContext& c) {
  return {{"KEY", job.key},
          {"NAME", job.name},
          {"WHAT", one_line(what(job))},
          {"WORKFLOW", one_line(c.workflow)},
          {"WORKFLOW_NAME", short_name(c.workflow)},
          {"SOURCE", one_line(c.source)},
          {"RUN_NODE", std::string(kRunNode)}};
}

std::string placement(const ClusterOptions& c) {
  std::string out;
  if (!c.partition.empty()) out += "#SBATCH --partition=" + c.partition + "\n";
  if (!c.account.empty()) out += "#SBATCH --account=" + c.account + "\n";
  return out;
}

}  // namespace

std::string node_script(const Job& job, const ScriptContext& c) {
  auto values = common(job, c);
  JobResources r = job.resources;
  if (job.kind == Job::Kind::Map) {
    // The gather reads the items' outputs: a small job.
    r = JobResources{};
  }
  values.emplace_back("HEADER", header(resource_options(r, c.cluster)));
  return fill(kNodeScript, values);
}

std::string launcher_script(const Job& job, const ScriptContext& c) {
  auto values = common(job, c);
  int64_t item_seconds = 0;
  if (std::optional<int64_t> t = time_limit_seconds(job.resources)) item_seconds = *t;
  values.emplace_back("ITEM_SECONDS", std::to_string(item_seconds));
  values.emplace_back("CONCURRENCY", std::to_string(job.concurrency.value_or(0)));
  values.emplace_back("PLACEMENT", placement(c.cluster));
  return fill(kLauncherScript, values);
}

std::string items_script(const Job& job, const ScriptContext& c) {
  auto values = common(job, c);
  JobResources r = job.resources;
  r.timeout_s.reset();  // the launcher sets the limit for the items each task runs
  values.emplace_back("HEADER", header(resource_options(r, c.cluster)));
  return fill(kItemsScript, values);
}

}  // namespace flyte::slurm
