// The IR's stable, readable text form (`flytec emit --format text`).
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "ir/Ir.h"

namespace flyte::ir {

/// A string in the IR's text form: double quotes, with `"`, `\\` and newlines escaped.
std::string quote(std::string_view s);

/// An expression node's operator as the text form writes it: its spelling (`+`, `not`),
/// and for a struct literal the struct's name too (`struct Point`).
std::string expr_op_text(const TypeTable& types, const Node& n);

/// Prints `m`: tasks with their policies, workflows as numbered nodes (`%3 = task …`),
/// branches and maps with indented bodies, launches.
void print_module(const Module& m, std::ostream& out);

}  // namespace flyte::ir
