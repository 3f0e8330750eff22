// The IR to and from its protobuf form (ir/flyte_ir.proto), binary and JSON.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ir/Ir.h"

namespace flyte::ir {

/// The version of the plan format (`format_version` in flyte_ir.proto) this flytec writes
/// and reads. Bumped whenever a plan written before would be read differently.
/// 1: source ranges and a file table instead of location strings; struct fields and
/// enum members in the type table.
/// 2: expression operators, runner kinds and failure policies from ir/*.def (a struct
/// literal's operator is `struct`, its struct the node's type); a task's runner as one
/// of three messages (shell, cpp with the file's hash, builtin); task nodes' resolved
/// attributes.
/// 3: constants as structured values (flyte_ir.proto's `Value`) instead of source text.
/// 4: a node's arguments by the index of what they are given for (`Arg`), and each
/// workflow's map literal keys, instead of by name.
/// 5: a tensor task's placement and GPU stage (Attributes.placement and .stage).
inline constexpr uint32_t kPlanFormatVersion = 5;

/// The module as protobuf bytes. Deterministic: the same module gives the same bytes.
std::string to_protobuf(const Module& m);

/// The module as JSON, through protobuf's own JSON mapping.
std::string to_json(const Module& m);

/// Reads protobuf bytes back. On malformed input returns null with `error` set; the
/// result still needs `verify_module` before use.
std::unique_ptr<Module> from_protobuf(std::string_view bytes, std::string& error);

}  // namespace flyte::ir
