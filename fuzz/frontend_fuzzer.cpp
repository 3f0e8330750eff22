// libFuzzer target for the frontend: any bytes in, no crash, hang, leak or undefined
// behaviour out. Lexes, parses and builds the AST, resolves names and type-checks it
// (as a module with no imports found), then renders the diagnostics in every format and
// dumps the AST, so that locations and printers are fuzzed too.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "frontend/AstDump.h"
#include "frontend/Parser.h"
#include "frontend/Program.h"
#include "frontend/Sema.h"
#include "ir/diag/DiagnosticRender.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace flyte;
  SourceManager sm;
  FileId file = sm.add_buffer("fuzz.flyte", std::string(reinterpret_cast<const char*>(data), size));
  DiagnosticEngine diags;
  // Keep `//` comment ranges on every other input, as `flytec check --verify` does.
  ParseOptions options;
  options.keep_comments = size % 2 == 1;
  ParseResult result = parse_file(sm, file, diags, options);
  Program program;
  auto module = std::make_unique<Module>();
  module->file = file;
  module->name = result.file->module ? result.file->module->str() : "";
  module->ast = std::move(result.file);
  for (const ast::Import& imp : module->ast->imports) module->imports.push_back({&imp, nullptr});
  program.modules.push_back(std::move(module));
  check_program(program, sm, diags);
  diags.sort();

  std::ostringstream out;
  render_text(diags.diagnostics(), sm, out, /*color=*/size % 3 == 0);
  out << render_json(diags.diagnostics(), sm);
  out << render_sarif(diags.diagnostics(), sm);
  dump_ast(*program.main()->ast, sm, out);
  return 0;
}
