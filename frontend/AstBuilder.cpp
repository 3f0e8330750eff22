// The parse tree -> AST translation. It reads only the labelled fields of the generated
// contexts (never their children lists, which the fast path does not build). Every
// context may be partial after error recovery, so every field is checked; what is
// missing becomes an ErrorExpr or an empty name, which later phases treat as already
// reported.
#include "frontend/AstBuilder.h"

#include <fmt/format.h>

#include <algorithm>
#include <typeinfo>

#include "frontend/Literals.h"

namespace flyte::detail {
namespace {

using antlr4::ParserRuleContext;
using grammar::FlyteParser;

// Deeper expressions than this are refused; left-nested chains such as `a + b + c …`
// are not limited by the lexer's bracket count, and every later phase recurses.
constexpr int kMaxExprDepth = 1000;

// Which labelled alternative of `expr` a context is. The generated classes have their
// vtables (and so their type_info) in one object file, so comparing type_info addresses
// is exact and far cheaper than dynamic_cast; the name comparison is the fallback.
template <class T>
T* alt(FlyteParser::ExprContext* ctx, const std::type_info& ti) {
  if (&ti == &typeid(T) || ti == typeid(T)) return static_cast<T*>(ctx);
  return nullptr;
}

}  // namespace

class AstBuilder::Impl {
 public:
  Impl(const LexedFile& lexed, std::string_view source, DiagnosticEngine& diags, ast::File& out)
      : lexed_(lexed), source_(source), diags_(diags), out_(out), arena_(out.arena) {}

  void file(FlyteParser::FileContext* ctx) {
    if (ctx->mod != nullptr) module(ctx->mod);
    for (auto* i : ctx->imports) import(i);
    for (auto* d : ctx->decls) add_decl(d);
  }

  void module(FlyteParser::ModuleDeclContext* m) {
    if (m == nullptr) return;
    out_.doc = doc_of(m->getStart());
    if (m->name != nullptr) out_.module = qual_name(m->name);
  }

  void add_decl(FlyteParser::DeclContext* d) {
    if (d == nullptr) return;
    if (ast::Decl* decl = this->decl(d)) out_.decls.push_back(decl);
  }

  void import(FlyteParser::ImportDeclContext* ctx) {
    if (ctx == nullptr) return;
    ast::Import imp;
    imp.range = range(ctx);
    if (ctx->path != nullptr) imp.path = qual_name(ctx->path);
    if (ctx->alias != nullptr) imp.alias = ident(ctx->alias);
    if (ctx->lb != nullptr) {
      imp.selective = true;
      for (auto* id : ctx->names) imp.names.push_back(ident(id));
    }
    out_.imports.push_back(std::move(imp));
  }

 private:
  // --------------------------------------------------------------- locations

  const Token* lexed_token(antlr4::Token* t) const {
    if (t == nullptr) return nullptr;
    size_t i = t->getTokenIndex();
    return i < lexed_.tokens.size() ? &lexed_.tokens[i] : nullptr;
  }

  SourceRange range(antlr4::Token* t) const {
    if (const Token* tok = lexed_token(t)) return {out_.file, tok->begin, tok->end};
    return {out_.file, 0, 0};
  }

  SourceRange range(ParserRuleContext* ctx) const {
    const Token* a = lexed_token(ctx->start);
    const Token* b = lexed_token(ctx->stop);
    if (a == nullptr) return {out_.file, 0, 0};
    if (b == nullptr || b->end < a->begin) return {out_.file, a->begin, a->begin};
    return {out_.file, a->begin, b->end};
  }

  std::string_view text(const Token& t) const { return source_.substr(t.begin, t.end - t.begin); }

  std::string doc_of(antlr4::Token* t) const {
    const Token* tok = lexed_token(t);
    if (tok == nullptr) return {};
    uint32_t doc = lexed_.doc_of(static_cast<size_t>(tok - lexed_.tokens.data()));
    return doc == LexedFile::kNoDoc ? std::string() : lexed_.docs[doc].text;
  }

  // A name; a token conjured by error recovery gives an empty name.
  ast::Ident ident(antlr4::Token* t) const {
    const Token* tok = lexed_token(t);
    if (tok == nullptr || tok->kind != TokenKind::IDENT) return {{}, range(t)};
    return {text(*tok), {out_.file, tok->begin, tok->end}};
  }

