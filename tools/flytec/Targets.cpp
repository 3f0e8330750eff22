// The backends built into flytec. `slurm` and `k8s` are registered here once they exist.
#include "backends/local/LocalBackend.h"
#include "tools/flytec/Commands.h"

namespace flyte::driver {

void register_targets() { local::register_backend(); }

}  // namespace flyte::driver
