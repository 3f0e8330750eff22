// Unit tests for what the checker records on the AST (frontend/Sema.h): each expression's
// type, each call's callee, and the slots of name resolution.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "frontend/Annotations.h"
#include "frontend/Program.h"
#include "frontend/Sema.h"

namespace flyte {
namespace {

// A checked program and the diagnostics it produced.
struct Checked {
  SourceManager sm;
  DiagnosticEngine diags;
  std::unique_ptr<Program> program;
  std::unique_ptr<Semantics> sema;

  explicit Checked(std::string text) {
    FileId id = sm.add_buffer("test.flyte", std::move(text));
    program = load_program(sm, id, diags, LoadOptions{});
    sema = check_program(*program, sm, diags);
  }

  const ast::Decl* decl(std::string_view name) const {
    for (const ast::Decl* d : program->main()->ast->decls) {
      if (d->name.name == name) return d;
    }
    return nullptr;
  }
  const ast::WorkflowDecl* workflow(std::string_view name) const {
    return static_cast<const ast::WorkflowDecl*>(decl(name));
  }
};

template <class T>
const T* as(const ast::Expr* e) {
  return static_cast<const T*>(e);
}

constexpr const char* kProgram =
    R"(task pair(x: int) -> (a: int, b: int) { shell "echo {x} > {a} {b}" }

workflow w(n: int, m: int) -> int {
    let x = n + m
    let (a, b) = pair(x = x)
    let _ys = for i in [1, 2] { let z = i + a
        z }
    let c = if x > 0 { let x = b
        x } else { b }
    @after(d)
    let _e = c + 1
    let d = x + 1
    return c + d
}
)";

TEST(SemaTest, SlotsFollowTheOrderOfBinding) {
  Checked c(kProgram);
  ASSERT_EQ(c.diags.error_count(), 0u);
  const ast::WorkflowDecl* w = c.workflow("w");
  const Semantics& s = *c.sema;
  // n, m; x; a, b; the for's i, its block's z, then ys; the if arm's x, then c; e; d.
  EXPECT_EQ(s.slot_count(w), 12u);
  EXPECT_EQ(Semantics::param_slot(1), 1u);
  const auto& body = w->body;
  EXPECT_EQ(s.slot_of(body[0], 0), 2u);   // x
  EXPECT_EQ(s.slot_of(body[1], 0), 3u);   // a
  EXPECT_EQ(s.slot_of(body[1], 1), 4u);   // b
  EXPECT_EQ(s.slot_of(body[2], 0), 7u);   // _ys
  EXPECT_EQ(s.slot_of(body[3], 0), 9u);   // c
  EXPECT_EQ(s.slot_of(body[4], 0), 10u);  // _e
  EXPECT_EQ(s.slot_of(body[5], 0), 11u);  // d

  // let x = n + m
  auto* sum = as<ast::BinaryExpr>(body[0]->value);
  EXPECT_EQ(s.slot_of(as<ast::NameExpr>(sum->lhs)), 0u);
  EXPECT_EQ(s.slot_of(as<ast::NameExpr>(sum->rhs)), 1u);
  // let (a, b) = pair(x = x)
  auto* call = as<ast::CallExpr>(body[1]->value);
  EXPECT_EQ(s.callee_of(call), c.decl("pair"));
  EXPECT_EQ(s.callee_of(call), c.decl("pair"));
  EXPECT_EQ(s.slot_of(as<ast::NameExpr>(call->args[0].value)), 2u);
  // for i in [1, 2] { let z = i + a; z }
  auto* loop = as<ast::ForExpr>(body[2]->value);
  EXPECT_EQ(s.slot_of(loop), 5u);
  const ast::Stmt* z = loop->body->lets[0];
  EXPECT_EQ(s.slot_of(z, 0), 6u);
  auto* z_value = as<ast::BinaryExpr>(z->value);
  EXPECT_EQ(s.slot_of(as<ast::NameExpr>(z_value->lhs)), 5u);
  EXPECT_EQ(s.slot_of(as<ast::NameExpr>(z_value->rhs)), 3u);
  EXPECT_EQ(s.slot_of(as<ast::NameExpr>(loop->body->value)), 6u);
  // if x > 0 { let x = b; x } else { b }: the arm's x hides the workflow's.
  auto* branch = as<ast::IfExpr>(body[3]->value);
  EXPECT_EQ(s.slot_of(as<ast::NameExpr>(as<ast::BinaryExpr>(branch->arms[0].cond)->lhs)), 2u);
  const ast::Block* arm = branch->arms[0].body;
  EXPECT_EQ(s.slot_of(arm->lets[0], 0), 8u);
  EXPECT_EQ(s.slot_of(as<ast::NameExpr>(arm->lets[0]->value)), 4u);
  EXPECT_EQ(s.slot_of(as<ast::NameExpr>(arm->value)), 8u);
  EXPECT_EQ(s.slot_of(as<ast::NameExpr>(branch->else_body->value)), 4u);
  // @after(d) names a later binding.
  AnnotationValues said = read_annotations(body[4]->annotations);
  ASSERT_EQ(said.after.size(), 1u);
  EXPECT_EQ(s.slot_of(said.after[0]), 11u);
  // return c + d
  auto* ret = as<ast::BinaryExpr>(body[6]->value);
  EXPECT_EQ(s.slot_of(as<ast::NameExpr>(ret->lhs)), 9u);
  EXPECT_EQ(s.slot_of(as<ast::NameExpr>(ret->rhs)), 11u);
}

TEST(SemaTest, TypesAreRecordedOnEachExpression) {
  Checked c(kProgram);
  ASSERT_EQ(c.diags.error_count(), 0u);
  const Semantics& s = *c.sema;
  const auto& body = c.workflow("w")->body;
  EXPECT_EQ(s.type_of(body[0]->value), s.types.int_());
  EXPECT_EQ(s.types.kind(s.type_of(body[1]->value)), TypeKind::Outputs);
  EXPECT_EQ(s.types.kind(s.type_of(body[2]->value)), TypeKind::List);
  EXPECT_EQ(s.type_of(body[3]->value), s.types.int_());
}

TEST(SemaTest, AnUnknownNameHasNoSlot) {
  Checked c("workflow w(n: int) -> int {\n    let x = n + y\n    return x\n}\n");
  EXPECT_EQ(c.diags.error_count(), 1u);
  const ast::WorkflowDecl* w = c.workflow("w");
  auto* sum = as<ast::BinaryExpr>(w->body[0]->value);
  EXPECT_EQ(c.sema->slot_of(as<ast::NameExpr>(sum->lhs)), 0u);
  EXPECT_EQ(c.sema->slot_of(as<ast::NameExpr>(sum->rhs)), ast::kNoSlot);
  EXPECT_EQ(c.sema->type_of(sum->rhs), c.sema->types.error());
  EXPECT_EQ(c.sema->slot_count(w), 2u);
}

TEST(SemaTest, AnUnresolvedCallHasNoCallee) {
  Checked c("workflow w() -> int {\n    return nope(x = 1)\n}\n");
  EXPECT_EQ(c.diags.error_count(), 1u);
  auto* call = as<ast::CallExpr>(c.workflow("w")->body[0]->value);
  EXPECT_EQ(c.sema->callee_of(call), nullptr);
  EXPECT_TRUE(c.sema->callee_of(call) == nullptr);
}

}  // namespace
}  // namespace flyte
