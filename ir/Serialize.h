// The IR to and from its protobuf form (ir/flyte_ir.proto), binary and JSON.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ir/Ir.h"

namespace flyte::ir {

/// The module as protobuf bytes. Deterministic: the same module gives the same bytes.
std::string to_protobuf(const Module& m);

/// The module as JSON, through protobuf's own JSON mapping.
std::string to_json(const Module& m);

/// Reads protobuf bytes back. On malformed input returns null with `error` set; the
/// result still needs `verify_module` before use.
std::unique_ptr<Module> from_protobuf(std::string_view bytes, std::string& error);

}  // namespace flyte::ir
