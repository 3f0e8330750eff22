// Name resolution and type checking. One Checker walks the whole program: it first
// collects every module's declarations, then resolves types and signatures, then
// checks workflow bodies and launches.
#include "frontend/Sema.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "frontend/Annotations.h"
#include "frontend/Suggest.h"
#include "support/ShellCommand.h"

namespace flyte {
namespace {

using ast::Decl;
using ast::DeclKind;
using ast::Expr;
using ast::ExprKind;

struct ModuleInfo {
  const Module* module = nullptr;
  std::unordered_map<std::string_view, const Decl*> decls;
  std::unordered_map<std::string_view, const Module*> qualifiers;
  std::unordered_map<std::string_view, const Decl*> imported;  // `import m.{x}`
};

/// A task's or workflow's interface with resolved types.
struct Signature {
  const Decl* decl = nullptr;
  const std::vector<ast::Param>* params = nullptr;
  std::vector<TypeId> param_types;
  std::vector<FieldType> outputs;  // a single unnamed output is "o"
  bool named_outputs = false;
  bool has_outputs = false;
};

/// Per-call bindings of a callee's dimension, shape and dtype variables.
struct Bindings {
  struct Dim {
    int64_t value;
    std::string from;
  };
  std::unordered_map<std::string, Dim> dims;
  std::unordered_map<std::string, std::pair<std::vector<DimSpec>, std::string>> shapes;
  std::unordered_map<std::string, std::pair<std::string, std::string>> dtypes;
};

struct Binding {
  TypeId type;
  SourceRange range;
  bool used = false;
  bool is_input = false;
};

const std::vector<ast::Param>* params_of(const Decl* d) {
  if (d->kind == DeclKind::Task) return &static_cast<const ast::TaskDecl*>(d)->params;
  if (d->kind == DeclKind::Workflow) return &static_cast<const ast::WorkflowDecl*>(d)->params;
  return nullptr;
}

const std::optional<ast::Outputs>* outputs_of(const Decl* d) {
  if (d->kind == DeclKind::Task) return &static_cast<const ast::TaskDecl*>(d)->outputs;
  if (d->kind == DeclKind::Workflow) return &static_cast<const ast::WorkflowDecl*>(d)->outputs;
  return nullptr;
}

const char* kind_name(DeclKind k) {
  switch (k) {
    case DeclKind::Struct: return "struct";
    case DeclKind::Enum: return "enum";
    case DeclKind::Alias: return "type alias";
    case DeclKind::Task: return "task";
    case DeclKind::Workflow: return "workflow";
    case DeclKind::Launch: return "launch";
  }
  return "declaration";
}

class Checker {
 public:
  Checker(const Program& program, const SourceManager& sm, DiagnosticEngine& diags, Semantics& sema)
      : program_(program), sm_(sm), diags_(diags), sema_(sema), types_(sema.types) {}

  void run() {
    for (const auto& m : program_.modules) collect(*m);
    resolve_selective();
    // Struct fields first: parameter defaults may be struct values of structs declared
    // further down, or in another module.
    for (int pass = 0; pass < 2; ++pass) {
      for (const auto& m : program_.modules) {
        cur_ = &infos_[m.get()];
        for (const Decl* d : m->ast->decls) {
          if ((d->kind == DeclKind::Struct) == (pass == 0)) declare(d);
        }
      }
    }
    for (const auto& m : program_.modules) {
      cur_ = &infos_[m.get()];
      for (const Decl* d : m->ast->decls) {
        if (diags_.limit_reached()) return;  // nothing more would be reported
        if (d->kind == DeclKind::Workflow) check_workflow(static_cast<const ast::WorkflowDecl*>(d));
        if (d->kind == DeclKind::Launch) check_launch(static_cast<const ast::LaunchDecl*>(d));
      }
    }
    check_recursion();
  }

 private:
  // ------------------------------------------------------------------ diagnostics

  Diagnostic& error(DiagCode code, SourceRange r, std::string message) {
    return diags_.report(code, r, std::move(message));
  }

  static void note(Diagnostic& d, std::string message, SourceRange r) {
    d.notes.push_back({std::move(message), r});
  }

  std::string str(TypeId t) const { return types_.str(t); }

  // ------------------------------------------------------------------ collection

  void collect(const Module& m) {
    ModuleInfo& info = infos_[&m];
    info.module = &m;
    for (const Decl* d : m.ast->decls) {
      decl_module_[d] = &m;
      sema_.modules[d] = &m;
      if (d->name.name.empty()) continue;
      auto [it, inserted] = info.decls.emplace(d->name.name, d);
      if (!inserted) {
        Diagnostic& diag = error(DiagCode::E0105, d->name.range,
                                 fmt::format("'{}' is defined twice", d->name.name));
        note(diag, fmt::format("first definition of '{}' is here", d->name.name),
             it->second->name.range);
      }
    }
    for (const ResolvedImport& imp : m.imports) {
      if (imp.module == nullptr) continue;
      const ast::Import& syn = *imp.syntax;
      if (syn.selective) {
        for (const ast::Ident& n : syn.names) pending_selective_.push_back({&m, imp.module, n});
      } else {
        std::string_view q = syn.alias ? syn.alias->name : syn.path.parts.back().name;
        info.qualifiers[q] = imp.module;
      }
    }
  }

  // Selective imports (`import m.{x}`), once every module's declarations are known.

  void resolve_selective() {
    for (const auto& p : pending_selective_) {
      const ModuleInfo& from = infos_[p.from];
      auto it = from.decls.find(p.name.name);
      if (it == from.decls.end()) {
        Diagnostic& d =
            error(DiagCode::E0103, p.name.range,
                  fmt::format("module '{}' has no declaration '{}'", p.from->name, p.name.name));
        suggest(d, p.name.name, from.decls);
        continue;
      }
      infos_[p.into].imported[p.name.name] = it->second;
    }
  }

  template <class Map>
  void suggest(Diagnostic& d, std::string_view name, const Map& candidates) {
    std::vector<std::string_view> names;
    names.reserve(candidates.size());
    for (const auto& [k, v] : candidates) names.push_back(k);
    if (auto s = closest_name(name, names)) {
      d.notes.push_back({fmt::format("did you mean '{}'?", *s), std::nullopt});
    }
  }

  // ------------------------------------------------------------------ lookup

  // A declaration by (qualified) name from the current module; null when absent.
  const Decl* lookup(const ast::QualName& q, bool& reported, DiagCode code, const char* what) {
    reported = false;
    if (q.parts.empty() || q.parts.back().name.empty()) {
      reported = true;
      return nullptr;
    }
    if (q.parts.size() == 1) {
      std::string_view n = q.parts[0].name;
      if (auto it = cur_->decls.find(n); it != cur_->decls.end()) return it->second;
      if (auto it = cur_->imported.find(n); it != cur_->imported.end()) return it->second;
      return nullptr;
    }
    if (q.parts.size() == 2) {
      auto qit = cur_->qualifiers.find(q.parts[0].name);
      if (qit == cur_->qualifiers.end()) {
        Diagnostic& d = error(code, q.parts[0].range,
                              fmt::format("unknown module '{}' in '{}'", q.parts[0].name, q.str()));
        suggest(d, q.parts[0].name, cur_->qualifiers);
        reported = true;
        return nullptr;
      }
      const ModuleInfo& m = infos_[qit->second];
      if (auto it = m.decls.find(q.parts[1].name); it != m.decls.end()) return it->second;
      Diagnostic& d = error(
          code, q.range,
          fmt::format("module '{}' has no {} '{}'", qit->second->name, what, q.parts[1].name));
      suggest(d, q.parts[1].name, m.decls);
      reported = true;
      return nullptr;
    }
    error(code, q.range, fmt::format("'{}' is not a {}", q.str(), what));
    reported = true;
    return nullptr;
  }

  // Names visible unqualified in the current module, for "did you mean".
  std::vector<std::string_view> visible_names(bool callables) const {
    std::vector<std::string_view> out;
    auto want = [&](const Decl* d) {
      bool callable = d->kind == DeclKind::Task || d->kind == DeclKind::Workflow;
      return callables == callable;
    };
    for (const auto& [k, d] : cur_->decls) {
      if (want(d)) out.push_back(k);
    }
    for (const auto& [k, d] : cur_->imported) {
      if (want(d)) out.push_back(k);
    }
    return out;
  }

  // ------------------------------------------------------------------ types

  TypeId resolve_type(const ast::TypeExpr* t) {
    if (t == nullptr || t->name.parts.empty()) return types_.error();
    TypeId base = resolve_base(t);
    return t->optional ? types_.optional(base) : base;
  }

