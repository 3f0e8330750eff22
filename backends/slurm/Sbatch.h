// One job's sbatch script: the header (`#SBATCH` options with their reasons) and a body
// that runs one node through the executable's node mode against the store, forwards
// USR1 to it, and requeues the job when the node checkpointed (exit 75). Maps get three:
// a launcher that submits the items as a job array once the list's length is known, the
// items script the array runs, and the gather (a node script without --item).
#pragma once

#include <string>

#include "backends/slurm/Jobs.h"
#include "backends/slurm/Resources.h"

namespace flyte::slurm {

/// What every script of a build says where it comes from.
struct ScriptContext {
  std::string source;    // the .flyte file, for comments
  std::string workflow;  // the workflow's name
  ClusterOptions cluster;
};

/// The script of a task or in-process job, or of a map's gather: `jobs/<name>.sbatch`.
std::string node_script(const Job& job, const ScriptContext& c);

/// A map's launcher: `jobs/<name>.launch.sbatch`.
std::string launcher_script(const Job& job, const ScriptContext& c);

/// A map's items, run as a job array: `jobs/<name>.items.sbatch`.
std::string items_script(const Job& job, const ScriptContext& c);

}  // namespace flyte::slurm
