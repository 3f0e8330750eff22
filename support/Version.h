// The compiler's version string, shown by `flytec --version` and in SARIF logs.
#pragma once

namespace flyte {
inline constexpr const char* kFlytecVersion = "0.1.0";
}