  TypeId type_arg(const ast::TypeExpr* t, size_t i, std::string_view what) {
    if (i >= t->args.size()) return types_.error();
    const ast::TypeArg& a = t->args[i];
    if (a.type == nullptr) {
      error(DiagCode::E0102, a.range, fmt::format("expected a type in {}, found a shape", what));
      return types_.error();
    }
    return resolve_type(a.type);
  }

  bool arity(const ast::TypeExpr* t, size_t n, std::string_view name, std::string_view form) {
    if (t->has_args && t->args.size() == n) return true;
    error(DiagCode::E0102, t->range,
          fmt::format("'{}' takes {} type argument{}: {}", name, n, n == 1 ? "" : "s", form));
    return false;
  }

  TypeId resolve_base(const ast::TypeExpr* t) {
    std::string_view n = t->name.parts.size() == 1 ? t->name.parts[0].name : "";
    static const std::pair<std::string_view, TypeId (TypeTable::*)() const> kScalars[] = {
        {"int", &TypeTable::int_},          {"float", &TypeTable::float_},
        {"bool", &TypeTable::bool_},        {"string", &TypeTable::string},
        {"duration", &TypeTable::duration}, {"size", &TypeTable::size},
        {"File", &TypeTable::file},         {"Dir", &TypeTable::dir}};
    for (const auto& [name, fn] : kScalars) {
      if (n != name) continue;
      if (t->has_args) {
        error(DiagCode::E0102, t->range, fmt::format("'{}' takes no type arguments", name));
        return types_.error();
      }
      return (types_.*fn)();
    }
    if (n == "List") {
      if (!arity(t, 1, "List", "List<T>")) return types_.error();
      TypeId e = type_arg(t, 0, "List<…>");
      return types_.kind(e) == TypeKind::Error ? e : types_.list(e);
    }
    if (n == "Map") {
      if (!arity(t, 2, "Map", "Map<string, T>")) return types_.error();
      TypeId k = type_arg(t, 0, "Map<…>");
      TypeId v = type_arg(t, 1, "Map<…>");
      if (types_.kind(k) != TypeKind::String && types_.kind(k) != TypeKind::Error) {
        error(DiagCode::E0102, t->args[0].range,
              fmt::format("map keys must be 'string', found '{}'", str(k)));
        return types_.error();
      }
      if (types_.kind(v) == TypeKind::Error || types_.kind(k) == TypeKind::Error) return v;
      return types_.map(v);
    }
    if (n == "Tensor") return resolve_tensor(t);
    bool reported = false;
    const Decl* d = lookup(t->name, reported, DiagCode::E0102, "type");
    if (d == nullptr) {
      if (!reported) {
        Diagnostic& diag =
            error(DiagCode::E0102, t->name.range, fmt::format("unknown type '{}'", t->name.str()));
        std::vector<std::string_view> names = visible_names(false);
        for (std::string_view b : {"int", "float", "bool", "string", "duration", "size", "File",
                                   "Dir", "List", "Map", "Tensor"}) {
          names.push_back(b);
        }
        if (auto s = closest_name(n, names)) {
          diag.notes.push_back({fmt::format("did you mean '{}'?", *s), std::nullopt});
        }
      }
      return types_.error();
    }
    if (t->has_args) {
      error(DiagCode::E0102, t->range, fmt::format("'{}' takes no type arguments", t->name.str()));
      return types_.error();
    }
    switch (d->kind) {
      case DeclKind::Struct: return types_.named(TypeKind::Struct, std::string(d->name.name), d);
      case DeclKind::Enum: return types_.named(TypeKind::Enum, std::string(d->name.name), d);
      case DeclKind::Alias: return alias_type(static_cast<const ast::AliasDecl*>(d));
      default: {
        Diagnostic& diag =
            error(DiagCode::E0102, t->name.range,
                  fmt::format("'{}' is a {}, not a type", t->name.str(), kind_name(d->kind)));
        note(diag, fmt::format("'{}' is declared here", d->name.name), d->name.range);
        return types_.error();
      }
    }
  }

  TypeId alias_type(const ast::AliasDecl* a) {
    if (auto it = alias_types_.find(a); it != alias_types_.end()) return it->second;
    if (std::find(alias_stack_.begin(), alias_stack_.end(), a) != alias_stack_.end()) {
      error(DiagCode::E0102, a->name.range,
            fmt::format("type alias '{}' refers to itself", a->name.name));
      alias_types_[a] = types_.error();
      return types_.error();
    }
    alias_stack_.push_back(a);
    const ModuleInfo* saved = cur_;
    cur_ = &infos_[decl_module_[a]];
    TypeId t = resolve_type(a->type);
    cur_ = saved;
    alias_stack_.pop_back();
    alias_types_[a] = t;
    return t;
  }

  TypeId resolve_tensor(const ast::TypeExpr* t) {
    if (!t->has_args || t->args.empty() || t->args.size() > 2) {
      error(DiagCode::E0102, t->range,
            "'Tensor' takes a dtype and an optional shape: Tensor<f32, [N, D]>");
      return types_.error();
    }
    TensorSpec spec;
    const ast::TypeArg& dt = t->args[0];
    if (dt.type == nullptr || dt.type->name.parts.size() != 1 || dt.type->has_args ||
        dt.type->optional) {
      error(DiagCode::E0102, dt.range,
            "expected a dtype (f16, bf16, f32, f64, i8, i32, i64, u8, bool) or a dtype variable");
      return types_.error();
    }
    spec.dtype = std::string(dt.type->name.parts[0].name);
    spec.dtype_is_var = !TypeTable::is_dtype(spec.dtype);
    if (t->args.size() == 2) {
      const ast::TypeArg& sh = t->args[1];
      if (sh.type != nullptr) {
        if (sh.type->name.parts.size() != 1 || sh.type->has_args || sh.type->optional) {
          error(DiagCode::E0102, sh.range, "expected a shape such as [N, D] or a shape variable");
          return types_.error();
        }
        spec.shape = TensorSpec::Shape::Var;
        spec.shape_var = std::string(sh.type->name.parts[0].name);
      } else {
        spec.shape = TensorSpec::Shape::Dims;
        for (const ast::Dim& d : sh.shape) {
          DimSpec ds;
          if (d.kind == ast::Dim::Kind::Literal) {
            ds.kind = DimSpec::Kind::Literal;
            ds.value = d.value;
          } else if (d.kind == ast::Dim::Kind::Var) {
            ds.kind = DimSpec::Kind::Var;
            ds.var = std::string(d.name);
          }
          spec.dims.push_back(ds);
        }
      }
    }
    return types_.tensor(std::move(spec));
  }

  // ------------------------------------------------------------------ declarations

  void declare(const Decl* d) {
    AnnotationPlace place = d->kind == DeclKind::Task       ? AnnotationPlace::Task
                            : d->kind == DeclKind::Workflow ? AnnotationPlace::Workflow
                            : d->kind == DeclKind::Launch   ? AnnotationPlace::Launch
                                                            : AnnotationPlace::Type;
    const auto* task = d->kind == DeclKind::Task ? static_cast<const ast::TaskDecl*>(d) : nullptr;
    check_annotations(d->annotations, place, task, diags_);
    if (task != nullptr) check_runner(task);
    switch (d->kind) {
      case DeclKind::Struct: {
        auto* s = static_cast<const ast::StructDecl*>(d);
        std::vector<FieldType> fields;
        std::unordered_map<std::string_view, SourceRange> seen;
        for (const ast::Field& f : s->fields) {
          duplicate(seen, f.name, "field");
          fields.push_back({std::string(f.name.name), resolve_type(f.type)});
        }
        // The IR keeps the fields too: the runtime checks struct values against them.
        types_.define_struct(types_.named(TypeKind::Struct, std::string(d->name.name), d), fields);
        struct_fields_[d] = std::move(fields);
        break;
      }
      case DeclKind::Enum: {
        std::unordered_map<std::string_view, SourceRange> seen;
        std::vector<std::string> members;
        for (const ast::Ident& m : static_cast<const ast::EnumDecl*>(d)->members) {
          duplicate(seen, m, "member");
          members.emplace_back(m.name);
        }
        types_.define_enum(types_.named(TypeKind::Enum, std::string(d->name.name), d),
                           std::move(members));
        break;
      }
      case DeclKind::Alias: alias_type(static_cast<const ast::AliasDecl*>(d)); break;
      case DeclKind::Task:
      case DeclKind::Workflow: signature(d); break;
      case DeclKind::Launch: break;
    }
  }