  ast::QualName qual_name(FlyteParser::QualNameContext* ctx) {
    ast::QualName q;
    idents_.clear();
    for (auto* id : ctx->parts) idents_.push_back(ident(id));
    q.parts = span(idents_);
    q.range = range(ctx);
    return q;
  }

  // A copy of `v` in the arena.
  template <class T>
  ast::Span<T> span(const std::vector<T>& v) {
    return {arena_.copy(v.data(), v.size()), v.size()};
  }

  // A copy in the arena of what was pushed onto `stack` from `start` on, which is then
  // popped. A construct pushes its parts onto a stack shared by every construct of its
  // kind (nested ones push and pop above it), so building a node allocates nothing
  // outside the arena.
  template <class T>
  ast::Span<T> pop_span(std::vector<T>& stack, size_t start) {
    ast::Span<T> out{arena_.copy(stack.data() + start, stack.size() - start), stack.size() - start};
    stack.resize(start);
    return out;
  }

  void syntax_error(SourceRange r, std::string message) {
    diags_.report(DiagCode::E0001, r, std::move(message));
  }

  // --------------------------------------------------------------- declarations

  std::vector<ast::Annotation> annotations(const std::vector<FlyteParser::AnnotationContext*>& as) {
    std::vector<ast::Annotation> out;
    out.reserve(as.size());
    for (auto* a : as) {
      if (a == nullptr) continue;
      ast::Annotation ann;
      ann.name = ident(a->name);
      ann.has_parens = a->lp != nullptr;
      ann.range = range(a);
      size_t start = args_.size();
      for (auto* x : a->args) args_.push_back(arg(x, 0));
      ann.args = pop_span(args_, start);
      out.push_back(ann);
    }
    return out;
  }

  template <class T>
  T* make_decl(ast::DeclKind kind, antlr4::Token* name) {
    T* d = arena_.make<T>();
    d->kind = kind;
    d->name = ident(name);
    return d;
  }

  ast::Decl* decl(FlyteParser::DeclContext* ctx) {
    ast::Decl* d = nullptr;
    if (auto* s = ctx->s) {
      auto* n = make_decl<ast::StructDecl>(ast::DeclKind::Struct, s->name);
      for (auto* f : s->fields) n->fields.push_back(field(f));
      d = n;
    } else if (auto* e = ctx->e) {
      auto* n = make_decl<ast::EnumDecl>(ast::DeclKind::Enum, e->name);
      for (auto* m : e->members) n->members.push_back(ident(m));
      d = n;
    } else if (auto* a = ctx->a) {
      auto* n = make_decl<ast::AliasDecl>(ast::DeclKind::Alias, a->name);
      n->type = type(a->ty);
      d = n;
    } else if (auto* t = ctx->t) {
      auto* n = make_decl<ast::TaskDecl>(ast::DeclKind::Task, t->name);
      if (t->params != nullptr) n->params = params(t->params);
      if (t->outs != nullptr) n->outputs = outputs(t->outs);
      n->runner = runner(t->body, range(t));
      d = n;
    } else if (auto* w = ctx->w) {
      auto* n = workflow_head(w->head);
      size_t start = stmts_.size();
      for (auto* s2 : w->stmts) {
        if (ast::Stmt* st = stmt(s2)) stmts_.push_back(st);
      }
      n->body = pop_span(stmts_, start);
      d = n;
    } else if (auto* l = ctx->l) {
      auto* n = make_decl<ast::LaunchDecl>(ast::DeclKind::Launch, l->name);
      n->call = nullptr;
      if (l->call != nullptr) {
        ast::Expr* e2 = expr(l->call, 0);
        if (e2->kind == ast::ExprKind::Call) {
          n->call = static_cast<ast::CallExpr*>(e2);
        } else if (e2->kind != ast::ExprKind::Error) {
          syntax_error(e2->range, "a launch must be a call of a workflow, such as 'wf(x = 1)'");
        }
      }
      d = n;
    } else {
      return nullptr;  // nothing recoverable; the parser reported why
    }
    d->annotations = annotations(ctx->anns);
    d->doc = doc_of(ctx->start);
    d->range = range(ctx);
    return d;
  }

  ast::WorkflowDecl* workflow_head(FlyteParser::WorkflowHeadContext* h) {
    auto* n = make_decl<ast::WorkflowDecl>(ast::DeclKind::Workflow, h ? h->name : nullptr);
    if (h == nullptr) return n;
    if (h->params != nullptr) n->params = params(h->params);
    if (h->outs != nullptr) n->outputs = outputs(h->outs);
    return n;
  }

