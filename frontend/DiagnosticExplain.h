// Forwards to ir/diag/DiagnosticExplain.h, where the diagnostics library now lives.
#pragma once
#include "ir/diag/DiagnosticExplain.h"  // IWYU pragma: export