  // Runners: `builtin` only in the standard library; shell placeholders name inputs or
  // outputs (E0601), and every output is written by the command (W0003).
  void check_runner(const ast::TaskDecl* t) {
    const ast::Runner& r = t->runner;
    const Module* m = decl_module_[t];
    if (r.kind == ast::RunnerKind::Builtin && !m->is_stdlib && m->name.rfind("std.", 0) != 0) {
      error(DiagCode::E0501, r.range,
            "'builtin(...)' runners are reserved for the standard library; use shell or cpp");
    }
    if (r.kind != ast::RunnerKind::Shell || r.args.size() != 1) return;
    const ast::StringLit* cmd = r.args[0];
    if (cmd->malformed) return;  // reported (E0002); its placeholders are unknown
    std::vector<ShellTemplateError> errors;
    std::vector<ShellPiece> pieces = split_shell_command(cmd->value, errors);
    std::string_view source =
        sm_.text(cmd->range.file).substr(cmd->range.begin, cmd->range.end - cmd->range.begin);
    // The decoded command may differ from the source (escapes, dedent): find each piece in
    // the literal's source text, in order, to point at it.
    size_t search_from = 0;
    auto locate = [&](std::string_view needle) -> SourceRange {
      size_t at = source.find(needle, search_from);
      if (at == std::string_view::npos) return cmd->range;
      search_from = at + needle.size();
      return {cmd->range.file, cmd->range.begin + static_cast<uint32_t>(at),
              cmd->range.begin + static_cast<uint32_t>(at + needle.size())};
    };
    // A stray brace is found the same way: by the decoded text that follows it.
    size_t stray_from = 0;
    for (const ShellTemplateError& err : errors) {
      std::string_view after = std::string_view(cmd->value).substr(err.offset, 24);
      after = after.substr(0, after.find('\n'));
      size_t at = source.find(after, stray_from);
      SourceRange where = cmd->range;
      if (!after.empty() && at != std::string_view::npos) {
        stray_from = at + 1;
        where = {cmd->range.file, cmd->range.begin + static_cast<uint32_t>(at),
                 cmd->range.begin + static_cast<uint32_t>(at + 1)};
      }
      error(DiagCode::E0601, where, err.message);
    }
    std::vector<std::string_view> names;
    for (const ast::Param& p : t->params) names.push_back(p.name.name);
    if (t->outputs) {
      if (t->outputs->named) {
        for (const ast::Field& f : t->outputs->fields) names.push_back(f.name.name);
      } else {
        names.push_back("o");
      }
    }
    std::unordered_map<std::string, bool> mentioned;
    for (const ShellPiece& p : pieces) {
      if (!p.placeholder) continue;
      SourceRange at = locate("{" + p.text + "}");
      mentioned[p.text] = true;
      if (std::find(names.begin(), names.end(), p.text) != names.end()) continue;
      Diagnostic& d =
          error(DiagCode::E0601, at,
                fmt::format("placeholder '{{{}}}' names no input or output of task '{}'", p.text,
                            t->name.name));
      if (auto sug = closest_name(p.text, names)) {
        d.notes.push_back({fmt::format("did you mean '{{{}}}'?", *sug), std::nullopt});
      }
    }
    if (!t->outputs) return;
    auto warn = [&](std::string_view name, SourceRange at) {
      if (mentioned.count(std::string(name)) != 0) return;
      error(DiagCode::W0003, at,
            fmt::format("the shell command of task '{}' never mentions output '{{{}}}', so "
                        "nothing writes it",
                        t->name.name, name));
    };
    if (t->outputs->named) {
      for (const ast::Field& f : t->outputs->fields) warn(f.name.name, f.name.range);
    } else {
      warn("o", t->outputs->range);
    }
  }

  void duplicate(std::unordered_map<std::string_view, SourceRange>& seen, const ast::Ident& id,
                 const char* what) {
    if (id.name.empty()) return;
    auto [it, inserted] = seen.emplace(id.name, id.range);
    if (inserted) return;
    Diagnostic& d =
        error(DiagCode::E0105, id.range, fmt::format("{} '{}' is defined twice", what, id.name));
    note(d, fmt::format("first definition of '{}' is here", id.name), it->second);
  }

  const Signature& signature(const Decl* d) {
    if (auto it = sigs_.find(d); it != sigs_.end()) return it->second;
    Signature& sig = sigs_[d];
    sig.decl = d;
    sig.params = params_of(d);
    const ModuleInfo* saved = cur_;
    cur_ = &infos_[decl_module_[d]];
    std::unordered_map<std::string_view, SourceRange> seen;
    for (const ast::Param& p : *sig.params) {
      duplicate(seen, p.name, "parameter");
      TypeId t = resolve_type(p.type);
      sig.param_types.push_back(t);
      if (p.default_value != nullptr) check_default(p, t);
    }
    const auto& outs = *outputs_of(d);
    if (outs) {
      sig.has_outputs = true;
      sig.named_outputs = outs->named;
      if (outs->named) {
        std::unordered_map<std::string_view, SourceRange> seen_out;
        for (const ast::Field& f : outs->fields) {
          duplicate(seen_out, f.name, "output");
          sig.outputs.push_back({std::string(f.name.name), resolve_type(f.type)});
        }
      } else {
        sig.outputs.push_back({"o", resolve_type(outs->single)});
      }
    }
    cur_ = saved;
    sema_.param_types[d] = sig.param_types;
    sema_.outputs[d] = sig.outputs;
    return sig;
  }

  void check_default(const ast::Param& p, TypeId t) {
    if (!ast::is_constant(p.default_value)) {
      error(DiagCode::E0502, p.default_value->range,
            fmt::format("the default of '{}' must be a constant: a literal, or a list, map or "
                        "struct value of literals",
                        p.name.name));
      return;
    }
    scopes_.clear();
    scopes_.emplace_back();
    expect(p.default_value, t, [&](Diagnostic& d) {
      note(d, fmt::format("parameter '{}' is declared here", p.name.name), p.name.range);
    });
    scopes_.clear();
  }

  // ------------------------------------------------------------------ conversions

  // Whether a value of type `from`, written as `e`, may stand where `to` is expected
  // (LANGUAGE.md section 3, "Conversions"). `b` collects a callee's tensor variables.
  bool convertible(const Expr* e, TypeId from, TypeId to, Bindings* b, std::string_view arg) {
    if (from == to) return true;
    TypeKind fk = types_.kind(from);
    TypeKind tk = types_.kind(to);
    if (fk == TypeKind::Error || tk == TypeKind::Error || fk == TypeKind::Never) return true;
    if (tk == TypeKind::Optional) {
      if (fk == TypeKind::None) return true;
      if (fk == TypeKind::Optional)
        return convertible(e, types_.get(from).elem, types_.get(to).elem, b, arg);
      return convertible(e, from, types_.get(to).elem, b, arg);
    }
    ExprKind ek = e != nullptr ? e->kind : ExprKind::Error;
    if (tk == TypeKind::Float && fk == TypeKind::Int && ek == ExprKind::Int) return true;
    if ((tk == TypeKind::File || tk == TypeKind::Dir) && fk == TypeKind::String &&
        ek == ExprKind::String) {
      return true;
    }
    if (tk == TypeKind::Enum && fk == TypeKind::String && ek == ExprKind::String) return true;
    if (tk == TypeKind::List && fk == TypeKind::List) {
      TypeId te = types_.get(to).elem;
      if (types_.kind(types_.get(from).elem) == TypeKind::Never) return true;  // `[]`
      if (ek == ExprKind::List) {
        for (const Expr* x : static_cast<const ast::ListExpr*>(e)->elements) {
          if (!convertible(x, type_of(x), te, b, arg)) return false;
        }
        return true;
      }
      return convertible(nullptr, types_.get(from).elem, te, b, arg);
    }
    if (tk == TypeKind::Map && fk == TypeKind::Map) {
      TypeId tv = types_.get(to).elem;
      if (types_.kind(types_.get(from).elem) == TypeKind::Never) return true;  // `{}`
      if (ek == ExprKind::Map) {
        for (const auto& m : static_cast<const ast::MapExpr*>(e)->entries) {
          if (!convertible(m.value, type_of(m.value), tv, b, arg)) return false;
        }
        return true;
      }
      return convertible(nullptr, types_.get(from).elem, tv, b, arg);
    }
    if (tk == TypeKind::Tensor && fk == TypeKind::Tensor) {
      return unify_tensor(types_.get(to).tensor, types_.get(from).tensor, b, arg,
                          e != nullptr ? e->range : SourceRange{});
    }
    return false;
  }

