// Types and conversions: written types resolved to interned ones, and the implicit
// conversions of LANGUAGE.md section 3 with their mismatch diagnostics.
#pragma once

#include <functional>
#include <string_view>

#include "frontend/check/Context.h"
#include "frontend/check/TensorUnify.h"

namespace flyte::check {

/// The type `t` names, such as `List<Tensor<f32, [N, D]>>?`; Error (reported, E0102)
/// when it names none.
TypeId resolve_type(Context& ctx, const ast::TypeExpr* t);

/// The type alias `a` stands for, resolved once, in `a`'s own module.
TypeId alias_type(Context& ctx, const ast::AliasDecl* a);

/// Whether a value of type `from`, written as `e`, may stand where `to` is expected. The
/// tensor variables of `to` bind in `b` (a callee's parameter); a tensor that does not
/// unify is reported here (E0302, E0303) and counts as convertible, so that the caller
/// reports no second, vaguer mismatch. `arg` names the parameter in messages.
bool convertible(Context& ctx, const ast::Expr* e, TypeId from, TypeId to, TensorBindings* b,
                 std::string_view arg);

/// Checks `e` against `expected` and returns its type; a mismatch is E0301 or E0307 (an
/// optional or `none` where a value is required), with notes from `add_notes`.
TypeId expect(Context& ctx, const ast::Expr* e, TypeId expected,
              const std::function<void(Diagnostic&)>& add_notes, TensorBindings* b = nullptr,
              std::string_view arg = {});

}  // namespace flyte::check
