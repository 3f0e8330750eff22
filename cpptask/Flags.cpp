// Compile flags of C++ task files and the folders flytec keeps their helpers in.
#include "cpptask/Flags.h"

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/ReadFile.h"

namespace flyte::cpptask {
namespace fs = std::filesystem;
namespace {

// The arguments of `file`'s entry in the compile_commands.json beside it, without the
// compiler, `-c`, `-o OUT` and the file; empty when there is none.
std::vector<std::string> database_flags(const fs::path& file) {
  fs::path db = file.parent_path() / "compile_commands.json";
  std::string text, error;
  std::error_code ec;
  if (!fs::exists(db, ec) ||
      !read_file_bounded(db.string(), text, error, {size_t{64} << 20, false}))
    return {};
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return {};
  for (const nlohmann::json& e : j) {
    if (!e.is_object() || !e.contains("file") || !e["file"].is_string()) continue;
    fs::path dir = e.contains("directory") && e["directory"].is_string()
                       ? fs::path(e["directory"].get<std::string>())
                       : file.parent_path();
    fs::path entry = fs::path(e["file"].get<std::string>());
    if (entry.is_relative()) entry = dir / entry;
    if (fs::weakly_canonical(entry, ec) != fs::weakly_canonical(file, ec)) continue;
    std::vector<std::string> args;
    if (e.contains("arguments") && e["arguments"].is_array()) {
      for (const auto& a : e["arguments"])
        if (a.is_string()) args.push_back(a.get<std::string>());
    } else if (e.contains("command") && e["command"].is_string()) {
      args = split_command(e["command"].get<std::string>());
    }
    std::vector<std::string> out;
    for (size_t i = 1; i < args.size(); ++i) {
      const std::string& a = args[i];
      if (a == "-c") continue;
      if (a == "-o") {
        ++i;
        continue;
      }
      fs::path p(a);
      if (p.is_relative()) p = dir / p;
      if (a == e["file"].get<std::string>() ||
          fs::weakly_canonical(p, ec) == fs::weakly_canonical(file, ec))
        continue;
      // Relative include folders are relative to the entry's directory.
      if (a.rfind("-I", 0) == 0 && a.size() > 2 && fs::path(a.substr(2)).is_relative()) {
        out.push_back("-I" + (dir / a.substr(2)).string());
        continue;
      }
      out.push_back(a);
    }
    return out;
  }
  return {};
}

}  // namespace

std::vector<std::string> split_command(const std::string& command) {
  std::vector<std::string> out;
  std::string cur;
  bool have = false;
  char quote = 0;
  for (size_t i = 0; i < command.size(); ++i) {
    char c = command[i];
    if (quote == '\'') {
      if (c == '\'')
        quote = 0;
      else
        cur += c;
    } else if (quote == '"') {
      if (c == '"')
        quote = 0;
      else if (c == '\\' && i + 1 < command.size())
        cur += command[++i];
      else
        cur += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      have = true;
    } else if (c == '\\' && i + 1 < command.size()) {
      cur += command[++i];
      have = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (have) out.push_back(cur);
      cur.clear();
      have = false;
    } else {
      cur += c;
      have = true;
    }
  }
  if (have) out.push_back(cur);
  return out;
}

std::vector<std::string> compile_flags(const std::string& file,
                                       const std::vector<std::string>& extra) {
  std::vector<std::string> flags = database_flags(fs::path(file));
  flags.insert(flags.end(), extra.begin(), extra.end());
  flags.push_back("-I" + runtime_include_dir());
  bool has_std = false;
  for (const std::string& f : flags) has_std |= f.rfind("-std=", 0) == 0;
  if (!has_std) flags.push_back("-std=c++20");
  return flags;
}

std::string runtime_include_dir() {
  if (const char* env = std::getenv("FLYTEC_INCLUDE_DIR"); env != nullptr && *env != '\0')
    return env;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return (exe.parent_path() / ".." / "include").lexically_normal().string();
}

std::string cache_dir() {
  if (const char* d = std::getenv("FLYTE_CACHE_DIR"); d != nullptr && *d != '\0') return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x != nullptr && *x != '\0')
    return std::string(x) + "/flytec";
  if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0')
    return std::string(h) + "/.cache/flytec";
  return ".flyte/cache";
}

}  // namespace flyte::cpptask