 public:
  void begin_workflow(FlyteParser::AnnotationsContext* anns, FlyteParser::WorkflowHeadContext* h) {
    current_ = workflow_head(h);
    body_start_ = stmts_.size();
    current_->annotations = annotations(anns->anns);
    antlr4::Token* first = anns->anns.empty() ? h->start : anns->start;
    current_->doc = doc_of(first);
    current_->range = range(first);
    out_.decls.push_back(current_);
  }

  void add_workflow_stmt(FlyteParser::StmtContext* s) {
    if (ast::Stmt* st = stmt(s)) stmts_.push_back(st);
  }

  void end_workflow(size_t close_brace) {
    if (close_brace < lexed_.tokens.size()) current_->range.end = lexed_.tokens[close_brace].end;
    current_->body = pop_span(stmts_, body_start_);
    current_ = nullptr;
  }

 private:
  ast::WorkflowDecl* current_ = nullptr;
  size_t body_start_ = 0;  // where `current_`'s statements start in `stmts_`

  ast::Field field(FlyteParser::FieldContext* ctx) {
    return {ident(ctx->name), type(ctx->ty), range(ctx)};
  }

  std::vector<ast::Param> params(FlyteParser::ParamListContext* ctx) {
    std::vector<ast::Param> out;
    out.reserve(ctx->items.size());
    for (auto* p : ctx->items) {
      ast::Param param{ident(p->name), type(p->ty), nullptr, range(p)};
      if (p->value != nullptr) param.default_value = expr(p->value, 0);
      out.push_back(param);
    }
    return out;
  }

  ast::Outputs outputs(FlyteParser::OutputsContext* ctx) {
    ast::Outputs o;
    o.range = range(ctx);
    if (ctx->lp != nullptr) {
      o.named = true;
      for (auto* f : ctx->fields) o.fields.push_back(field(f));
    } else {
      o.single = type(ctx->single);
    }
    return o;
  }

  ast::Runner runner(FlyteParser::RunnerContext* ctx, SourceRange fallback) {
    ast::Runner r{ast::RunnerKind::Shell, {}, fallback};
    if (ctx == nullptr) return r;
    r.range = range(ctx);
    ast::Ident word = ident(ctx->word);
    for (auto* s : ctx->args) r.args.push_back(string_lit(s));
    bool parens = ctx->lp != nullptr;
    if (word.name.empty()) {
      syntax_error(r.range,
                   "expected a task runner: shell \"\"\"command\"\"\", "
                   "cpp(\"file.cpp\", \"ns::function\") or builtin(\"name\")");
      return r;
    }
    size_t want = 0;
    std::string_view form;
    if (word.name == "shell") {
      r.kind = ast::RunnerKind::Shell;
      want = parens ? SIZE_MAX : 1;  // `shell(...)` is not the form
      form = "shell \"\"\"command\"\"\"";
    } else if (word.name == "cpp") {
      r.kind = ast::RunnerKind::Cpp;
      want = parens ? 2 : SIZE_MAX;
      form = "cpp(\"file.cpp\", \"ns::function\")";
    } else if (word.name == "builtin") {
      r.kind = ast::RunnerKind::Builtin;
      want = parens ? 1 : SIZE_MAX;
      form = "builtin(\"name\")";
    } else {
      syntax_error(word.range, fmt::format("unknown task runner '{}'; a task body is 'shell', "
                                           "'cpp' or 'builtin'",
                                           word.name));
      return r;
    }
    if (r.args.size() != want) {
      syntax_error(r.range, fmt::format("malformed '{}' runner; write {}", word.name, form));
    }
    return r;
  }

  // --------------------------------------------------------------- types

  ast::TypeExpr* type(FlyteParser::TypeContext* ctx) {
    auto* t = arena_.make<ast::TypeExpr>();
    if (ctx == nullptr) return t;
    t->range = range(ctx);
    if (ctx->name != nullptr) t->name = qual_name(ctx->name);
    t->has_args = ctx->lt != nullptr;
    t->optional = ctx->optional != nullptr;
    t->args.reserve(ctx->args.size());
    for (auto* a : ctx->args) {
      ast::TypeArg arg;
      arg.range = range(a);
      if (a->ty != nullptr) {
        arg.type = type(a->ty);
      } else if (a->sh != nullptr) {
        for (auto* d : a->sh->dims) arg.shape.push_back(dim(d));
      }
      t->args.push_back(std::move(arg));
    }
    return t;
  }

