// Validation of annotations (LANGUAGE.md section 4.2): each exists, stands where it is
// allowed, and has arguments of the right kind and range (E0501, E0502, E0504, W0004).
#pragma once

#include <vector>

#include "frontend/Ast.h"
#include "frontend/Diagnostic.h"

namespace flyte {

/// Where an annotation stands.
enum class AnnotationPlace { Task, Workflow, Launch, CallBinding, ForBinding, Binding, Type };

/// Checks `annotations` standing at `place`. `task` is the annotated task, for
/// `@cache(ignore = [...])` and W0004.
void check_annotations(const std::vector<ast::Annotation>& annotations, AnnotationPlace place,
                       const ast::TaskDecl* task, DiagnosticEngine& diags);

/// True for the accelerator names of section 4.2, such as "nvidia-h100" or the MIG slice
/// "nvidia-a100:1g.5gb".
bool is_known_accelerator(std::string_view name);

}  // namespace flyte