  // Unifies a parameter's tensor type (`want`, whose variables bind in `b`) with an
  // argument's (`got`, whose variables are bound at run time and match anything).
  // Reports E0302/E0303 itself and then answers true, so that the caller does not
  // report a second, vaguer mismatch.
  bool unify_tensor(const TensorSpec& want, const TensorSpec& got, Bindings* b,
                    std::string_view arg, SourceRange at) {
    std::string from = arg.empty() ? std::string("the value") : fmt::format("argument '{}'", arg);
    if (!got.dtype_is_var) {
      if (!want.dtype_is_var) {
        if (want.dtype != got.dtype) {
          error(DiagCode::E0303, at,
                fmt::format("tensor dtype mismatch: expected '{}', found '{}'", want.dtype,
                            got.dtype));
          return true;
        }
      } else if (b != nullptr) {
        auto [it, inserted] = b->dtypes.emplace(want.dtype, std::make_pair(got.dtype, from));
        if (!inserted && it->second.first != got.dtype) {
          error(DiagCode::E0303, at,
                fmt::format("dtype {} of '{}': {} from {}, {} from {}", want.dtype, callee_name_,
                            it->second.first, it->second.second, got.dtype, from));
          return true;
        }
      }
    }
    if (want.shape == TensorSpec::Shape::AnyRank || got.shape != TensorSpec::Shape::Dims)
      return true;
    if (want.shape == TensorSpec::Shape::Var) {
      if (b == nullptr) return true;
      auto [it, inserted] = b->shapes.emplace(want.shape_var, std::make_pair(got.dims, from));
      if (!inserted) {
        TensorSpec bound;
        bound.shape = TensorSpec::Shape::Dims;
        bound.dims = it->second.first;
        bound.dtype = got.dtype;
        bound.dtype_is_var = true;
        return unify_dims(bound, got, nullptr, from, at, want.shape_var, it->second.second);
      }
      return true;
    }
    return unify_dims(want, got, b, from, at, "", "");
  }

  bool unify_dims(const TensorSpec& want, const TensorSpec& got, Bindings* b,
                  const std::string& from, SourceRange at, const std::string& shape_var,
                  const std::string& shape_from) {
    if (want.dims.size() != got.dims.size()) {
      std::string what = shape_var.empty()
                             ? fmt::format("expected rank {}", want.dims.size())
                             : fmt::format("shape {} of '{}' has rank {} from {}", shape_var,
                                           callee_name_, want.dims.size(), shape_from);
      error(DiagCode::E0302, at,
            fmt::format("tensor rank mismatch: {}, found rank {} in {}", what, got.dims.size(),
                        from));
      return true;
    }
    for (size_t i = 0; i < want.dims.size(); ++i) {
      const DimSpec& w = want.dims[i];
      const DimSpec& g = got.dims[i];
      if (g.kind != DimSpec::Kind::Literal) continue;  // bound at run time
      if (w.kind == DimSpec::Kind::Literal && w.value != g.value) {
        std::string name = shape_var.empty()
                               ? fmt::format("dimension {}", i)
                               : fmt::format("dimension {} of shape {}", i, shape_var);
        error(DiagCode::E0302, at,
              fmt::format("{} of '{}': {}{}, {} from {}", name, callee_name_, w.value,
                          shape_var.empty() ? " declared" : " from " + shape_from, g.value, from));
        return true;
      }
      if (w.kind == DimSpec::Kind::Var && b != nullptr) {
        auto [it, inserted] = b->dims.emplace(w.var, Bindings::Dim{g.value, from});
        if (!inserted && it->second.value != g.value) {
          error(DiagCode::E0302, at,
                fmt::format("dimension {} of '{}': {} from {}, {} from {}", w.var, callee_name_,
                            it->second.value, it->second.from, g.value, from));
          return true;
        }
      }
    }
    return true;
  }

  // A callee's output type with its variables replaced by this call's bindings;
  // variables no argument bound become unknown (checked at run time).
  TypeId substitute(TypeId t, const Bindings& b) {
    const TypeData& d = types_.get(t);
    switch (d.kind) {
      case TypeKind::List: return types_.list(substitute(d.elem, b));
      case TypeKind::Map: return types_.map(substitute(d.elem, b));
      case TypeKind::Optional: return types_.optional(substitute(d.elem, b));
      case TypeKind::Tensor: {
        TensorSpec s = d.tensor;
        if (s.dtype_is_var) {
          auto it = b.dtypes.find(s.dtype);
          if (it != b.dtypes.end()) {
            s.dtype = it->second.first;
            s.dtype_is_var = false;
          }
        }
        if (s.shape == TensorSpec::Shape::Var) {
          auto it = b.shapes.find(s.shape_var);
          if (it != b.shapes.end()) {
            s.shape = TensorSpec::Shape::Dims;
            s.dims = it->second.first;
            s.shape_var.clear();
          }
        }
        for (DimSpec& dim : s.dims) {
          if (dim.kind != DimSpec::Kind::Var) continue;
          auto it = b.dims.find(dim.var);
          if (it != b.dims.end()) {
            dim.kind = DimSpec::Kind::Literal;
            dim.value = it->second.value;
            dim.var.clear();
          }
        }
        return types_.tensor(std::move(s));
      }
      default: return t;
    }
  }

  // Checks `e` against `expected`; reports E0301/E0307 with notes from `add_notes`.
  TypeId expect(const Expr* e, TypeId expected, const std::function<void(Diagnostic&)>& add_notes,
                Bindings* b = nullptr, std::string_view arg = {}) {
    TypeId t = check(e, expected);
    if (convertible(e, t, expected, b, arg)) {
      check_enum_member(e, expected);
      return t;
    }
    TypeKind fk = types_.kind(t);
    TypeKind tk = types_.kind(expected);
    Diagnostic* d;
    if (fk == TypeKind::Optional &&
        convertible(nullptr, types_.get(t).elem, expected, nullptr, arg)) {
      d = &error(
          DiagCode::E0307, e->range,
          fmt::format("optional value of type '{}' where '{}' is required", str(t), str(expected)));
    } else if (fk == TypeKind::None && tk != TypeKind::Optional) {
      d = &error(DiagCode::E0307, e->range,
                 fmt::format("'none' where a value of type '{}' is required", str(expected)));
    } else {
      d = &error(DiagCode::E0301, e->range,
                 fmt::format("type mismatch: expected '{}', found '{}'", str(expected), str(t)));
    }
    add_notes(*d);
    return types_.error();
  }

  // A string literal where an enum is expected must name one of its members.
  void check_enum_member(const Expr* e, TypeId expected) {
    TypeId t = expected;
    if (types_.kind(t) == TypeKind::Optional) t = types_.get(t).elem;
    if (types_.kind(t) != TypeKind::Enum || e->kind != ExprKind::String) return;
    auto* en = static_cast<const ast::EnumDecl*>(types_.get(t).key);
    const std::string& v = static_cast<const ast::StringLit*>(e)->value;
    for (const ast::Ident& m : en->members) {
      if (m.name == v) return;
    }
    std::vector<std::string_view> names;
    for (const ast::Ident& m : en->members) names.push_back(m.name);
    Diagnostic& d = error(DiagCode::E0301, e->range,
                          fmt::format("'{}' is not a member of enum '{}'", v, en->name.name));
    if (auto s = closest_name(v, names)) {
      d.notes.push_back({fmt::format("did you mean '{}'?", *s), std::nullopt});
    }
  }

  // ------------------------------------------------------------------ workflows

  std::vector<std::unordered_map<std::string_view, Binding>> scopes_;
  const Signature* current_sig_ = nullptr;
  std::string callee_name_;

  Binding* find(std::string_view name) {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      auto f = it->find(name);
      if (f != it->end()) return &f->second;
    }
    return nullptr;
  }

  void bind(const ast::Ident& id, TypeId t, bool is_input) {
    if (id.name.empty()) return;
    auto& scope = scopes_.back();
    auto [it, inserted] = scope.emplace(id.name, Binding{t, id.range, false, is_input});
    if (!inserted) {
      Diagnostic& d = error(DiagCode::E0105, id.range,
                            fmt::format("'{}' is already bound in this scope", id.name));
      note(d, fmt::format("first binding of '{}' is here", id.name), it->second.range);
    }
  }

  void pop_scope() {
    for (const auto& [name, b] : scopes_.back()) {
      if (b.used || name.empty() || name[0] == '_') continue;
      if (b.is_input) {
        error(DiagCode::W0002, b.range, fmt::format("workflow input '{}' is never used", name));
      } else {
        error(DiagCode::W0001, b.range,
              fmt::format("'{}' is never used (the node still runs)", name));
      }
    }
    scopes_.pop_back();
  }

  void check_workflow(const ast::WorkflowDecl* w) {
    const Signature& sig = signature(w);
    current_sig_ = &sig;
    current_workflow_ = w;
    scopes_.clear();
    scopes_.emplace_back();
    for (size_t i = 0; i < w->params.size(); ++i) bind(w->params[i].name, sig.param_types[i], true);
    scopes_.emplace_back();
    scopes_.back().reserve(w->body.size());
    sema_.expr_types.reserve(sema_.expr_types.size() + w->body.size() * 4);
    const ast::Stmt* ret = nullptr;
    for (const ast::Stmt* s : w->body) {
      if (s->kind == ast::Stmt::Kind::Let) {
        let(s);
        continue;
      }
      if (ret != nullptr) {
        Diagnostic& d = error(DiagCode::E0401, s->range, "a workflow returns once");
        note(d, "the first 'return' is here", ret->range);
        continue;
      }
      ret = s;
      check_return(w, sig, s);
    }
    check_after(w);
    check_binding_cycles(w);
    if (ret == nullptr && sig.has_outputs) {
      error(DiagCode::E0401, w->outputs->range,
            fmt::format("workflow '{}' declares outputs but has no 'return'", w->name.name));
    }
    pop_scope();
    pop_scope();
    current_sig_ = nullptr;
    current_workflow_ = nullptr;
  }