  ast::Dim dim(FlyteParser::DimContext* ctx) {
    ast::Dim d{ast::Dim::Kind::Unknown, 0, {}, range(ctx)};
    const Token* tok = lexed_token(ctx->value);
    if (tok == nullptr) return d;
    if (tok->kind == TokenKind::INT) {
      d.kind = ast::Dim::Kind::Literal;
      LiteralError err;
      if (!tok->malformed) d.value = decode_int(text(*tok), err).value_or(0);
    } else if (tok->kind == TokenKind::IDENT) {
      d.kind = ast::Dim::Kind::Var;
      d.name = text(*tok);
    }
    return d;
  }

  // --------------------------------------------------------------- statements

  ast::Stmt* stmt(FlyteParser::StmtContext* ctx) {
    if (ctx == nullptr) return nullptr;
    if (ctx->let != nullptr) return let(ctx->let);
    auto* s = arena_.make<ast::Stmt>();
    s->kind = ast::Stmt::Kind::Return;
    s->value = expr(ctx->value, 0);
    s->range = range(ctx);
    return s;
  }

  ast::Stmt* let(FlyteParser::LetStmtContext* ctx) {
    auto* s = arena_.make<ast::Stmt>();
    s->kind = ast::Stmt::Kind::Let;
    if (!ctx->anns.empty()) {
      std::vector<ast::Annotation> anns = annotations(ctx->anns);
      if (!anns.empty()) {
        s->annotations =
            ast::StmtAnnotations(arena_.make<std::vector<ast::Annotation>>(std::move(anns)));
      }
    }
    s->destructure = ctx->lp != nullptr;
    idents_.clear();
    for (auto* id : ctx->names) idents_.push_back(ident(id));
    s->names = span(idents_);
    s->value = expr(ctx->value, 0);
    s->range = range(ctx);
    return s;
  }

  ast::Block* block(FlyteParser::BlockContext* ctx, int depth) {
    auto* b = arena_.make<ast::Block>();
    if (ctx == nullptr) {
      b->value = error_expr({out_.file, 0, 0});
      return b;
    }
    b->range = range(ctx);
    size_t start = stmts_.size();
    for (auto* l : ctx->lets) stmts_.push_back(let(l));
    b->lets = pop_span(stmts_, start);
    b->value = expr(ctx->value, depth + 1);
    return b;
  }

  // --------------------------------------------------------------- expressions

  ast::Expr* error_expr(SourceRange r) {
    auto* e = arena_.make<ast::ErrorExpr>();
    e->kind = ast::ExprKind::Error;
    e->range = r;
    return e;
  }

  template <class T>
  T* make_expr(ast::ExprKind kind, SourceRange r) {
    T* e = arena_.make<T>();
    e->kind = kind;
    e->range = r;
    return e;
  }

