// The AST dump format; see AstDump.h.
#include "frontend/AstDump.h"

#include <fmt/format.h>

namespace flyte {
namespace {

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          out += fmt::format("\\x{:02x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string number(double v) {
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string name(const ast::Ident& id) {
  return id.name.empty() ? std::string("<missing>") : std::string(id.name);
}

void append_args(std::string& out, ast::Span<ast::Arg> args) {
  for (const ast::Arg& a : args) {
    out += ' ';
    if (a.name) out += name(*a.name) + "=";
    out += dump_expr(a.value);
  }
}

std::string block(const ast::Block* b);

std::string let(const ast::Stmt* s) {
  std::string out;
  for (const ast::Annotation& a : s->annotations) {
    out += "@" + name(a.name);
    if (a.has_parens) {
      std::string args;
      append_args(args, a.args);
      out += "(" + (args.empty() ? args : args.substr(1)) + ")";
    }
    out += ' ';
  }
  if (s->kind == ast::Stmt::Kind::Return) return out + "return " + dump_expr(s->value);
  out += "let ";
  if (s->destructure) out += '(';
  for (size_t i = 0; i < s->names.size(); ++i) {
    if (i > 0) out += ", ";
    out += name(s->names[i]);
  }
  if (s->destructure) out += ')';
  return out + " = " + dump_expr(s->value);
}

std::string block(const ast::Block* b) {
  std::string out = "{";
  for (const ast::Stmt* s : b->lets) out += let(s) + "; ";
  return out + dump_expr(b->value) + "}";
}

std::string fields(ast::Span<ast::FieldInit> fs) {
  std::string out;
  for (const ast::FieldInit& f : fs) out += " " + name(f.name) + "=" + dump_expr(f.value);
  return out;
}

std::string annotation(const ast::Annotation& a) {
  std::string out = "@" + name(a.name);
  if (a.has_parens) {
    std::string args;
    append_args(args, a.args);
    out += "(" + (args.empty() ? args : args.substr(1)) + ")";
  }
  return out;
}

std::string where(const SourceManager& sm, SourceRange r) {
  if (!r.file.valid()) return "";
  LineColumn lc = sm.line_column(r.file, r.begin);
  return fmt::format(" <{}:{}>", lc.line, lc.column);
}

std::string outputs(const ast::Outputs& o) {
  if (!o.named) return dump_type(o.single);
  std::string out = "(";
  for (size_t i = 0; i < o.fields.size(); ++i) {
    if (i > 0) out += ", ";
    out += name(o.fields[i].name) + ": " + dump_type(o.fields[i].type);
  }
  return out + ")";
}

void params(const std::vector<ast::Param>& ps, std::ostream& out) {
  for (const ast::Param& p : ps) {
    out << "    param " << name(p.name) << ": " << dump_type(p.type);
    if (p.default_value) out << " = " << dump_expr(p.default_value);
    out << '\n';
  }
}

}  // namespace

std::string dump_type(const ast::TypeExpr* t) {
  if (t == nullptr || t->name.parts.empty()) return "<missing>";
  std::string out = t->name.str();
  if (t->has_args) {
    out += '<';
    for (size_t i = 0; i < t->args.size(); ++i) {
      if (i > 0) out += ", ";
      const ast::TypeArg& a = t->args[i];
      if (a.type != nullptr) {
        out += dump_type(a.type);
        continue;
      }
      out += '[';
      for (size_t k = 0; k < a.shape.size(); ++k) {
        if (k > 0) out += ", ";
        const ast::Dim& d = a.shape[k];
        out += d.kind == ast::Dim::Kind::Literal ? std::to_string(d.value)
               : d.kind == ast::Dim::Kind::Var   ? std::string(d.name)
                                                 : std::string("?");
      }
      out += ']';
    }
    out += '>';
  }
  if (t->optional) out += '?';
  return out;
}

std::string dump_expr(const ast::Expr* e) {
  if (e == nullptr) return "<error>";
  switch (e->kind) {
    case ast::ExprKind::Int: return std::to_string(static_cast<const ast::IntLit*>(e)->value);
    case ast::ExprKind::Float: return number(static_cast<const ast::FloatLit*>(e)->value);
    case ast::ExprKind::Bool: return static_cast<const ast::BoolLit*>(e)->value ? "true" : "false";
    case ast::ExprKind::None: return "none";
    case ast::ExprKind::String: {
      auto* s = static_cast<const ast::StringLit*>(e);
      return (s->raw ? "raw" : "") + quote(s->value);
    }
    case ast::ExprKind::Duration:
      return fmt::format("{}s", static_cast<const ast::DurationLit*>(e)->seconds);
    case ast::ExprKind::Size: return fmt::format("{}B", static_cast<const ast::SizeLit*>(e)->bytes);
    case ast::ExprKind::Name: return name(static_cast<const ast::NameExpr*>(e)->name);
    case ast::ExprKind::Field: {
      auto* f = static_cast<const ast::FieldExpr*>(e);
      return "(. " + dump_expr(f->base) + " " + name(f->field) + ")";
    }
    case ast::ExprKind::Call: {
      auto* c = static_cast<const ast::CallExpr*>(e);
      std::string out = "(call " + c->callee.str();
      append_args(out, c->args);
      return out + ")";
    }
    case ast::ExprKind::Unary: {
      auto* u = static_cast<const ast::UnaryExpr*>(e);
      return std::string(u->op == ast::UnaryOp::Neg ? "(neg " : "(not ") + dump_expr(u->operand) +
             ")";
    }
    case ast::ExprKind::Binary: {
      auto* b = static_cast<const ast::BinaryExpr*>(e);
      return fmt::format("({} {} {})", ast::binary_op_spelling(b->op), dump_expr(b->lhs),
                         dump_expr(b->rhs));
    }
    case ast::ExprKind::Tuple:
      return "(tuple" + fields(static_cast<const ast::TupleExpr*>(e)->fields) + ")";
    case ast::ExprKind::List: {
      std::string out = "(list";
      for (const ast::Expr* x : static_cast<const ast::ListExpr*>(e)->elements)
        out += " " + dump_expr(x);
      return out + ")";
    }
    case ast::ExprKind::Map: {
      std::string out = "(map";
      for (const ast::MapEntry& m : static_cast<const ast::MapExpr*>(e)->entries)
        out += " " + dump_expr(m.key) + "=" + dump_expr(m.value);
      return out + ")";
    }
    case ast::ExprKind::Struct: {
      auto* s = static_cast<const ast::StructExpr*>(e);
      return "(struct " + s->type.str() + fields(s->fields) + ")";
    }
    case ast::ExprKind::If: {
      auto* i = static_cast<const ast::IfExpr*>(e);
      std::string out = "(if";
      for (size_t k = 0; k < i->arms.size(); ++k) {
        out += k == 0 ? " " : " elif ";
        out += dump_expr(i->arms[k].cond) + " " + block(i->arms[k].body);
      }
      return out + " else " + block(i->else_body) + ")";
    }
    case ast::ExprKind::For: {
      auto* f = static_cast<const ast::ForExpr*>(e);
      return "(for " + name(f->var) + " " + dump_expr(f->iterable) + " " + block(f->body) + ")";
    }
    case ast::ExprKind::Fail:
      return "(fail " + dump_expr(static_cast<const ast::FailExpr*>(e)->message) + ")";
    case ast::ExprKind::Error: return "<error>";
  }
  return "<error>";
}

void dump_ast(const ast::File& file, const SourceManager& sm, std::ostream& out) {
  out << "file " << quote(sm.name(file.file));
  if (file.module) out << " module " << file.module->str();
  out << '\n';
  if (!file.doc.empty()) out << "  doc " << quote(file.doc) << '\n';
  for (const ast::Import& i : file.imports) {
    out << "  import " << i.path.str();
    if (i.alias) out << " as " << name(*i.alias);
    if (i.selective) {
      out << ".{";
      for (size_t k = 0; k < i.names.size(); ++k) out << (k ? ", " : "") << name(i.names[k]);
      out << '}';
    }
    out << where(sm, i.range) << '\n';
  }
  for (const ast::Decl* d : file.decls) {
    static constexpr const char* kinds[] = {"struct", "enum", "type", "task", "workflow", "launch"};
    out << "  " << kinds[static_cast<int>(d->kind)] << ' ' << name(d->name) << where(sm, d->range)
        << '\n';
    if (!d->doc.empty()) out << "    doc " << quote(d->doc) << '\n';
    for (const ast::Annotation& a : d->annotations) out << "    " << annotation(a) << '\n';
    switch (d->kind) {
      case ast::DeclKind::Struct:
        for (const ast::Field& f : static_cast<const ast::StructDecl*>(d)->fields)
          out << "    field " << name(f.name) << ": " << dump_type(f.type) << '\n';
        break;
      case ast::DeclKind::Enum:
        for (const ast::Ident& m : static_cast<const ast::EnumDecl*>(d)->members)
          out << "    member " << name(m) << '\n';
        break;
      case ast::DeclKind::Alias:
        out << "    = " << dump_type(static_cast<const ast::AliasDecl*>(d)->type) << '\n';
        break;
      case ast::DeclKind::Task: {
        auto* t = static_cast<const ast::TaskDecl*>(d);
        params(t->params, out);
        if (t->outputs) out << "    outputs " << outputs(*t->outputs) << '\n';
        static constexpr const char* runners[] = {"shell", "cpp", "builtin"};
        out << "    " << runners[static_cast<int>(t->runner.kind)];
        for (const ast::StringLit* s : t->runner.args) out << ' ' << dump_expr(s);
        out << '\n';
        break;
      }
      case ast::DeclKind::Workflow: {
        auto* w = static_cast<const ast::WorkflowDecl*>(d);
        params(w->params, out);
        if (w->outputs) out << "    outputs " << outputs(*w->outputs) << '\n';
        for (const ast::Stmt* s : w->body) out << "    " << let(s) << '\n';
        break;
      }
      case ast::DeclKind::Launch: {
        auto* l = static_cast<const ast::LaunchDecl*>(d);
        out << "    " << (l->call ? dump_expr(l->call) : std::string("<error>")) << '\n';
        break;
      }
    }
  }
}

}  // namespace flyte
