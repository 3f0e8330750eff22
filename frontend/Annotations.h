// Annotations (LANGUAGE.md section 4.2), interpreted once from one table: each exists,
// stands where it is allowed, and has arguments of the right kind and range (E0501,
// E0502, E0504, W0004); what valid arguments say is read into AnnotationValues.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "frontend/Ast.h"
#include "ir/Ir.h"
#include "ir/diag/Diagnostic.h"

namespace flyte {

/// Where an annotation stands.
enum class AnnotationPlace { Task, Workflow, Launch, CallBinding, ForBinding, Binding, Type };

/// What a list of annotations says, read from the arguments the checks accept, such as
/// `policy.retries` = 2 from `@retries(2)` or `after` = [a, b] from `@after(a, b)`.
struct AnnotationValues {
  /// `@retries`, `@timeout`, `@interruptible`, `@resources`, `@accelerator`, `@device`.
  ir::Policy policy;
  /// `@cache(version = "v", ignore = [p])`.
  struct Cache {
    std::string version;
    std::vector<std::string> ignore;
  };
  std::optional<Cache> cache;
  std::optional<double> checkpoint_every_s;
  std::string image;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::string> secrets;
  std::optional<int64_t> concurrency;
  std::optional<double> min_success;
  /// The bindings named by `@after`.
  std::vector<const ast::NameExpr*> after;
  std::optional<std::string> failure_policy;
  std::optional<std::string> schedule;
};

/// Checks `annotations` standing at `place` and returns what they say. `task` is the
/// annotated task, for `@cache(ignore = [...])` and W0004.
AnnotationValues check_annotations(const std::vector<ast::Annotation>& annotations,
                                   AnnotationPlace place, const ast::TaskDecl* task,
                                   DiagnosticEngine& diags);

/// What `annotations` say, without reporting anything: the values check_annotations
/// returns for them.
AnnotationValues read_annotations(const std::vector<ast::Annotation>& annotations);

/// True for the accelerator names of section 4.2, such as "nvidia-h100" or the MIG slice
/// "nvidia-a100:1g.5gb".
bool is_known_accelerator(std::string_view name);

}  // namespace flyte