  ast::Expr* expr(FlyteParser::ExprContext* ctx, int depth) {
    if (ctx == nullptr) return error_expr({out_.file, 0, 0});
    SourceRange r = range(ctx);
    if (depth > kMaxExprDepth) {
      if (!too_deep_reported_) {
        too_deep_reported_ = true;
        syntax_error(
            r, fmt::format("expression is nested too deeply (more than {} levels)", kMaxExprDepth));
      }
      return error_expr(r);
    }
    const std::type_info& ti = typeid(*ctx);
    // Most frequent first: names, literals, calls, fields.
    if (auto* n = alt<FlyteParser::NameExprContext>(ctx, ti)) {
      if (n->name == nullptr) return error_expr(r);
      auto* e = make_expr<ast::NameExpr>(ast::ExprKind::Name, r);
      e->name = ident(n->name);
      if (e->name.name.empty()) return error_expr(r);
      return e;
    }
    if (auto* l = alt<FlyteParser::LiteralExprContext>(ctx, ti)) return literal(l->value, r);
    if (auto* c = alt<FlyteParser::CallExprContext>(ctx, ti)) return call(c, r, depth);
    if (auto* f = alt<FlyteParser::FieldExprContext>(ctx, ti)) {
      auto* e = make_expr<ast::FieldExpr>(ast::ExprKind::Field, r);
      e->base = expr(f->base, depth + 1);
      e->field = ident(f->name);
      return e;
    }
    if (auto* m = alt<FlyteParser::MulExprContext>(ctx, ti)) {
      bool star = m->op != nullptr && m->op->getType() == FlyteParser::STAR;
      return binary(m->lhs, m->rhs, m->op, star ? ast::BinaryOp::Mul : ast::BinaryOp::Div, r,
                    depth);
    }
    if (auto* a = alt<FlyteParser::AddExprContext>(ctx, ti)) {
      bool plus = a->op != nullptr && a->op->getType() == FlyteParser::PLUS;
      return binary(a->lhs, a->rhs, a->op, plus ? ast::BinaryOp::Add : ast::BinaryOp::Sub, r,
                    depth);
    }
    if (auto* c = alt<FlyteParser::CmpExprContext>(ctx, ti)) return comparison(c, r, depth);
    if (auto* a = alt<FlyteParser::AndExprContext>(ctx, ti)) {
      return binary(a->lhs, a->rhs, a->op, ast::BinaryOp::And, r, depth);
    }
    if (auto* o = alt<FlyteParser::OrExprContext>(ctx, ti)) {
      return binary(o->lhs, o->rhs, o->op, ast::BinaryOp::Or, r, depth);
    }
    if (auto* n = alt<FlyteParser::NegExprContext>(ctx, ti)) {
      return negate(expr(n->operand, depth + 1), r);
    }
    if (auto* n = alt<FlyteParser::NotExprContext>(ctx, ti)) {
      auto* e = make_expr<ast::UnaryExpr>(ast::ExprKind::Unary, r);
      e->op = ast::UnaryOp::Not;
      e->operand = expr(n->operand, depth + 1);
      return e;
    }
    if (auto* p = alt<FlyteParser::ParenExprContext>(ctx, ti)) return paren(p, r, depth);
    if (auto* l = alt<FlyteParser::ListExprContext>(ctx, ti)) {
      auto* e = make_expr<ast::ListExpr>(ast::ExprKind::List, r);
      size_t start = exprs_.size();
      for (auto* x : l->items) exprs_.push_back(expr(x, depth + 1));
      e->elements = pop_span(exprs_, start);
      return e;
    }
    if (auto* m = alt<FlyteParser::MapExprContext>(ctx, ti)) {
      auto* e = make_expr<ast::MapExpr>(ast::ExprKind::Map, r);
      size_t start = entries_.size();
      for (auto* entry : m->entries) {
        ast::StringLit* key = string_lit(entry->key);
        entries_.push_back({key, expr(entry->value, depth + 1)});
      }
      e->entries = pop_span(entries_, start);
      return e;
    }
    if (auto* s = alt<FlyteParser::StructExprContext>(ctx, ti)) {
      auto* e = make_expr<ast::StructExpr>(ast::ExprKind::Struct, r);
      if (!name_path(s->ty, depth + 1, idents_)) {
        ast::Expr* ty = expr(s->ty, depth + 1);
        if (ty->kind != ast::ExprKind::Error) {
          syntax_error(ty->range,
                       "a struct value starts with the struct's name, as in "
                       "'Split { x = a, y = b }'");
        }
        return error_expr(r);
      }
      e->type.parts = span(idents_);
      e->type.range = range(s->ty);
      e->fields = field_inits(s->fields, depth);
      return e;
    }
    if (auto* i = alt<FlyteParser::IfExprContext>(ctx, ti)) {
      auto* e = make_expr<ast::IfExpr>(ast::ExprKind::If, r);
      size_t start = arms_.size();
      for (size_t k = 0; k < i->conds.size(); ++k) {
        check_not_struct(i->conds[k], "the condition of 'if'");
        ast::Block* body = block(k < i->bodies.size() ? i->bodies[k] : nullptr, depth);
        ast::Expr* cond = expr(i->conds[k], depth + 1);
        arms_.push_back({cond, body});
      }
      e->arms = pop_span(arms_, start);
      e->else_body = block(i->bodies.size() > i->conds.size() ? i->bodies.back() : nullptr, depth);
      return e;
    }
    if (auto* f = alt<FlyteParser::ForExprContext>(ctx, ti)) {
      auto* e = make_expr<ast::ForExpr>(ast::ExprKind::For, r);
      e->var = ident(f->var);
      check_not_struct(f->iterable, "the list of 'for'");
      e->iterable = expr(f->iterable, depth + 1);
      e->body = block(f->body, depth);
      return e;
    }
    if (auto* f = alt<FlyteParser::FailExprContext>(ctx, ti)) {
      auto* e = make_expr<ast::FailExpr>(ast::ExprKind::Fail, r);
      e->message = expr(f->message, depth + 1);
      return e;
    }
    return error_expr(r);
  }

