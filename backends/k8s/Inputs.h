// Workflow inputs as Argo parameters: the text a value has as an executable's input flag
// (`3`, `0.5`, `/data/x.csv`, `90s`, JSON for lists, maps and structs), so that the init
// step hands `--NAME={{workflow.parameters.NAME}}` to `wf --init` unchanged.
#pragma once

#include <string>

#include "ir/Value.h"

namespace flyte::k8s {

/// The flag text of `v`.
std::string flag_text(const ir::Value& v);

}  // namespace flyte::k8s
