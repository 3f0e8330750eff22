// Lowering: a checked program (AST and semantic results) to the workflow IR.
#pragma once

#include <memory>

#include "frontend/Program.h"
#include "frontend/Sema.h"
#include "ir/Ir.h"

namespace flyte {

/// Lowers `program`, which checked without errors, to one IR module: every task and
/// workflow of every module (imported ones under their qualified names), each call a
/// node, branches and maps with their bodies, arithmetic as expression nodes, `@after`
/// as explicit edges. Takes the semantic results' types.
std::unique_ptr<ir::Module> lower_program(const Program& program, Semantics& sema,
                                          const SourceManager& sm);

}  // namespace flyte
