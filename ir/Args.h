// The names of a node's arguments. A node keeps, for each argument, the index of what it
// is given for (Arg::param); the text form, the graph and the runtime's expressions read
// it by name: the callee's parameter (`lr`), the struct's field (`x`), the map
// literal's key, `lhs` and `rhs` of a binary operator, `x` of `not` and `neg`, a list
// element's position (`0`), `over` of a map node, `message` of a fail node.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "ir/Ir.h"

namespace flyte::ir {

/// The name argument `a` of node `n` (of workflow `w`) is written with, such as `lr`
/// for `train(lr = 0.1)`. Empty when `param` is out of range (the verifier reports it).
std::string arg_name(const Module& m, const Workflow& w, const Node& n, const Arg& a);

/// Whether `a.param` names something `n` takes: a parameter of its callee, a field of its
/// struct, a key of Workflow::keys, an operand it has.
bool arg_known(const Module& m, const Workflow& w, const Node& n, const Arg& a);

/// The `param` of the argument written `name` at `position` among the arguments of
/// `n`, whose kind, callee, operator and (for a struct literal) type are set; none when
/// `name` is not one `n` takes there. A map literal's key is added to `w.keys`.
std::optional<uint32_t> arg_param(const Module& m, Workflow& w, const Node& n, size_t position,
                                  std::string_view name);

}  // namespace flyte::ir
