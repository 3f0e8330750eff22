// Longer explanations of diagnostic codes, for `flytec explain CODE`.
#pragma once

#include <string_view>

#include "ir/diag/Diagnostic.h"

namespace flyte {

/// A few sentences and an example for `code`, such as why E0307 exists and how to fix it.
std::string_view diag_code_explanation(DiagCode code);

}  // namespace flyte
