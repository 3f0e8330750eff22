// Forwards to ir/diag/DiagnosticRender.h, where the diagnostics library now lives.
#pragma once
#include "ir/diag/DiagnosticRender.h"  // IWYU pragma: export
