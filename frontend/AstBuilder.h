// Translates ANTLR's parse tree into the AST. Private to frontend/.
#pragma once

#include <memory>

#include "FlyteParser.h"
#include "frontend/Ast.h"
#include "frontend/Token.h"
#include "ir/diag/Diagnostic.h"

namespace flyte::detail {

/// Translates parse trees into `out`, one top-level construct at a time, so that the
/// parser can free each construct's tree as soon as it is translated. Reports the
/// syntax rules the grammar leaves to the builder (runner words, callees that are not
/// names, chained comparisons) as E0001.
class AstBuilder {
 public:
  AstBuilder(const LexedFile& lexed, std::string_view source, DiagnosticEngine& diags,
             ast::File& out);
  ~AstBuilder();
  AstBuilder(const AstBuilder&) = delete;
  AstBuilder& operator=(const AstBuilder&) = delete;

  void add_file(grammar::FlyteParser::FileContext* ctx);
  void add_module(grammar::FlyteParser::ModuleDeclContext* ctx);
  void add_import(grammar::FlyteParser::ImportDeclContext* ctx);
  void add_decl(grammar::FlyteParser::DeclContext* ctx);

  /// Streaming a workflow: its annotations and head, each statement as it is parsed,
  /// then the index of its closing brace.
  void begin_workflow(grammar::FlyteParser::AnnotationsContext* anns,
                      grammar::FlyteParser::WorkflowHeadContext* head);
  void add_workflow_stmt(grammar::FlyteParser::StmtContext* stmt);
  void end_workflow(size_t close_brace_index);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flyte::detail
