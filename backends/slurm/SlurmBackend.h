// The Slurm target as a plug-in of the driver's backend registry.
#pragma once

namespace flyte::slurm {

/// Registers the `slurm` backend: `build` writes a folder of sbatch scripts, submit.sh,
/// status.sh, cancel.sh, a README and the compiled executable (bin/wf) whose node mode
/// every job runs.
void register_backend();

}  // namespace flyte::slurm
