// The backends built into flytec.
#include "backends/k8s/K8sBackend.h"
#include "backends/local/LocalBackend.h"
#include "backends/slurm/SlurmBackend.h"
#include "tools/flytec/Commands.h"

namespace flyte::driver {

void register_targets() {
  local::register_backend();
  slurm::register_backend();
  k8s::register_backend();
}

}  // namespace flyte::driver