  // Names a statement's value refers to (its data dependencies), nested blocks included.
  static void references(const Expr* e, std::vector<std::string_view>& out) {
    if (e == nullptr) return;
    switch (e->kind) {
      case ExprKind::Name: out.push_back(static_cast<const ast::NameExpr*>(e)->name.name); break;
      case ExprKind::Field: references(static_cast<const ast::FieldExpr*>(e)->base, out); break;
      case ExprKind::Call:
        for (const auto& a : static_cast<const ast::CallExpr*>(e)->args) references(a.value, out);
        break;
      case ExprKind::Unary: references(static_cast<const ast::UnaryExpr*>(e)->operand, out); break;
      case ExprKind::Binary:
        references(static_cast<const ast::BinaryExpr*>(e)->lhs, out);
        references(static_cast<const ast::BinaryExpr*>(e)->rhs, out);
        break;
      case ExprKind::Tuple:
        for (const auto& f : static_cast<const ast::TupleExpr*>(e)->fields)
          references(f.value, out);
        break;
      case ExprKind::List:
        for (const Expr* x : static_cast<const ast::ListExpr*>(e)->elements) references(x, out);
        break;
      case ExprKind::Map:
        for (const auto& m : static_cast<const ast::MapExpr*>(e)->entries) references(m.value, out);
        break;
      case ExprKind::Struct:
        for (const auto& f : static_cast<const ast::StructExpr*>(e)->fields)
          references(f.value, out);
        break;
      case ExprKind::If: {
        auto* i = static_cast<const ast::IfExpr*>(e);
        for (const auto& arm : i->arms) {
          references(arm.cond, out);
          block_references(arm.body, out);
        }
        block_references(i->else_body, out);
        break;
      }
      case ExprKind::For: {
        auto* f = static_cast<const ast::ForExpr*>(e);
        references(f->iterable, out);
        block_references(f->body, out);
        break;
      }
      case ExprKind::Fail: references(static_cast<const ast::FailExpr*>(e)->message, out); break;
      default: break;
    }
  }

  static void block_references(const ast::Block* b, std::vector<std::string_view>& out) {
    if (b == nullptr) return;
    for (const ast::Stmt* s : b->lets) references(s->value, out);
    references(b->value, out);
  }

  // Data dependencies only point backwards, but `@after` may name a later binding; a
  // circle of waits is E0402, reported once at the `@after` that closes it.
  void check_binding_cycles(const ast::WorkflowDecl* w) {
    bool has_after = std::any_of(w->body.begin(), w->body.end(), [](const ast::Stmt* s) {
      return std::any_of(s->annotations.begin(), s->annotations.end(),
                         [](const ast::Annotation& a) { return a.name.name == "after"; });
    });
    if (!has_after) return;  // data dependencies alone only point backwards
    std::unordered_map<std::string_view, size_t> index;
    for (size_t i = 0; i < w->body.size(); ++i) {
      for (const ast::Ident& n : w->body[i]->names) index.emplace(n.name, i);
    }
    struct Edge {
      size_t to;
      const Expr* after;  // the @after argument, or null for a data dependency
    };
    std::vector<std::vector<Edge>> edges(w->body.size());
    bool any_after = false;
    for (size_t i = 0; i < w->body.size(); ++i) {
      std::vector<std::string_view> refs;
      references(w->body[i]->value, refs);
      for (std::string_view r : refs) {
        if (auto it = index.find(r); it != index.end() && it->second < i)
          edges[i].push_back({it->second, nullptr});
      }
      for (const ast::Annotation& a : w->body[i]->annotations) {
        if (a.name.name != "after") continue;
        for (const ast::Arg& arg : a.args) {
          if (arg.value->kind != ExprKind::Name) continue;
          auto it = index.find(static_cast<const ast::NameExpr*>(arg.value)->name.name);
          if (it == index.end()) continue;
          edges[i].push_back({it->second, arg.value});
          any_after = true;
        }
      }
    }
    if (!any_after) return;
    std::vector<int> state(w->body.size(), 0);  // 0 new, 1 on the path, 2 done
    std::vector<size_t> path;
    std::function<bool(size_t)> dfs = [&](size_t v) {
      state[v] = 1;
      path.push_back(v);
      for (const Edge& e : edges[v]) {
        if (state[e.to] == 1) {
          std::string cycle;
          auto from = std::find(path.begin(), path.end(), e.to);
          for (auto it = from; it != path.end(); ++it) {
            cycle += std::string(w->body[*it]->names.empty() ? "?" : w->body[*it]->names[0].name) +
                     " -> ";
          }
          cycle += w->body[e.to]->names.empty() ? "?" : std::string(w->body[e.to]->names[0].name);
          const Expr* at = e.after;
          for (auto it = from; at == nullptr && it != path.end(); ++it) {
            for (const Edge& e2 : edges[*it]) {
              if (e2.after != nullptr) at = e2.after;
            }
          }
          error(DiagCode::E0402, at != nullptr ? at->range : w->body[v]->range,
                fmt::format("dependency cycle in workflow '{}': {} (each waits for the next)",
                            w->name.name, cycle));
          return true;
        }
        if (state[e.to] == 0 && dfs(e.to)) return true;
      }
      state[v] = 2;
      path.pop_back();
      return false;
    };
    for (size_t v = 0; v < w->body.size(); ++v) {
      if (state[v] == 0 && dfs(v)) return;
    }
  }

  // A workflow that calls itself, directly or through others, is E0403 (reported at
  // the call that closes the circle, once per circle).
  void check_recursion() {
    std::unordered_map<const Decl*, int> state;
    std::vector<const Decl*> path;
    std::function<void(const Decl*)> dfs = [&](const Decl* v) {
      state[v] = 1;
      path.push_back(v);
      for (const auto& [to, call] : calls_[v]) {
        if (state[to] == 1) {
          std::string cycle;
          for (auto it = std::find(path.begin(), path.end(), to); it != path.end(); ++it) {
            cycle += std::string((*it)->name.name) + " -> ";
          }
          error(
              DiagCode::E0403, call->range,
              fmt::format("workflow '{}' calls itself: {}{}", to->name.name, cycle, to->name.name));
        } else if (state[to] == 0) {
          dfs(to);
        }
      }
      state[v] = 2;
      path.pop_back();
    };
    for (const auto& m : program_.modules) {
      for (const Decl* d : m->ast->decls) {
        if (d->kind == DeclKind::Workflow && state[d] == 0) dfs(d);
      }
    }
  }

  // `@after(a, b)` names bindings of this workflow, earlier or later.
  void check_after(const ast::WorkflowDecl* w) {
    for (const ast::Stmt* s : w->body) {
      for (const ast::Annotation& a : s->annotations) {
        if (a.name.name != "after") continue;
        for (const ast::Arg& arg : a.args) {
          if (arg.value->kind != ExprKind::Name) continue;  // annotation checks report it
          auto* n = static_cast<const ast::NameExpr*>(arg.value);
          if (Binding* b = find(n->name.name)) {
            b->used = true;
            continue;
          }
          error(DiagCode::E0101, n->range,
                fmt::format("'@after' names '{}', which is not a binding of workflow '{}'",
                            n->name.name, w->name.name));
        }
      }
    }
  }

  void let(const ast::Stmt* s) {
    AnnotationPlace place = s->value->kind == ExprKind::Call  ? AnnotationPlace::CallBinding
                            : s->value->kind == ExprKind::For ? AnnotationPlace::ForBinding
                                                              : AnnotationPlace::Binding;
    check_annotations(s->annotations, place, nullptr, diags_);
    TypeId t = check(s->value, std::nullopt);
    // `@min_success(r)` with r < 1 lets items fail: the list holds `T?`.
    if (place == AnnotationPlace::ForBinding && types_.kind(t) == TypeKind::List) {
      for (const ast::Annotation& a : s->annotations) {
        if (a.name.name != "min_success" || a.args.size() != 1) continue;
        const Expr* r = a.args[0].value;
        if (r->kind == ExprKind::Float && static_cast<const ast::FloatLit*>(r)->value < 1.0) {
          t = types_.list(types_.optional(types_.get(t).elem));
        }
      }
    }
    if (!s->destructure) {
      if (!s->names.empty()) bind(s->names[0], t, false);
      return;
    }
    const TypeData& d = types_.get(t);
    if (d.kind == TypeKind::Error || d.kind == TypeKind::Never) {
      for (const ast::Ident& n : s->names) bind(n, types_.error(), false);
      return;
    }
    if (d.kind != TypeKind::Outputs) {
      error(DiagCode::E0301, s->value->range,
            fmt::format("cannot destructure a value of type '{}'; only a call with named outputs "
                        "can be destructured",
                        str(t)));
      for (const ast::Ident& n : s->names) bind(n, types_.error(), false);
      return;
    }
    if (d.fields.size() != s->names.size()) {
      error(DiagCode::E0106, s->range,
            fmt::format("'let' binds {} name{} but the call has {} outputs {}", s->names.size(),
                        s->names.size() == 1 ? "" : "s", d.fields.size(), str(t)));
    }
    for (size_t i = 0; i < s->names.size(); ++i) {
      bind(s->names[i], i < d.fields.size() ? d.fields[i].type : types_.error(), false);
    }
  }

