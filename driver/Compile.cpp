// The compile pipeline.
#include "driver/Compile.h"

namespace flyte::driver {

Compilation compile(const std::string& file, const CompileOptions& options) {
  Compilation c;
  InputOptions input_options;
  input_options.include_dirs = options.include_dirs;
  input_options.cpp_args = options.cpp_args;
  input_options.error_limit = options.error_limit;
  c.inputs = parse_inputs({file}, input_options);
  ParsedInputs& in = *c.inputs;
  c.status = kUsage;
  if (in.unreadable > 0) return c;
  print_diagnostics(in, ColorMode::Auto);
  c.status = kErrors;
  if (in.diags.has_errors()) return c;
  c.status = kUsage;
  std::unique_ptr<ir::Module> module = lower_checked(in, in.inputs.front());
  if (module == nullptr) return c;
  if (options.run_passes) {
    size_t reported = in.diags.diagnostics().size();
    passes::PipelineResult r = run_passes(in, *module, options.pipeline);
    print_diagnostics(in, ColorMode::Auto, reported);
    if (r.verify_failed) return c;
    c.status = kErrors;
    if (!r.ok) return c;
  }
  c.status = kOk;
  c.module = std::move(module);
  return c;
}

}  // namespace flyte::driver