  // True for `a`, `a.b.c`: what may be called or name a struct. `(f)` is not a name.
  // As in Rust, a struct value may not stand directly as the condition of `if` or the
  // list of `for`; the grammar accepts it, this reports it.
  void check_not_struct(FlyteParser::ExprContext* ctx, const char* where) {
    if (ctx != nullptr && typeid(*ctx) == typeid(FlyteParser::StructExprContext)) {
      syntax_error(range(ctx), fmt::format("a struct value cannot stand directly as {}; wrap it "
                                           "in parentheses",
                                           where));
    }
  }

  ast::Expr* comparison(FlyteParser::CmpExprContext* c, SourceRange r, int depth) {
    ast::BinaryOp op = ast::BinaryOp::Eq;
    switch (c->op != nullptr ? c->op->getType() : 0) {
      case FlyteParser::NE: op = ast::BinaryOp::Ne; break;
      case FlyteParser::LT: op = ast::BinaryOp::Lt; break;
      case FlyteParser::LE: op = ast::BinaryOp::Le; break;
      case FlyteParser::GT: op = ast::BinaryOp::Gt; break;
      case FlyteParser::GE: op = ast::BinaryOp::Ge; break;
      default: break;
    }
    auto* b = binary(c->lhs, c->rhs, c->op, op, r, depth);
    // Comparisons do not associate: `a < b < c` means nothing useful. A parenthesized
    // comparison is an ordinary operand, so this looks at the parse, not the AST.
    auto is_cmp = [](FlyteParser::ExprContext* x) {
      return x != nullptr && typeid(*x) == typeid(FlyteParser::CmpExprContext);
    };
    if (is_cmp(c->lhs) || is_cmp(c->rhs)) {
      syntax_error(b->op_range,
                   "comparison operators cannot be chained; combine comparisons with 'and'");
    }
    return b;
  }

  ast::BinaryExpr* binary(FlyteParser::ExprContext* lhs, FlyteParser::ExprContext* rhs,
                          antlr4::Token* op_tok, ast::BinaryOp op, SourceRange r, int depth) {
    auto* e = make_expr<ast::BinaryExpr>(ast::ExprKind::Binary, r);
    e->op = op;
    e->lhs = expr(lhs, depth + 1);
    e->rhs = expr(rhs, depth + 1);
    e->op_range = range(op_tok);
    return e;
  }

  // `-` applied to a numeric literal folds to a negative literal (LANGUAGE.md section 2).
  ast::Expr* negate(ast::Expr* operand, SourceRange r) {
    if (operand->kind == ast::ExprKind::Int) {
      auto* i = static_cast<ast::IntLit*>(operand);
      i->value = static_cast<int64_t>(0ULL - static_cast<uint64_t>(i->value));
      i->range = r;
      return i;
    }
    if (operand->kind == ast::ExprKind::Float) {
      auto* f = static_cast<ast::FloatLit*>(operand);
      f->value = -f->value;
      f->range = r;
      return f;
    }
    auto* e = make_expr<ast::UnaryExpr>(ast::ExprKind::Unary, r);
    e->op = ast::UnaryOp::Neg;
    e->operand = operand;
    return e;
  }

  // The parts of a callee or struct name (`f`, `tensor.matmul`) at `depth`, read from the
  // parse tree without building expressions that would be thrown away. False for
  // anything else, for a first part that has no name (error recovery conjured it) and
  // for a path deeper than an expression may be: the caller then builds the expression,
  // which reports what is wrong with it.
  bool name_path(FlyteParser::ExprContext* ctx, int depth, std::vector<ast::Ident>& out) const {
    out.clear();
    while (ctx != nullptr && typeid(*ctx) == typeid(FlyteParser::FieldExprContext)) {
      if (depth++ > kMaxExprDepth) return false;
      auto* f = static_cast<FlyteParser::FieldExprContext*>(ctx);
      out.push_back(ident(f->name));
      ctx = f->base;
    }
    if (ctx == nullptr || typeid(*ctx) != typeid(FlyteParser::NameExprContext) ||
        depth > kMaxExprDepth) {
      return false;
    }
    auto* n = static_cast<FlyteParser::NameExprContext*>(ctx);
    if (n->name == nullptr) return false;
    out.push_back(ident(n->name));
    if (out.back().name.empty()) return false;
    std::reverse(out.begin(), out.end());
    return true;
  }