  void check_return(const ast::WorkflowDecl* w, const Signature& sig, const ast::Stmt* s) {
    auto decl_note = [&](Diagnostic& d) {
      if (w->outputs) note(d, "the outputs are declared here", w->outputs->range);
    };
    if (!sig.has_outputs) {
      Diagnostic& d =
          error(DiagCode::E0401, s->range,
                fmt::format("workflow '{}' declares no outputs but returns a value", w->name.name));
      (void)d;
      check(s->value, std::nullopt);
      return;
    }
    if (!sig.named_outputs) {
      TypeId t = check(s->value, sig.outputs[0].type);
      if (!convertible(s->value, t, sig.outputs[0].type, nullptr, {})) {
        Diagnostic& d = error(DiagCode::E0401, s->value->range,
                              fmt::format("workflow '{}' returns '{}', but its output is '{}'",
                                          w->name.name, str(t), str(sig.outputs[0].type)));
        decl_note(d);
      }
      return;
    }
    if (s->value->kind != ExprKind::Tuple) {
      TypeId t = check(s->value, std::nullopt);
      if (types_.kind(t) == TypeKind::Error) return;
      Diagnostic& d = error(DiagCode::E0401, s->value->range,
                            fmt::format("workflow '{}' has named outputs; return them as "
                                        "(name = value, …)",
                                        w->name.name));
      decl_note(d);
      return;
    }
    auto* tuple = static_cast<const ast::TupleExpr*>(s->value);
    std::unordered_map<std::string_view, const ast::FieldInit*> given;
    for (const ast::FieldInit& f : tuple->fields) {
      auto it = std::find_if(sig.outputs.begin(), sig.outputs.end(),
                             [&](const FieldType& o) { return o.name == f.name.name; });
      if (it == sig.outputs.end()) {
        check(f.value, std::nullopt);
        Diagnostic& d =
            error(DiagCode::E0401, f.name.range,
                  fmt::format("workflow '{}' has no output '{}'", w->name.name, f.name.name));
        std::vector<std::string_view> names;
        for (const FieldType& o : sig.outputs) names.push_back(o.name);
        if (auto sug = closest_name(f.name.name, names)) {
          d.notes.push_back({fmt::format("did you mean '{}'?", *sug), std::nullopt});
        }
        continue;
      }
      if (!given.emplace(f.name.name, &f).second) {
        error(DiagCode::E0401, f.name.range,
              fmt::format("output '{}' is returned twice", f.name.name));
        continue;
      }
      TypeId t = check(f.value, it->type);
      if (!convertible(f.value, t, it->type, nullptr, {})) {
        Diagnostic& d = error(DiagCode::E0401, f.value->range,
                              fmt::format("output '{}' of workflow '{}' is '{}', found '{}'",
                                          f.name.name, w->name.name, str(it->type), str(t)));
        decl_note(d);
      }
    }
    for (const FieldType& o : sig.outputs) {
      if (given.count(o.name) == 0) {
        Diagnostic& d = error(
            DiagCode::E0401, s->range,
            fmt::format("output '{}' of workflow '{}' is not returned", o.name, w->name.name));
        decl_note(d);
      }
    }
  }

  void check_launch(const ast::LaunchDecl* l) {
    if (l->call == nullptr) return;
    scopes_.clear();
    scopes_.emplace_back();
    const Decl* callee = nullptr;
    check_call(l->call, &callee);
    if (callee != nullptr && callee->kind != DeclKind::Workflow) {
      Diagnostic& d = error(DiagCode::E0103, l->call->callee.range,
                            fmt::format("a launch runs a workflow; '{}' is a {}",
                                        l->call->callee.str(), kind_name(callee->kind)));
      note(d, fmt::format("'{}' is declared here", callee->name.name), callee->name.range);
    }
    scopes_.clear();
  }

  // ------------------------------------------------------------------ expressions

  TypeId type_of(const Expr* e) {
    auto it = sema_.expr_types.find(e);
    return it == sema_.expr_types.end() ? types_.error() : it->second;
  }

  TypeId check(const Expr* e, std::optional<TypeId> expected) {
    TypeId t = check_inner(e, expected);
    sema_.expr_types[e] = t;
    return t;
  }

  static bool numeric(TypeKind k) { return k == TypeKind::Int || k == TypeKind::Float; }

  TypeId check_inner(const Expr* e, std::optional<TypeId> expected) {
    switch (e->kind) {
      case ExprKind::Int: return types_.int_();
      case ExprKind::Float: return types_.float_();
      case ExprKind::Bool: return types_.bool_();
      case ExprKind::None: return types_.none();
      case ExprKind::String: return types_.string();
      case ExprKind::Duration: return types_.duration();
      case ExprKind::Size: return types_.size();
      case ExprKind::Error: return types_.error();
      case ExprKind::Name: return name(static_cast<const ast::NameExpr*>(e));
      case ExprKind::Field: return field(static_cast<const ast::FieldExpr*>(e));
      case ExprKind::Call: return check_call(static_cast<const ast::CallExpr*>(e), nullptr);
      case ExprKind::Unary: return unary(static_cast<const ast::UnaryExpr*>(e));
      case ExprKind::Binary: return binary(static_cast<const ast::BinaryExpr*>(e));
      case ExprKind::Tuple: {
        for (const auto& f : static_cast<const ast::TupleExpr*>(e)->fields)
          check(f.value, std::nullopt);
        error(DiagCode::E0301, e->range, "a named tuple can only be returned from a workflow");
        return types_.error();
      }
      case ExprKind::List: return list(static_cast<const ast::ListExpr*>(e), expected);
      case ExprKind::Map: return map(static_cast<const ast::MapExpr*>(e), expected);
      case ExprKind::Struct: return struct_value(static_cast<const ast::StructExpr*>(e));
      case ExprKind::If: return if_expr(static_cast<const ast::IfExpr*>(e), expected);
      case ExprKind::For: return for_expr(static_cast<const ast::ForExpr*>(e));
      case ExprKind::Fail: {
        auto* f = static_cast<const ast::FailExpr*>(e);
        expect(f->message, types_.string(), [](Diagnostic&) {});
        return types_.never();
      }
    }
    return types_.error();
  }

  TypeId name(const ast::NameExpr* n) {
    if (Binding* b = find(n->name.name)) {
      b->used = true;
      return b->type;
    }
    std::vector<std::string_view> names;
    for (const auto& scope : scopes_) {
      for (const auto& [k, v] : scope) names.push_back(k);
    }
    Diagnostic& d =
        error(DiagCode::E0101, n->range, fmt::format("unknown name '{}'", n->name.name));
    if (auto s = closest_name(n->name.name, names)) {
      d.notes.push_back({fmt::format("did you mean '{}'?", *s), std::nullopt});
    }
    // Bind it as poisoned so that later uses are not reported again.
    if (!scopes_.empty())
      scopes_.back().emplace(n->name.name, Binding{types_.error(), n->range, true, false});
    return types_.error();
  }

  TypeId field(const ast::FieldExpr* f) {
    TypeId base = check(f->base, std::nullopt);
    const TypeData& d = types_.get(base);
    std::string_view want = f->field.name;
    const std::vector<FieldType>* fields = nullptr;
    if (d.kind == TypeKind::Struct) fields = &struct_fields_[static_cast<const Decl*>(d.key)];
    if (d.kind == TypeKind::Outputs) fields = &d.fields;
    if (d.kind == TypeKind::Error || want.empty()) return types_.error();
    if (d.kind == TypeKind::Optional) {
      error(DiagCode::E0307, f->base->range,
            fmt::format("field '{}' of an optional value of type '{}'", want, str(base)));
      return types_.error();
    }
    if (fields == nullptr) {
      error(DiagCode::E0106, f->field.range,
            fmt::format("a value of type '{}' has no field '{}'", str(base), want));
      return types_.error();
    }
    for (const FieldType& ft : *fields) {
      if (ft.name == want) return ft.type;
    }
    std::vector<std::string_view> names;
    for (const FieldType& ft : *fields) names.push_back(ft.name);
    Diagnostic& diag = error(DiagCode::E0106, f->field.range,
                             fmt::format("'{}' has no {} '{}'", str(base),
                                         d.kind == TypeKind::Outputs ? "output" : "field", want));
    if (auto s = closest_name(want, names)) {
      diag.notes.push_back({fmt::format("did you mean '{}'?", *s), std::nullopt});
    }
    return types_.error();
  }

