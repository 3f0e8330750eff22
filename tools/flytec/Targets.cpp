// The backends built into flytec: local, and slurm and k8s unless CMake's
// FLYTEC_REMOTE_BACKENDS is OFF.
#include "backends/local/LocalBackend.h"
#include "tools/flytec/Commands.h"
#if FLYTEC_REMOTE_BACKENDS
#include "backends/k8s/K8sBackend.h"
#include "backends/slurm/SlurmBackend.h"
#endif

namespace flyte::driver {

void register_targets() {
  local::register_backend();
#if FLYTEC_REMOTE_BACKENDS
  slurm::register_backend();
  k8s::register_backend();
#endif
}

}  // namespace flyte::driver
