// The parse tree -> AST translation. Every rule context may be partial after error
// recovery, so every accessor result is checked; what is missing becomes an ErrorExpr
// or an empty name, which later phases treat as already reported.
#include "frontend/AstBuilder.h"

#include <fmt/format.h>

#include "frontend/Literals.h"

namespace flyte::detail {
namespace {

using grammar::FlyteParser;
using antlr4::ParserRuleContext;
using antlr4::tree::TerminalNode;

// Deeper expressions than this are refused; left-nested chains such as `a + b + c …`
// are not limited by the lexer's bracket count, and every later phase recurses.
constexpr int kMaxExprDepth = 1000;

class Builder {
 public:
  Builder(const LexedFile& lexed, std::string_view source, DiagnosticEngine& diags, ast::File& out)
      : lexed_(lexed), source_(source), diags_(diags), out_(out), arena_(out.arena) {}

  void file(FlyteParser::FileContext* ctx) {
    if (auto* m = ctx->moduleDecl()) {
      out_.doc = doc_of(m->getStart());
      if (auto* q = m->qualName()) out_.module = qual_name(q);
    }
    for (auto* i : ctx->importDecl()) import(i);
    for (auto* d : ctx->decl()) {
      if (ast::Decl* decl = this->decl(d)) out_.decls.push_back(decl);
    }
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

  SourceRange range(TerminalNode* n) const { return range(n ? n->getSymbol() : nullptr); }

  SourceRange range(ParserRuleContext* ctx) const {
    const Token* a = lexed_token(ctx->getStart());
    const Token* b = lexed_token(ctx->getStop());
    if (a == nullptr) return {out_.file, 0, 0};
    if (b == nullptr || b->end < a->begin) return {out_.file, a->begin, a->begin};
    return {out_.file, a->begin, b->end};
  }

  std::string_view text(const Token& t) const { return source_.substr(t.begin, t.end - t.begin); }

  std::string doc_of(antlr4::Token* t) const {
    const Token* tok = lexed_token(t);
    if (tok == nullptr || tok->doc == Token::kNoDoc) return {};
    return lexed_.docs[tok->doc].text;
  }

  // A name; a token conjured by error recovery gives an empty name.
  ast::Ident ident(TerminalNode* n) const {
    const Token* tok = lexed_token(n ? n->getSymbol() : nullptr);
    if (tok == nullptr || tok->kind != TokenKind::IDENT) return {{}, range(n)};
    return {text(*tok), {out_.file, tok->begin, tok->end}};
  }

  ast::QualName qual_name(FlyteParser::QualNameContext* ctx) const {
    ast::QualName q;
    for (auto* id : ctx->IDENT()) q.parts.push_back(ident(id));
    q.range = range(ctx);
    return q;
  }

  void syntax_error(SourceRange r, std::string message) {
    diags_.report(DiagCode::E0001, r, std::move(message));
  }

  // --------------------------------------------------------------- declarations

  void import(FlyteParser::ImportDeclContext* ctx) {
    ast::Import imp;
    imp.range = range(ctx);
    if (auto* q = ctx->qualName()) imp.path = qual_name(q);
    if (ctx->alias != nullptr) {
      const Token* tok = lexed_token(ctx->alias);
      if (tok != nullptr) imp.alias = ast::Ident{text(*tok), range(ctx->alias)};
    }
    if (ctx->LBRACE() != nullptr) {
      imp.selective = true;
      for (auto* id : ctx->IDENT()) {
        if (ctx->alias != nullptr && id->getSymbol() == ctx->alias) continue;
        imp.names.push_back(ident(id));
      }
    }
    out_.imports.push_back(std::move(imp));
  }

  std::vector<ast::Annotation> annotations(const std::vector<FlyteParser::AnnotationContext*>& as) {
    std::vector<ast::Annotation> out;
    out.reserve(as.size());
    for (auto* a : as) {
      ast::Annotation ann;
      ann.name = ident(a->IDENT());
      ann.has_parens = a->LPAREN() != nullptr;
      ann.range = range(a);
      for (auto* arg : a->annotationArg()) {
        ast::Arg out_arg;
        if (arg->IDENT() != nullptr) out_arg.name = ident(arg->IDENT());
        out_arg.value = expr(arg->expr(), 0);
        out_arg.range = range(arg);
        ann.args.push_back(std::move(out_arg));
      }
      out.push_back(std::move(ann));
    }
    return out;
  }

  ast::Decl* decl(FlyteParser::DeclContext* ctx) {
    ast::Decl* d = nullptr;
    if (auto* sd = ctx->structDecl()) {
      auto* n = arena_.make<ast::StructDecl>();
      n->kind = ast::DeclKind::Struct;
      n->name = ident(sd->IDENT());
      for (auto* f : sd->field()) n->fields.push_back(field(f));
      d = n;
    } else if (auto* e = ctx->enumDecl()) {
      auto* n = arena_.make<ast::EnumDecl>();
      n->kind = ast::DeclKind::Enum;
      auto ids = e->IDENT();
      if (!ids.empty()) n->name = ident(ids[0]);
      for (size_t i = 1; i < ids.size(); ++i) n->members.push_back(ident(ids[i]));
      d = n;
    } else if (auto* a = ctx->aliasDecl()) {
      auto* n = arena_.make<ast::AliasDecl>();
      n->kind = ast::DeclKind::Alias;
      n->name = ident(a->IDENT());
      n->type = type(a->type());
      d = n;
    } else if (auto* t = ctx->taskDecl()) {
      auto* n = arena_.make<ast::TaskDecl>();
      n->kind = ast::DeclKind::Task;
      n->name = ident(t->IDENT());
      if (auto* p = t->paramList()) n->params = params(p);
      if (auto* o = t->outputs()) n->outputs = outputs(o);
      n->runner = runner(t->runner(), range(t));
      d = n;
    } else if (auto* w = ctx->workflowDecl()) {
      auto* n = arena_.make<ast::WorkflowDecl>();
      n->kind = ast::DeclKind::Workflow;
      n->name = ident(w->IDENT());
      if (auto* p = w->paramList()) n->params = params(p);
      if (auto* o = w->outputs()) n->outputs = outputs(o);
      for (auto* s : w->stmt()) {
        if (ast::Stmt* st = stmt(s)) n->body.push_back(st);
      }
      d = n;
    } else if (auto* l = ctx->launchDecl()) {
      auto* n = arena_.make<ast::LaunchDecl>();
      n->kind = ast::DeclKind::Launch;
      n->name = ident(l->IDENT());
      n->call = nullptr;
      if (l->expr() != nullptr) {
        ast::Expr* e2 = expr(l->expr(), 0);
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
    d->annotations = annotations(ctx->annotation());
    d->doc = doc_of(ctx->getStart());
    d->range = range(ctx);
    return d;
  }

  ast::Field field(FlyteParser::FieldContext* ctx) {
    return {ident(ctx->IDENT()), type(ctx->type()), range(ctx)};
  }

  std::vector<ast::Param> params(FlyteParser::ParamListContext* ctx) {
    std::vector<ast::Param> out;
    for (auto* p : ctx->param()) {
      ast::Param param{ident(p->IDENT()), type(p->type()), nullptr, range(p)};
      if (p->expr() != nullptr) param.default_value = expr(p->expr(), 0);
      out.push_back(param);
    }
    return out;
  }

  ast::Outputs outputs(FlyteParser::OutputsContext* ctx) {
    ast::Outputs o;
    o.range = range(ctx);
    if (ctx->LPAREN() != nullptr) {
      o.named = true;
      for (auto* f : ctx->field()) o.fields.push_back(field(f));
    } else {
      o.single = type(ctx->type());
    }
    return o;
  }

  ast::Runner runner(FlyteParser::RunnerContext* ctx, SourceRange fallback) {
    ast::Runner r{ast::RunnerKind::Shell, {}, fallback};
    if (ctx == nullptr) return r;
    r.range = range(ctx);
    ast::Ident word = ident(ctx->IDENT());
    for (auto* s : ctx->stringLit()) r.args.push_back(string_lit(s));
    bool parens = ctx->LPAREN() != nullptr;
    if (word.name.empty()) return r;
    size_t want = 0;
    std::string_view form;
    if (word.name == "shell") {
      r.kind = ast::RunnerKind::Shell;
      want = 1;
      form = "shell \"\"\"command\"\"\"";
      if (parens) want = 0;  // `shell(...)` is not the form
    } else if (word.name == "cpp") {
      r.kind = ast::RunnerKind::Cpp;
      want = parens ? 2 : 0;
      form = "cpp(\"file.cpp\", \"ns::function\")";
    } else if (word.name == "builtin") {
      r.kind = ast::RunnerKind::Builtin;
      want = parens ? 1 : 0;
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
    if (auto* q = ctx->qualName()) t->name = qual_name(q);
    t->has_args = ctx->LT() != nullptr;
    t->optional = ctx->optional != nullptr;
    for (auto* a : ctx->typeArg()) {
      ast::TypeArg arg;
      arg.range = range(a);
      if (auto* inner = a->type()) {
        arg.type = type(inner);
      } else if (auto* s = a->shape()) {
        for (auto* d : s->dim()) arg.shape.push_back(dim(d));
      }
      t->args.push_back(std::move(arg));
    }
    return t;
  }

  ast::Dim dim(FlyteParser::DimContext* ctx) {
    ast::Dim d{ast::Dim::Kind::Unknown, 0, {}, range(ctx)};
    if (auto* i = ctx->INT()) {
      d.kind = ast::Dim::Kind::Literal;
      const Token* tok = lexed_token(i->getSymbol());
      LiteralError err;
      if (tok != nullptr && !tok->malformed) d.value = decode_int(text(*tok), err).value_or(0);
    } else if (auto* id = ctx->IDENT()) {
      d.kind = ast::Dim::Kind::Var;
      d.name = ident(id).name;
    }
    return d;
  }

  // --------------------------------------------------------------- statements

  ast::Stmt* stmt(FlyteParser::StmtContext* ctx) {
    if (auto* l = ctx->letStmt()) return let(l);
    auto* s = arena_.make<ast::Stmt>();
    s->kind = ast::Stmt::Kind::Return;
    s->value = expr(ctx->expr(), 0);
    s->range = range(ctx);
    return s;
  }

  ast::Stmt* let(FlyteParser::LetStmtContext* ctx) {
    auto* s = arena_.make<ast::Stmt>();
    s->kind = ast::Stmt::Kind::Let;
    s->annotations = annotations(ctx->annotation());
    s->destructure = ctx->LPAREN() != nullptr;
    for (auto* id : ctx->IDENT()) s->names.push_back(ident(id));
    s->value = expr(ctx->expr(), 0);
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
    for (auto* l : ctx->letStmt()) b->lets.push_back(let(l));
    b->value = expr(ctx->expr(), depth + 1);
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
    if (ctx->exception != nullptr && ctx->children.empty()) return error_expr(r);
    if (depth > kMaxExprDepth) {
      if (!too_deep_reported_) {
        too_deep_reported_ = true;
        syntax_error(r, fmt::format("expression is nested too deeply (more than {} levels)",
                                    kMaxExprDepth));
      }
      return error_expr(r);
    }
    if (auto* p = dynamic_cast<FlyteParser::PrimaryExprContext*>(ctx)) {
      return primary(p->primary(), depth);
    }
    if (auto* f = dynamic_cast<FlyteParser::FieldExprContext*>(ctx)) {
      auto* e = make_expr<ast::FieldExpr>(ast::ExprKind::Field, r);
      e->base = expr(f->expr(), depth + 1);
      e->field = ident(f->IDENT());
      return e;
    }
    if (auto* c = dynamic_cast<FlyteParser::CallExprContext*>(ctx)) return call(c, r, depth);
    if (auto* n = dynamic_cast<FlyteParser::NegExprContext*>(ctx)) {
      return negate(expr(n->expr(), depth + 1), r);
    }
    if (auto* n = dynamic_cast<FlyteParser::NotExprContext*>(ctx)) {
      auto* e = make_expr<ast::UnaryExpr>(ast::ExprKind::Unary, r);
      e->op = ast::UnaryOp::Not;
      e->operand = expr(n->expr(), depth + 1);
      return e;
    }
    if (auto* m = dynamic_cast<FlyteParser::MulExprContext*>(ctx)) {
      return binary(m->expr(), m->op, m->op && m->op->getType() == FlyteParser::STAR
                                          ? ast::BinaryOp::Mul
                                          : ast::BinaryOp::Div,
                    r, depth);
    }
    if (auto* a = dynamic_cast<FlyteParser::AddExprContext*>(ctx)) {
      return binary(a->expr(), a->op, a->op && a->op->getType() == FlyteParser::PLUS
                                          ? ast::BinaryOp::Add
                                          : ast::BinaryOp::Sub,
                    r, depth);
    }
    if (auto* c = dynamic_cast<FlyteParser::CmpExprContext*>(ctx)) {
      ast::BinaryOp op = ast::BinaryOp::Eq;
      switch (c->op ? c->op->getType() : 0) {
        case FlyteParser::NE: op = ast::BinaryOp::Ne; break;
        case FlyteParser::LT: op = ast::BinaryOp::Lt; break;
        case FlyteParser::LE: op = ast::BinaryOp::Le; break;
        case FlyteParser::GT: op = ast::BinaryOp::Gt; break;
        case FlyteParser::GE: op = ast::BinaryOp::Ge; break;
        default: break;
      }
      auto* e = binary(c->expr(), c->op, op, r, depth);
      // Comparisons do not associate: `a < b < c` means nothing useful.
      if (e->kind == ast::ExprKind::Binary) {
        auto* b = static_cast<ast::BinaryExpr*>(e);
        if (is_comparison(b->lhs) || is_comparison(b->rhs)) {
          syntax_error(b->op_range,
                       "comparison operators cannot be chained; combine comparisons with 'and'");
        }
      }
      return e;
    }
    if (auto* a = dynamic_cast<FlyteParser::AndExprContext*>(ctx)) {
      return binary(a->expr(), a->AND() ? a->AND()->getSymbol() : nullptr, ast::BinaryOp::And, r,
                    depth);
    }
    if (auto* o = dynamic_cast<FlyteParser::OrExprContext*>(ctx)) {
      return binary(o->expr(), o->OR() ? o->OR()->getSymbol() : nullptr, ast::BinaryOp::Or, r,
                    depth);
    }
    return error_expr(r);
  }

  static bool is_comparison(const ast::Expr* e) {
    if (e->kind != ast::ExprKind::Binary) return false;
    auto op = static_cast<const ast::BinaryExpr*>(e)->op;
    return op >= ast::BinaryOp::Eq && op <= ast::BinaryOp::Ge;
  }

  ast::Expr* binary(const std::vector<FlyteParser::ExprContext*>& operands, antlr4::Token* op_tok,
                    ast::BinaryOp op, SourceRange r, int depth) {
    auto* e = make_expr<ast::BinaryExpr>(ast::ExprKind::Binary, r);
    e->op = op;
    e->lhs = operands.size() > 0 ? expr(operands[0], depth + 1) : error_expr(r);
    e->rhs = operands.size() > 1 ? expr(operands[1], depth + 1) : error_expr(r);
    e->op_range = range(op_tok);
    return e;
  }

  // `-` applied to a numeric literal folds to a negative literal (LANGUAGE.md section 2).
  ast::Expr* negate(ast::Expr* operand, SourceRange r) {
    if (operand->kind == ast::ExprKind::Int) {
      auto* i = static_cast<ast::IntLit*>(operand);
      i->value = -i->value;
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

  // Turns the callee expression (`f`, `tensor.matmul`) back into a qualified name.
  bool callee_name(ast::Expr* e, ast::QualName& out) {
    if (e->kind == ast::ExprKind::Name) {
      out.parts.push_back(static_cast<ast::NameExpr*>(e)->name);
      return true;
    }
    if (e->kind == ast::ExprKind::Field) {
      auto* f = static_cast<ast::FieldExpr*>(e);
      if (!callee_name(f->base, out)) return false;
      out.parts.push_back(f->field);
      return true;
    }
    return false;
  }

  ast::Expr* call(FlyteParser::CallExprContext* ctx, SourceRange r, int depth) {
    ast::Expr* callee = expr(ctx->expr(), depth + 1);
    auto* e = make_expr<ast::CallExpr>(ast::ExprKind::Call, r);
    if (!callee_name(callee, e->callee)) {
      if (callee->kind != ast::ExprKind::Error) {
        syntax_error(callee->range, "only a task or workflow can be called, by its name");
      }
      return error_expr(r);
    }
    e->callee.range = callee->range;
    for (auto* a : ctx->arg()) {
      ast::Arg arg;
      if (a->IDENT() != nullptr) arg.name = ident(a->IDENT());
      arg.value = expr(a->expr(), depth + 1);
      arg.range = range(a);
      e->args.push_back(std::move(arg));
    }
    return e;
  }

  std::vector<ast::FieldInit> field_inits(const std::vector<FlyteParser::FieldInitContext*>& fs,
                                          int depth) {
    std::vector<ast::FieldInit> out;
    out.reserve(fs.size());
    for (auto* f : fs) out.push_back({ident(f->IDENT()), expr(f->expr(), depth + 1)});
    return out;
  }

  ast::Expr* primary(FlyteParser::PrimaryContext* ctx, int depth) {
    if (ctx == nullptr) return error_expr({out_.file, 0, 0});
    SourceRange r = range(ctx);
    if (auto* l = dynamic_cast<FlyteParser::LiteralExprContext*>(ctx)) return literal(l->literal());
    if (auto* n = dynamic_cast<FlyteParser::NameExprContext*>(ctx)) {
      auto* e = make_expr<ast::NameExpr>(ast::ExprKind::Name, r);
      e->name = ident(n->IDENT());
      if (e->name.name.empty()) return error_expr(r);
      return e;
    }
    if (auto* p = dynamic_cast<FlyteParser::ParenExprContext*>(ctx)) {
      return expr(p->expr(), depth + 1);
    }
    if (auto* t = dynamic_cast<FlyteParser::TupleExprContext*>(ctx)) {
      auto* e = make_expr<ast::TupleExpr>(ast::ExprKind::Tuple, r);
      e->fields = field_inits(t->fieldInit(), depth);
      return e;
    }
    if (auto* l = dynamic_cast<FlyteParser::ListExprContext*>(ctx)) {
      auto* e = make_expr<ast::ListExpr>(ast::ExprKind::List, r);
      for (auto* x : l->expr()) e->elements.push_back(expr(x, depth + 1));
      return e;
    }
    if (auto* m = dynamic_cast<FlyteParser::MapExprContext*>(ctx)) {
      auto* e = make_expr<ast::MapExpr>(ast::ExprKind::Map, r);
      for (auto* entry : m->mapEntry()) {
        e->entries.push_back({string_lit(entry->stringLit()), expr(entry->expr(), depth + 1)});
      }
      return e;
    }
    if (auto* s = dynamic_cast<FlyteParser::StructExprContext*>(ctx)) {
      auto* e = make_expr<ast::StructExpr>(ast::ExprKind::Struct, r);
      if (s->qualName() != nullptr) e->type = qual_name(s->qualName());
      e->fields = field_inits(s->fieldInit(), depth);
      return e;
    }
    if (auto* i = dynamic_cast<FlyteParser::IfExprContext*>(ctx)) {
      auto* e = make_expr<ast::IfExpr>(ast::ExprKind::If, r);
      auto conds = i->expr();
      auto blocks = i->block();
      for (size_t k = 0; k < conds.size(); ++k) {
        ast::Block* body = k < blocks.size() ? block(blocks[k], depth) : block(nullptr, depth);
        e->arms.push_back({expr(conds[k], depth + 1), body});
      }
      e->else_body =
          blocks.size() > conds.size() ? block(blocks.back(), depth) : block(nullptr, depth);
      return e;
    }
    if (auto* f = dynamic_cast<FlyteParser::ForExprContext*>(ctx)) {
      auto* e = make_expr<ast::ForExpr>(ast::ExprKind::For, r);
      e->var = ident(f->IDENT());
      e->iterable = expr(f->expr(), depth + 1);
      e->body = block(f->block(), depth);
      return e;
    }
    if (auto* f = dynamic_cast<FlyteParser::FailExprContext*>(ctx)) {
      auto* e = make_expr<ast::FailExpr>(ast::ExprKind::Fail, r);
      e->message = expr(f->expr(), depth + 1);
      return e;
    }
    return error_expr(r);
  }

  ast::StringLit* string_lit(FlyteParser::StringLitContext* ctx) {
    auto* s = make_expr<ast::StringLit>(ast::ExprKind::String, {out_.file, 0, 0});
    s->raw = false;
    if (ctx == nullptr) return s;
    s->range = range(ctx);
    const Token* tok = lexed_token(ctx->getStart());
    if (tok == nullptr || tok->malformed) return s;
    if (tok->kind == TokenKind::RAW_STRING) {
      s->raw = true;
      s->value = decode_raw_string(text(*tok));
    } else if (tok->kind == TokenKind::STRING) {
      LiteralError err;
      s->value = decode_string(text(*tok), err).value_or("");
    }
    return s;
  }

  ast::Expr* literal(FlyteParser::LiteralContext* ctx) {
    if (ctx == nullptr) return error_expr({out_.file, 0, 0});
    SourceRange r = range(ctx);
    if (auto* s = ctx->stringLit()) {
      const Token* tok = lexed_token(s->getStart());
      if (tok == nullptr || tok->malformed) return error_expr(r);
      return string_lit(s);
    }
    const Token* tok = lexed_token(ctx->getStart());
    if (tok == nullptr || tok->malformed) return error_expr(r);
    std::string_view t = text(*tok);
    LiteralError err;
    switch (tok->kind) {
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
      case TokenKind::NONE:
        return make_expr<ast::NoneLit>(ast::ExprKind::None, r);
      default:
        return error_expr(r);
    }
  }

  const LexedFile& lexed_;
  std::string_view source_;
  DiagnosticEngine& diags_;
  ast::File& out_;
  Arena& arena_;
  bool too_deep_reported_ = false;
};

}  // namespace

void build_ast(FlyteParser::FileContext* tree, const LexedFile& lexed, std::string_view source,
               DiagnosticEngine& diags, ast::File& out) {
  Builder(lexed, source, diags, out).file(tree);
}

}  // namespace flyte::detail