  TypeId check_call(const ast::CallExpr* c, const Decl** callee_out) {
    bool reported = false;
    const Decl* callee = lookup(c->callee, reported, DiagCode::E0103, "task or workflow");
    auto check_args_only = [&] {
      for (const ast::Arg& a : c->args) check(a.value, std::nullopt);
      return types_.error();
    };
    if (callee == nullptr) {
      if (!reported) {
        Diagnostic& d = error(DiagCode::E0103, c->callee.range,
                              fmt::format("unknown task or workflow '{}'", c->callee.str()));
        if (c->callee.parts.size() == 1) {
          if (auto s = closest_name(c->callee.parts[0].name, visible_names(true))) {
            d.notes.push_back({fmt::format("did you mean '{}'?", *s), std::nullopt});
          }
        }
      }
      return check_args_only();
    }
    if (callee->kind != DeclKind::Task && callee->kind != DeclKind::Workflow) {
      Diagnostic& d = error(DiagCode::E0103, c->callee.range,
                            fmt::format("'{}' is a {}, not a task or workflow", c->callee.str(),
                                        kind_name(callee->kind)));
      note(d, fmt::format("'{}' is declared here", callee->name.name), callee->name.range);
      return check_args_only();
    }
    if (callee_out != nullptr) *callee_out = callee;
    sema_.callees[c] = callee;
    if (current_workflow_ != nullptr && callee->kind == DeclKind::Workflow) {
      calls_[current_workflow_].push_back({callee, c});
    }
    const Signature& sig = signature(callee);
    std::string saved_callee = callee_name_;
    callee_name_ = std::string(callee->name.name);
    Bindings bindings;
    std::vector<const ast::Arg*> given(sig.params->size(), nullptr);
    size_t positional = 0;
    for (const ast::Arg& a : c->args) {
      size_t index = SIZE_MAX;
      if (a.name) {
        for (size_t i = 0; i < sig.params->size(); ++i) {
          if ((*sig.params)[i].name.name == a.name->name) index = i;
        }
        if (index == SIZE_MAX) {
          std::vector<std::string_view> names;
          for (const ast::Param& p : *sig.params) names.push_back(p.name.name);
          Diagnostic& d =
              error(DiagCode::E0202, a.name->range,
                    fmt::format("'{}' has no parameter '{}'", callee->name.name, a.name->name));
          if (auto s = closest_name(a.name->name, names)) {
            d.notes.push_back({fmt::format("did you mean '{}'?", *s), std::nullopt});
          }
          note(d, fmt::format("'{}' is declared here", callee->name.name), callee->name.range);
          check(a.value, std::nullopt);
          continue;
        }
      } else {
        index = positional++;
        if (index >= sig.params->size()) {
          Diagnostic& d = error(DiagCode::E0203, a.range,
                                fmt::format("too many arguments: '{}' takes {}", callee->name.name,
                                            sig.params->size()));
          note(d, fmt::format("'{}' is declared here", callee->name.name), callee->name.range);
          check(a.value, std::nullopt);
          continue;
        }
      }
      const ast::Param& p = (*sig.params)[index];
      if (given[index] != nullptr) {
        Diagnostic& d = error(
            DiagCode::E0203, a.range,
            fmt::format("parameter '{}' of '{}' is given twice", p.name.name, callee->name.name));
        note(d, "first given here", given[index]->range);
        check(a.value, std::nullopt);
        continue;
      }
      given[index] = &a;
      expect(
          a.value, sig.param_types[index],
          [&](Diagnostic& d) {
            note(d,
                 fmt::format("parameter '{}' of '{}' is declared here", p.name.name,
                             callee->name.name),
                 p.name.range);
          },
          &bindings, p.name.name);
    }
    for (size_t i = 0; i < sig.params->size(); ++i) {
      const ast::Param& p = (*sig.params)[i];
      if (given[i] != nullptr || p.default_value != nullptr) continue;
      Diagnostic& d = error(DiagCode::E0201, c->range,
                            fmt::format("missing argument '{}' of type '{}' in call of '{}'",
                                        p.name.name, str(sig.param_types[i]), callee->name.name));
      note(d, fmt::format("parameter '{}' is declared here", p.name.name), p.name.range);
    }
    callee_name_ = saved_callee;
    if (!sig.has_outputs) return types_.outputs({});
    if (!sig.named_outputs) return substitute(sig.outputs[0].type, bindings);
    std::vector<FieldType> outs;
    for (const FieldType& o : sig.outputs) outs.push_back({o.name, substitute(o.type, bindings)});
    return types_.outputs(std::move(outs));
  }

  TypeId unary(const ast::UnaryExpr* u) {
    TypeId t = check(u->operand, std::nullopt);
    TypeKind k = types_.kind(t);
    if (k == TypeKind::Error) return t;
    if (u->op == ast::UnaryOp::Not) {
      if (k == TypeKind::Bool) return t;
      error(DiagCode::E0304, u->operand->range,
            fmt::format("'not' needs a bool, found '{}'", str(t)));
      return types_.error();
    }
    if (numeric(k) || k == TypeKind::Duration || k == TypeKind::Size) return t;
    error(DiagCode::E0301, u->operand->range,
          fmt::format("'-' needs a number, found '{}'", str(t)));
    return types_.error();
  }

  TypeId binary(const ast::BinaryExpr* b) {
    TypeId l = check(b->lhs, std::nullopt);
    TypeId r = check(b->rhs, std::nullopt);
    TypeKind lk = types_.kind(l);
    TypeKind rk = types_.kind(r);
    std::string_view op = ast::binary_op_spelling(b->op);
    bool poisoned = lk == TypeKind::Error || rk == TypeKind::Error;
    switch (b->op) {
      case ast::BinaryOp::And:
      case ast::BinaryOp::Or: {
        for (auto [e, t] : {std::pair{b->lhs, l}, std::pair{b->rhs, r}}) {
          TypeKind k = types_.kind(t);
          if (k != TypeKind::Bool && k != TypeKind::Error) {
            error(DiagCode::E0304, e->range,
                  fmt::format("'{}' needs bool operands, found '{}'", op, str(t)));
          }
        }
        return types_.bool_();
      }
      case ast::BinaryOp::Eq:
      case ast::BinaryOp::Ne:
      case ast::BinaryOp::Lt:
      case ast::BinaryOp::Le:
      case ast::BinaryOp::Gt:
      case ast::BinaryOp::Ge: {
        if (poisoned) return types_.bool_();
        bool ordering = b->op != ast::BinaryOp::Eq && b->op != ast::BinaryOp::Ne;
        bool ok =
            (numeric(lk) && numeric(rk)) ||
            (l == r &&
             (!ordering || lk == TypeKind::Duration || lk == TypeKind::Size ||
              lk == TypeKind::String) &&
             lk != TypeKind::Tensor && lk != TypeKind::Outputs) ||
            (!ordering &&
             (convertible(b->rhs, r, l, nullptr, {}) || convertible(b->lhs, l, r, nullptr, {})) &&
             lk != TypeKind::Tensor && rk != TypeKind::Tensor);
        if (!ok) {
          error(DiagCode::E0304, b->op_range,
                fmt::format("cannot compare '{}' with '{}' using '{}'", str(l), str(r), op));
        }
        return types_.bool_();
      }
      default: break;
    }
    if (poisoned) return types_.error();
    // Arithmetic: numbers (an int with a float gives a float), durations and sizes added
    // to their own kind or scaled by a number, strings joined with '+'.
    if (b->op == ast::BinaryOp::Div &&
        (b->rhs->kind == ExprKind::Int || b->rhs->kind == ExprKind::Float)) {
      bool zero = b->rhs->kind == ExprKind::Int
                      ? static_cast<const ast::IntLit*>(b->rhs)->value == 0
                      : static_cast<const ast::FloatLit*>(b->rhs)->value == 0;
      if (zero) {
        error(DiagCode::E0502, b->rhs->range, "division by a constant zero");
        return types_.error();
      }
    }
    bool additive = b->op == ast::BinaryOp::Add || b->op == ast::BinaryOp::Sub;
    if (numeric(lk) && numeric(rk)) {
      return lk == TypeKind::Float || rk == TypeKind::Float ? types_.float_() : types_.int_();
    }
    for (TypeKind unit : {TypeKind::Duration, TypeKind::Size}) {
      if (additive && lk == unit && rk == unit) return l;
      if (!additive && lk == unit && numeric(rk)) return l;
      if (b->op == ast::BinaryOp::Mul && numeric(lk) && rk == unit) return r;
    }
    if (b->op == ast::BinaryOp::Add && lk == TypeKind::String && rk == TypeKind::String) return l;
    error(DiagCode::E0301, b->op_range,
          fmt::format("operator '{}' cannot combine '{}' and '{}'", op, str(l), str(r)));
    return types_.error();
  }

