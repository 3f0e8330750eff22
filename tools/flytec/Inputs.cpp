// Shared input handling for the subcommands.
#include "tools/flytec/Inputs.h"

#include <unistd.h>

#include <iostream>
#include <iterator>

#include "frontend/DiagnosticRender.h"

namespace flyte::driver {

std::unique_ptr<ParsedInputs> parse_inputs(const std::vector<std::string>& paths,
                                           const ParseOptions& options) {
  auto in = std::make_unique<ParsedInputs>();
  for (const std::string& path : paths) {
    std::optional<FileId> id;
    if (path == "-") {
      std::string text(std::istreambuf_iterator<char>(std::cin), {});
      id = in->sm.add_buffer("<stdin>", std::move(text));
    } else {
      std::string error;
      id = in->sm.load_file(path, error);
      if (!id) {
        std::cerr << "flytec: error: cannot read '" << path << "': " << error << '\n';
        ++in->unreadable;
        continue;
      }
    }
    in->files.push_back(parse_file(in->sm, *id, in->diags, options));
  }
  in->diags.sort();
  return in;
}

void print_diagnostics(const ParsedInputs& in, ColorMode color) {
  bool use_color =
      color == ColorMode::Always || (color == ColorMode::Auto && want_color(STDERR_FILENO));
  render_text(in.diags.diagnostics(), in.sm, std::cerr, use_color);
}

}  // namespace flyte::driver
