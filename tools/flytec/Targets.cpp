// The backends built into flytec. `k8s` is registered here once it exists.
#include "backends/local/LocalBackend.h"
#include "backends/slurm/SlurmBackend.h"
#include "tools/flytec/Commands.h"

namespace flyte::driver {

void register_targets() {
  local::register_backend();
  slurm::register_backend();
}

}  // namespace flyte::driver