  // The element type of a list or map literal: the expected one when every element
  // converts to it, else the first element's (so that the caller's check names the
  // mismatch), else an error when the elements disagree among themselves.
  std::optional<TypeId> element_type(const std::vector<const Expr*>& elems,
                                     std::optional<TypeId> want, const char* what) {
    std::optional<TypeId> elem;
    const Expr* first = nullptr;
    bool all_fit = true;
    for (const Expr* x : elems) {
      TypeId t = check(x, want);
      if (types_.kind(t) == TypeKind::Error || types_.kind(t) == TypeKind::Never) continue;
      if (want && !convertible(x, t, *want, nullptr, {})) all_fit = false;
      if (!elem) {
        elem = t;
        first = x;
        continue;
      }
      if (*elem == t || convertible(x, t, *elem, nullptr, {})) continue;
      if (convertible(first, *elem, t, nullptr, {})) {
        elem = t;
        first = x;
        continue;
      }
      if (want) continue;  // the caller reports the first element that does not fit
      error(DiagCode::E0301, x->range,
            fmt::format("{} differ: '{}' and '{}'", what, str(*elem), str(t)));
      return types_.error();
    }
    if (want && all_fit) return *want;
    return elem ? *elem : types_.never();
  }

  TypeId list(const ast::ListExpr* l, std::optional<TypeId> expected) {
    std::optional<TypeId> want;
    if (expected && types_.kind(*expected) == TypeKind::List) want = types_.get(*expected).elem;
    std::vector<const Expr*> elems(l->elements.begin(), l->elements.end());
    std::optional<TypeId> elem = element_type(elems, want, "list elements");
    return types_.kind(*elem) == TypeKind::Error ? *elem : types_.list(*elem);
  }

  TypeId map(const ast::MapExpr* m, std::optional<TypeId> expected) {
    std::optional<TypeId> want;
    if (expected && types_.kind(*expected) == TypeKind::Map) want = types_.get(*expected).elem;
    std::unordered_map<std::string, SourceRange> keys;
    std::vector<const Expr*> values;
    for (const ast::MapEntry& e : m->entries) {
      if (e.key != nullptr && !keys.emplace(e.key->value, e.key->range).second) {
        error(DiagCode::E0105, e.key->range,
              fmt::format("map key \"{}\" appears twice", e.key->value));
      }
      values.push_back(e.value);
    }
    std::optional<TypeId> value = element_type(values, want, "map values");
    return types_.kind(*value) == TypeKind::Error ? *value : types_.map(*value);
  }

  TypeId struct_value(const ast::StructExpr* s) {
    bool reported = false;
    const Decl* d = lookup(s->type, reported, DiagCode::E0102, "struct");
    if (d == nullptr || d->kind != DeclKind::Struct) {
      if (!reported) {
        error(DiagCode::E0102, s->type.range,
              d == nullptr
                  ? fmt::format("unknown struct '{}'", s->type.str())
                  : fmt::format("'{}' is a {}, not a struct", s->type.str(), kind_name(d->kind)));
      }
      for (const auto& f : s->fields) check(f.value, std::nullopt);
      return types_.error();
    }
    const auto& fields = struct_fields_[d];
    std::unordered_map<std::string_view, SourceRange> seen;
    for (const ast::FieldInit& f : s->fields) {
      duplicate(seen, f.name, "field");
      auto it = std::find_if(fields.begin(), fields.end(),
                             [&](const FieldType& ft) { return ft.name == f.name.name; });
      if (it == fields.end()) {
        error(DiagCode::E0106, f.name.range,
              fmt::format("struct '{}' has no field '{}'", d->name.name, f.name.name));
        check(f.value, std::nullopt);
        continue;
      }
      expect(f.value, it->type, [&](Diagnostic& diag) {
        note(diag, fmt::format("field '{}' of '{}'", f.name.name, d->name.name), d->name.range);
      });
    }
    for (const FieldType& ft : fields) {
      if (seen.count(ft.name) != 0) continue;
      Diagnostic& diag =
          error(DiagCode::E0201, s->range,
                fmt::format("missing field '{}' in a value of struct '{}'", ft.name, d->name.name));
      note(diag, fmt::format("'{}' is declared here", d->name.name), d->name.range);
    }
    return types_.named(TypeKind::Struct, std::string(d->name.name), d);
  }

  TypeId block(const ast::Block* b, std::optional<TypeId> expected) {
    scopes_.emplace_back();
    for (const ast::Stmt* s : b->lets) let(s);
    TypeId t = check(b->value, expected);
    pop_scope();
    return t;
  }

  void condition(const Expr* c) {
    TypeId t = check(c, types_.bool_());
    TypeKind k = types_.kind(t);
    if (k != TypeKind::Bool && k != TypeKind::Error) {
      error(DiagCode::E0304, c->range,
            fmt::format("the condition of 'if' must be a bool, found '{}'", str(t)));
    }
  }

  TypeId if_expr(const ast::IfExpr* i, std::optional<TypeId> expected) {
    std::vector<std::pair<TypeId, const ast::Block*>> arms;
    for (const ast::IfArm& a : i->arms) {
      condition(a.cond);
      arms.emplace_back(block(a.body, expected), a.body);
    }
    arms.emplace_back(block(i->else_body, expected), i->else_body);
    std::optional<std::pair<TypeId, const ast::Block*>> first;
    for (const auto& arm : arms) {
      TypeKind k = types_.kind(arm.first);
      if (k == TypeKind::Error) return arm.first;
      if (k == TypeKind::Never) continue;
      if (!first) {
        first = arm;
        continue;
      }
      if (arm.first == first->first) continue;
      if (convertible(arm.second->value, arm.first, first->first, nullptr, {})) continue;
      if (convertible(first->second->value, first->first, arm.first, nullptr, {})) {
        first = arm;
        continue;
      }
      Diagnostic& d = error(DiagCode::E0305, arm.second->value->range,
                            fmt::format("the arms of this 'if' have different types: '{}' and '{}'",
                                        str(first->first), str(arm.first)));
      note(d, fmt::format("this arm has type '{}'", str(first->first)),
           first->second->value->range);
      return types_.error();
    }
    return first ? first->first : types_.never();
  }

  TypeId for_expr(const ast::ForExpr* f) {
    TypeId t = check(f->iterable, std::nullopt);
    TypeId elem = types_.error();
    if (types_.kind(t) == TypeKind::List) {
      elem = types_.get(t).elem;
    } else if (types_.kind(t) != TypeKind::Error) {
      error(DiagCode::E0306, f->iterable->range,
            fmt::format("'for' iterates over a List, found '{}'", str(t)));
    }
    scopes_.emplace_back();
    bind(f->var, elem, false);
    scopes_.back()[f->var.name].used = true;  // a loop variable may go unused
    TypeId body = block(f->body, std::nullopt);
    pop_scope();
    if (types_.kind(body) == TypeKind::Error) return body;
    return types_.list(body);
  }

  struct PendingSelective {
    const Module* into;
    const Module* from;
    ast::Ident name;
  };

  const Program& program_;
  const SourceManager& sm_;
  DiagnosticEngine& diags_;
  Semantics& sema_;
  TypeTable& types_;
  std::unordered_map<const Module*, ModuleInfo> infos_;
  std::unordered_map<const Decl*, const Module*> decl_module_;
  std::unordered_map<const Decl*, Signature> sigs_;
  std::unordered_map<const Decl*, TypeId> alias_types_;
  std::unordered_map<const Decl*, std::vector<FieldType>> struct_fields_;
  std::vector<const ast::AliasDecl*> alias_stack_;
  std::vector<PendingSelective> pending_selective_;
  const ModuleInfo* cur_ = nullptr;
  const Decl* current_workflow_ = nullptr;
  std::unordered_map<const Decl*, std::vector<std::pair<const Decl*, const ast::CallExpr*>>> calls_;
};

}  // namespace

std::unique_ptr<Semantics> check_program(const Program& program, const SourceManager& sm,
                                         DiagnosticEngine& diags) {
  auto sema = std::make_unique<Semantics>();
  Checker checker(program, sm, diags, *sema);
  checker.run();
  return sema;
}

}  // namespace flyte
