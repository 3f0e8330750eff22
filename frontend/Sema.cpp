// Name resolution and type checking, phase by phase: collect every module's declarations,
// resolve imports, types and signatures, then check workflow bodies and launches. Each
// kind of thing checked lives in frontend/check/.
#include "frontend/Sema.h"

#include "frontend/check/Context.h"
#include "frontend/check/Cycles.h"
#include "frontend/check/Declarations.h"
#include "frontend/check/Lookup.h"
#include "frontend/check/Workflows.h"
#include "support/Check.h"

namespace flyte {
namespace {

void check_all(check::Context& ctx) {
  using ast::DeclKind;
  for (const auto& m : ctx.program.modules) check::collect_module(ctx, *m);
  check::resolve_selective_imports(ctx);
  // Struct fields first: parameter defaults may be struct values of structs declared
  // further down, or in another module.
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& m : ctx.program.modules) {
      ctx.cur = &ctx.infos[m.get()];
      for (const ast::Decl* d : m->ast->decls) {
        if ((d->kind == DeclKind::Struct) == (pass == 0)) check::declare(ctx, d);
      }
    }
  }
  for (const auto& m : ctx.program.modules) {
    ctx.cur = &ctx.infos[m.get()];
    for (const ast::Decl* d : m->ast->decls) {
      if (ctx.diags.limit_reached()) return;  // nothing more would be reported
      if (d->kind == DeclKind::Workflow)
        check::check_workflow(ctx, static_cast<const ast::WorkflowDecl*>(d));
      if (d->kind == DeclKind::Launch)
        check::check_launch(ctx, static_cast<const ast::LaunchDecl*>(d));
    }
  }
  check::check_recursion(ctx);
}

}  // namespace

std::unique_ptr<Semantics> check_program(const Program& program, const SourceManager& sm,
                                         DiagnosticEngine& diags) {
  auto sema = std::make_unique<Semantics>();
  // An expression's type field starts as a default TypeId, which must read as Error.
  FLYTEC_CHECK(sema->types.error() == TypeId{}, "the Error type is not TypeId{}");
  check::Context ctx(program, sm, diags, *sema);
  check_all(ctx);
  return sema;
}

}  // namespace flyte
