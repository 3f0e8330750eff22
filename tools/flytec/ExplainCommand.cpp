// `flytec explain CODE`: what a diagnostic code means, with an example.
#include <iostream>

#include "ir/diag/Diagnostic.h"
#include "ir/diag/DiagnosticExplain.h"
#include "tools/flytec/Commands.h"

namespace flyte::driver {

Runner add_explain_command(CLI::App& app) {
  auto code = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("explain", "Explain a diagnostic code, such as E0301");
  cmd->add_option("code", *code, "The code, as printed in a diagnostic")
      ->required()
      ->type_name("CODE");
  return [code] {
    std::string name = *code;
    for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto id = diag_code_from_name(name);
    if (!id) {
      std::cerr << "flytec: error: unknown diagnostic code '" << *code
                << "'; codes look like E0301 or W0001\n";
      return static_cast<int>(kUsage);
    }
    std::cout << diag_code_name(*id) << " (" << severity_name(diag_code_severity(*id))
              << "): " << diag_code_summary(*id) << "\n\n"
              << diag_code_explanation(*id);
    return static_cast<int>(kOk);
  };
}

}  // namespace flyte::driver
