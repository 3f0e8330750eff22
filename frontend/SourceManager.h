// Forwards to ir/diag/SourceManager.h, where the diagnostics library now lives.
#pragma once
#include "ir/diag/SourceManager.h"  // IWYU pragma: export
