// Module loading and import resolution.
#include "frontend/Program.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "frontend/Parser.h"

namespace flyte {
namespace {

namespace fs = std::filesystem;

class Loader {
 public:
  Loader(SourceManager& sm, DiagnosticEngine& diags, const LoadOptions& options)
      : sm_(sm), diags_(diags), options_(options) {}

  std::unique_ptr<Program> run(FileId main_file) {
    program_ = std::make_unique<Program>();
    std::string main_path = sm_.name(main_file);
    base_dir_ = fs::path(main_path).parent_path();
    Module* main = parse(main_file, "", main_path, false);
    if (main->ast->module) main->name = main->ast->module->str();
    by_path_[fs::path(main_path).lexically_normal().string()] = main;
    visit(main);
    return std::move(program_);
  }

 private:
  Module* parse(FileId file, std::string name, std::string path, bool is_stdlib) {
    auto m = std::make_unique<Module>();
    m->name = std::move(name);
    m->path = std::move(path);
    m->file = file;
    m->is_stdlib = is_stdlib;
    ParseOptions po;
    po.keep_comments = options_.keep_comments;
    ParseResult r = parse_file(sm_, file, diags_, po);
    m->ast = std::move(r.file);
    m->comments = std::move(r.comments);
    program_->modules.push_back(std::move(m));
    return program_->modules.back().get();
  }

  // Where `import a.b.c` finds a/b/c.flyte; std.* only in the standard library. A
  // candidate that is a symbolic link loop stops the search (a later directory must not
  // silently stand in for it) and is described in `loop`.
  std::optional<std::pair<std::string, bool>> find(const ast::QualName& q, std::string& loop) {
    fs::path rel;
    for (const ast::Ident& p : q.parts) rel /= std::string(p.name);
    rel += ".flyte";
    bool is_std = !q.parts.empty() && q.parts[0].name == "std";
    std::vector<std::pair<fs::path, bool>> dirs;
    if (!is_std) {
      dirs.emplace_back(base_dir_, false);
      for (const std::string& d : options_.include_dirs) dirs.emplace_back(d, false);
    }
    if (options_.stdlib_dir) dirs.emplace_back(*options_.stdlib_dir, true);
    for (const auto& [dir, std_dir] : dirs) {
      fs::path p = dir / rel;
      std::error_code ec;
      if (fs::is_regular_file(p, ec)) return std::make_pair(p.lexically_normal().string(), std_dir);
      if (ec == std::errc::too_many_symbolic_link_levels) {
        loop = describe_link_loop(p);
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  // Names a symbolic link loop at `p`: the chain of links when `p` itself starts one
  // (`a.flyte -> b.flyte -> a.flyte`), else the path whose directories loop.
  static std::string describe_link_loop(const fs::path& p) {
    std::vector<fs::path> chain{p.lexically_normal()};
    for (int i = 0; i < 40; ++i) {
      std::error_code ec;
      fs::path target = fs::read_symlink(chain.back(), ec);
      if (ec) break;
      if (target.is_relative()) target = chain.back().parent_path() / target;
      target = target.lexically_normal();
      bool seen = std::find(chain.begin(), chain.end(), target) != chain.end();
      chain.push_back(target);
      if (!seen) continue;
      std::string text;
      for (const fs::path& c : chain) text += (text.empty() ? "" : " -> ") + c.string();
      return fmt::format("symbolic link loop: {}", text);
    }
    return fmt::format("symbolic link loop in a directory of '{}'", p.lexically_normal().string());
  }

  // Depth-first over imports; a module reached again while still on the stack is a cycle.
  void visit(Module* m) {
    on_stack_.push_back(m);
    for (const ast::Import& imp : m->ast->imports) {
      if (diags_.limit_reached()) break;  // nothing more would be reported
      if (imp.path.parts.empty() || imp.path.parts.back().name.empty()) continue;
      std::string name = imp.path.str();
      std::string loop;
      auto found = find(imp.path, loop);
      if (!found && !loop.empty()) {
        diags_.report(DiagCode::E0104, imp.path.range,
                      fmt::format("module '{}' cannot be read: {} (too many levels of symbolic "
                                  "links, ELOOP)",
                                  name, loop));
        m->imports.push_back({&imp, nullptr});
        continue;
      }
      if (!found) {
        Diagnostic& d = diags_.report(DiagCode::E0104, imp.path.range,
                                      fmt::format("module '{}' not found", name));
        std::string where = name.rfind("std.", 0) == 0
                                ? "the standard library"
                                : "the main file's directory, the -I directories and the "
                                  "standard library";
        d.notes.push_back({fmt::format("looked for {}.flyte in {}", name, where), std::nullopt});
        m->imports.push_back({&imp, nullptr});
        continue;
      }
      Module* target = nullptr;
      auto it = by_path_.find(found->first);
      if (it != by_path_.end()) {
        target = it->second;
        for (size_t i = 0; i < on_stack_.size(); ++i) {
          if (on_stack_[i] != target) continue;
          std::string cycle;
          for (size_t k = i; k < on_stack_.size(); ++k) cycle += on_stack_[k]->name + " -> ";
          Diagnostic& d = diags_.report(
              DiagCode::E0402, imp.path.range,
              fmt::format("import cycle: {}{}", cycle, target->name.empty() ? name : target->name));
          d.notes.push_back({"modules may not import each other in a circle", std::nullopt});
          target = nullptr;
          break;
        }
        m->imports.push_back({&imp, target});
        continue;
      }
      std::string error;
      std::optional<FileId> file = sm_.load_file(found->first, error);
      if (!file) {
        diags_.report(DiagCode::E0104, imp.path.range,
                      fmt::format("module '{}' cannot be read: {}", name, error));
        m->imports.push_back({&imp, nullptr});
        continue;
      }
      target = parse(*file, name, found->first, found->second);
      by_path_[found->first] = target;
      m->imports.push_back({&imp, target});
      visit(target);
    }
    on_stack_.pop_back();
  }

  SourceManager& sm_;
  DiagnosticEngine& diags_;
  const LoadOptions& options_;
  std::unique_ptr<Program> program_;
  fs::path base_dir_;
  std::unordered_map<std::string, Module*> by_path_;
  std::vector<Module*> on_stack_;
};

}  // namespace

std::unique_ptr<Program> load_program(SourceManager& sm, FileId main_file, DiagnosticEngine& diags,
                                      const LoadOptions& options) {
  return Loader(sm, diags, options).run(main_file);
}

}  // namespace flyte
