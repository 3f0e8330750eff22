// The local target as a plug-in of the driver's backend registry.
#pragma once

namespace flyte::local {

/// Registers the `local` backend: `build` writes a native executable, `run` builds one
/// (kept in .flyte/bin by what it is built from) and runs it.
void register_backend();

}  // namespace flyte::local
