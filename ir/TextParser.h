// Reading the IR's text form back (`flytec emit plan.fir --format pb`). The text form
// leaves out source ranges and doc comments; everything else survives text -> IR ->
// text unchanged.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ir/Ir.h"

namespace flyte::ir {

/// Parses the text `print_module` writes. On failure returns null and sets `error` to
/// `line N: what was expected`.
std::unique_ptr<Module> parse_text(std::string_view text, std::string& error);

}  // namespace flyte::ir