  ast::Expr* call(FlyteParser::CallExprContext* ctx, SourceRange r, int depth) {
    auto* e = make_expr<ast::CallExpr>(ast::ExprKind::Call, r);
    if (!name_path(ctx->callee, depth + 1, idents_)) {
      ast::Expr* callee = expr(ctx->callee, depth + 1);
      if (callee->kind != ast::ExprKind::Error) {
        syntax_error(callee->range, "only a task or workflow can be called, by its name");
      }
      return error_expr(r);
    }
    e->callee.parts = span(idents_);
    e->callee.range = range(ctx->callee);
    size_t start = args_.size();
    bool named_seen = false;
    for (auto* a : ctx->args) {
      ast::Arg last = arg(a, depth);
      args_.push_back(last);
      if (last.name) {
        named_seen = true;
      } else if (named_seen && last.value->kind != ast::ExprKind::Error) {
        syntax_error(last.range, "a positional argument cannot follow named arguments");
      }
    }
    e->args = pop_span(args_, start);
    return e;
  }

  // `x` or `name = x`. The grammar accepts any expression before '='.
  ast::Arg arg(FlyteParser::ArgContext* ctx, int depth) {
    ast::Arg out;
    out.range = range(ctx);
    if (ctx->second == nullptr) {
      out.value = expr(ctx->first, depth + 1);
      return out;
    }
    FlyteParser::ExprContext* first = ctx->first;
    if (first != nullptr && depth + 1 <= kMaxExprDepth &&
        typeid(*first) == typeid(FlyteParser::NameExprContext)) {
      // A name, as it should be: taken from the token, with no expression made for it.
      auto* n = static_cast<FlyteParser::NameExprContext*>(first);
      if (n->name != nullptr) {
        ast::Ident id = ident(n->name);
        if (!id.name.empty()) out.name = id;
      }
    } else {
      ast::Expr* name = expr(first, depth + 1);
      if (name->kind == ast::ExprKind::Name) {
        out.name = static_cast<ast::NameExpr*>(name)->name;
      } else if (name->kind != ast::ExprKind::Error) {
        syntax_error(name->range, "expected a name before '='");
      }
    }
    out.value = expr(ctx->second, depth + 1);
    return out;
  }

  // `(x)` is a parenthesized expression; `(a = x, b = y)` is a named tuple.
  ast::Expr* paren(FlyteParser::ParenExprContext* ctx, SourceRange r, int depth) {
    size_t start = args_.size();
    for (auto* a : ctx->items) {
      ast::Arg item = arg(a, depth);
      args_.push_back(item);
    }
    size_t count = args_.size() - start;
    if (count == 1 && !args_[start].name && ctx->trailing == nullptr) {
      ast::Expr* value = args_[start].value;
      args_.resize(start);
      return value;
    }
    auto* e = make_expr<ast::TupleExpr>(ast::ExprKind::Tuple, r);
    size_t fields_start = field_inits_.size();
    for (size_t k = start; k < args_.size(); ++k) {
      const ast::Arg& a = args_[k];
      if (!a.name) {
        if (a.value->kind != ast::ExprKind::Error) {
          syntax_error(a.range, "every element of a tuple is named, as in '(model = w, acc = a)'");
        }
        args_.resize(start);
        field_inits_.resize(fields_start);
        return error_expr(r);
      }
      field_inits_.push_back({*a.name, a.value});
    }
    args_.resize(start);
    e->fields = pop_span(field_inits_, fields_start);
    return e;
  }

  ast::Span<ast::FieldInit> field_inits(const std::vector<FlyteParser::FieldInitContext*>& fs,
                                        int depth) {
    size_t start = field_inits_.size();
    for (auto* f : fs) {
      ast::Ident name = ident(f->name);
      field_inits_.push_back({name, expr(f->value, depth + 1)});
    }
    return pop_span(field_inits_, start);
  }

