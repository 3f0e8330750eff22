// Forwards to ir/diag/Diagnostic.h, where the diagnostics library now lives.
#pragma once
#include "ir/diag/Diagnostic.h"  // IWYU pragma: export
