// The checker's shared state: the program, diagnostics and type table, every module's
// declarations, resolved signatures, and the scopes of the workflow being checked.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "frontend/Program.h"
#include "frontend/Sema.h"
#include "frontend/check/NameTable.h"
#include "ir/Types.h"
#include "ir/diag/Diagnostic.h"

namespace flyte::check {

// The checker reads the AST throughout.
using ast::Decl;
using ast::DeclKind;
using ast::Expr;
using ast::ExprKind;

/// The names one module sees: its own declarations, its qualified imports (`import std.ml;`
/// as `ml`) and its selective ones (`import std.ml.{predict};`).
struct ModuleInfo {
  const Module* module = nullptr;
  std::unordered_map<std::string_view, const ast::Decl*> decls;
  std::unordered_map<std::string_view, const Module*> qualifiers;
  std::unordered_map<std::string_view, const ast::Decl*> imported;
};

/// A task's or workflow's interface with resolved types.
struct Signature {
  const ast::Decl* decl = nullptr;
  const std::vector<ast::Param>* params = nullptr;
  std::vector<TypeId> param_types;
  std::vector<FieldType> outputs;  // a single unnamed output is "o"
  bool named_outputs = false;
  bool has_outputs = false;
};

/// A name bound in a workflow: an input, a `let`, or a `for` variable.
struct Binding {
  static constexpr uint32_t kNone = UINT32_MAX;
  std::string_view name;
  TypeId type;
  SourceRange range;
  /// Its slot (ast::kNoSlot); none for an unknown name bound as poisoned.
  uint32_t slot = ast::kNoSlot;
  /// The binding of the same name this one hides (an index in `Context::bindings`),
  /// visible again when this one's scope ends; kNone when there is none.
  uint32_t hides = kNone;
  bool used = false;
  bool is_input = false;
};

/// The name of a binding from its index in `Context::bindings`, for the table of
/// visible names.
struct BindingName {
  const std::vector<Binding>* bindings;
  std::string_view operator()(uint32_t i) const { return (*bindings)[i].name; }
};

/// A name of `import m.{x}`, resolved once every module's declarations are known.
struct PendingSelective {
  const Module* into;
  const Module* from;
  ast::Ident name;
};

/// What every part of the checker reads and extends. The checks are free functions over
/// it, one file per kind of thing checked.
class Context {
 public:
  Context(const Program& program, const SourceManager& sm, DiagnosticEngine& diags, Semantics& sema)
      : program(program), sm(sm), diags(diags), sema(sema), types(sema.types) {}

  /// Reports a diagnostic, such as E0301 at an argument.
  Diagnostic& error(DiagCode code, SourceRange r, std::string message) {
    return diags.report(code, r, std::move(message));
  }
  /// Adds a note at `r`, such as "parameter 'lr' is declared here".
  static void note(Diagnostic& d, std::string message, SourceRange r) {
    d.notes.push_back({std::move(message), r});
  }
  /// Adds "did you mean 'x'?" when one of `names` is close to `name`.
  static void suggest(Diagnostic& d, std::string_view name,
                      const std::vector<std::string_view>& names);
  /// The same, over the keys of a map of names.
  template <class Map>
  static void suggest_key(Diagnostic& d, std::string_view name, const Map& candidates) {
    std::vector<std::string_view> names;
    names.reserve(candidates.size());
    for (const auto& [k, v] : candidates) names.push_back(k);
    suggest(d, name, names);
  }

  /// A type as the user writes it: `List<Tensor<f32, [N, D]>>?`.
  std::string str(TypeId t) const { return types.str(t); }
  /// The type an expression was checked to have; Error when it was not checked.
  TypeId type_of(const ast::Expr* e) const { return sema.type_of(e); }

  const Program& program;
  const SourceManager& sm;
  DiagnosticEngine& diags;
  Semantics& sema;
  TypeTable& types;

  // Modules and declarations.
  std::unordered_map<const Module*, ModuleInfo> infos;
  std::unordered_map<const ast::Decl*, const Module*> decl_module;
  std::vector<PendingSelective> pending_selective;
  /// The module whose names are in scope.
  const ModuleInfo* cur = nullptr;
  std::unordered_map<const ast::Decl*, Signature> sigs;
  std::unordered_map<const ast::Decl*, TypeId> alias_types;
  std::unordered_map<const ast::Decl*, std::vector<FieldType>> struct_fields;
  /// The type of each struct and enum declaration, made on first use, and back.
  TypeId declared_type(const ast::Decl* d);
  const ast::Decl* decl_of(TypeId t) const { return type_decls.at(t.index); }
  std::unordered_map<const ast::Decl*, TypeId> decl_types;
  std::unordered_map<uint32_t, const ast::Decl*> type_decls;
  /// The aliases being resolved, innermost last, to find an alias that names itself.
  std::vector<const ast::AliasDecl*> alias_stack;

  // The workflow being checked. The bindings of the open scopes, outermost first, with
  // where each scope begins, and the innermost binding of each name: one table for the
  // whole workflow, so a name is found with one lookup however deep the scopes nest.
  std::vector<Binding> bindings;
  std::vector<uint32_t> scope_starts;
  NameTable<BindingName> visible{BindingName{&bindings}};
  /// The next slot to give a binding of the workflow (ast::kNoSlot).
  uint32_t next_slot = 0;
  const ast::Decl* current_workflow = nullptr;
  /// The bindings each `let` of the workflow names in its `@after`.
  std::unordered_map<const ast::Stmt*, std::vector<const ast::NameExpr*>> afters;
  /// The task or workflow whose call is being checked, for tensor mismatch messages.
  std::string callee_name;
  /// Each workflow's calls of workflows, for the search for recursion.
  std::unordered_map<const ast::Decl*,
                     std::vector<std::pair<const ast::Decl*, const ast::CallExpr*>>>
      calls;
};

/// What a kind of declaration is called in messages: "struct", "type alias", "task".
const char* kind_name(ast::DeclKind k);

/// Makes `m`'s names the ones in scope until destroyed, to resolve a declaration of
/// another module (an alias's type, a callee's signature).
class InModule {
 public:
  InModule(Context& ctx, const ast::Decl* d) : ctx_(ctx), saved_(ctx.cur) {
    ctx.cur = &ctx.infos[ctx.decl_module[d]];
  }
  ~InModule() { ctx_.cur = saved_; }
  InModule(const InModule&) = delete;
  InModule& operator=(const InModule&) = delete;

 private:
  Context& ctx_;
  const ModuleInfo* saved_;
};

}  // namespace flyte::check
