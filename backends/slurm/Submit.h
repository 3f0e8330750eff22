// The scripts a user runs: `submit.sh` (initializes the store with the inputs, submits
// every job held in topological order with its dependencies, releases them all, and with
// --wait polls the queue and prints the outputs), `status.sh` and `cancel.sh`, and the
// README of the build folder.
#pragma once

#include <string>

#include "backends/slurm/Jobs.h"
#include "backends/slurm/Sbatch.h"

namespace flyte::slurm {

std::string submit_script(const JobGraph& g, const ScriptContext& c);
std::string status_script(const JobGraph& g, const ScriptContext& c);
std::string cancel_script(const JobGraph& g, const ScriptContext& c);
std::string readme(const JobGraph& g, const ScriptContext& c);

}  // namespace flyte::slurm