  ast::StringLit* string_lit(FlyteParser::StringLitContext* ctx) {
    auto* s = make_expr<ast::StringLit>(ast::ExprKind::String, {out_.file, 0, 0});
    s->raw = false;
    if (ctx == nullptr) return s;
    s->range = range(ctx);
    decode_into(s, lexed_token(ctx->value));
    return s;
  }

  void decode_into(ast::StringLit* s, const Token* tok) {
    if (tok != nullptr && tok->malformed) s->malformed = true;
    if (tok == nullptr || tok->malformed) return;
    if (tok->kind == TokenKind::RAW_STRING) {
      s->raw = true;
      s->value = decode_raw_string(text(*tok));
    } else if (tok->kind == TokenKind::STRING) {
      LiteralError err;
      s->value = decode_string(text(*tok), err).value_or("");
    }
  }

  ast::Expr* literal(antlr4::Token* value, SourceRange r) {
    const Token* tok = lexed_token(value);
    if (tok == nullptr || tok->malformed) return error_expr(r);
    std::string_view t = text(*tok);
    LiteralError err;
    switch (tok->kind) {
      case TokenKind::STRING:
      case TokenKind::RAW_STRING: {
        auto* e = make_expr<ast::StringLit>(ast::ExprKind::String, r);
        e->raw = false;
        decode_into(e, tok);
        return e;
      }
      case TokenKind::INT: {
        auto* e = make_expr<ast::IntLit>(ast::ExprKind::Int, r);
        e->value = decode_int(t, err).value_or(0);
        return e;
      }
      case TokenKind::FLOAT: {
        auto* e = make_expr<ast::FloatLit>(ast::ExprKind::Float, r);
        e->value = decode_float(t, err).value_or(0);
        return e;
      }
      case TokenKind::DURATION: {
        auto* e = make_expr<ast::DurationLit>(ast::ExprKind::Duration, r);
        e->seconds = decode_duration(t, err).value_or(0);
        return e;
      }
      case TokenKind::SIZE: {
        auto* e = make_expr<ast::SizeLit>(ast::ExprKind::Size, r);
        e->bytes = decode_size(t, err).value_or(0);
        return e;
      }
      case TokenKind::TRUE:
      case TokenKind::FALSE: {
        auto* e = make_expr<ast::BoolLit>(ast::ExprKind::Bool, r);
        e->value = tok->kind == TokenKind::TRUE;
        return e;
      }
      case TokenKind::NONE: return make_expr<ast::NoneLit>(ast::ExprKind::None, r);
      default: return error_expr(r);
    }
  }

  const LexedFile& lexed_;
  std::string_view source_;
  DiagnosticEngine& diags_;
  ast::File& out_;
  Arena& arena_;
  // Scratch room for the names of a `let` or the parts of a qualified name, which are
  // then copied into the arena.
  std::vector<ast::Ident> idents_;
  // The stacks that nodes with a list of parts build it on (see pop_span).
  std::vector<ast::Arg> args_;
  std::vector<ast::Expr*> exprs_;
  std::vector<ast::FieldInit> field_inits_;
  std::vector<ast::MapEntry> entries_;
  std::vector<ast::IfArm> arms_;
  std::vector<ast::Stmt*> stmts_;
  bool too_deep_reported_ = false;
};

AstBuilder::AstBuilder(const LexedFile& lexed, std::string_view source, DiagnosticEngine& diags,
                       ast::File& out)
    : impl_(std::make_unique<Impl>(lexed, source, diags, out)) {}
AstBuilder::~AstBuilder() = default;

void AstBuilder::add_file(FlyteParser::FileContext* ctx) { impl_->file(ctx); }
void AstBuilder::add_module(FlyteParser::ModuleDeclContext* ctx) { impl_->module(ctx); }
void AstBuilder::add_import(FlyteParser::ImportDeclContext* ctx) { impl_->import(ctx); }
void AstBuilder::add_decl(FlyteParser::DeclContext* ctx) { impl_->add_decl(ctx); }
void AstBuilder::begin_workflow(FlyteParser::AnnotationsContext* anns,
                                FlyteParser::WorkflowHeadContext* head) {
  impl_->begin_workflow(anns, head);
}
void AstBuilder::add_workflow_stmt(FlyteParser::StmtContext* stmt) {
  impl_->add_workflow_stmt(stmt);
}
void AstBuilder::end_workflow(size_t close_brace_index) { impl_->end_workflow(close_brace_index); }

}  // namespace flyte::detail
