// The IR's stable, readable text form (`flytec emit --format text`).
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "ir/Ir.h"

namespace flyte::ir {

/// A string in the IR's text form: a C++ string literal (support/CppString.h).
std::string quote(std::string_view s);

/// An expression node's operator as the text form writes it: its spelling (`+`, `not`),
/// and for a struct literal the struct's name too (`struct Point`).
std::string expr_op_text(const TypeTable& types, const Node& n);

/// What the text form shows beyond the module itself.
struct PrintOptions {
  /// Each task node's resolved attributes, on a comment line after it (`; resolved
  /// cpu=4 mem=0 …`). The text form leaves them out: the `resolve-attributes` pass
  /// computes them again when a `.fir` file is compiled. `--print-ir-after` shows them.
  bool resolved_attributes = false;
};

/// Prints `m`: tasks with their policies, workflows as numbered nodes (`%3 = task …`),
/// branches and maps with indented bodies, launches.
void print_module(const Module& m, std::ostream& out, const PrintOptions& options = {});

/// A task node's resolved attributes in one line, such as `cpu=4 mem=0 gpu=0 disk=0
/// retries=3 timeout=3600s`.
std::string attributes_text(const Attributes& a);

}  // namespace flyte::ir
