// Forwards to ir/diag/Verify.h, where the diagnostics library now lives.
#pragma once
#include "ir/diag/Verify.h"  // IWYU pragma: export
