// The signature cache of C++ task files.
#include "cpptask/SignatureCache.h"

#include <filesystem>
#include <map>
#include <mutex>

#include "cpptask/Extract.h"
#include "cpptask/Flags.h"
#include "support/AtomicFile.h"
#include "support/Hash.h"
#include "support/ReadFile.h"

namespace flyte::cpptask {
namespace fs = std::filesystem;

std::optional<FileSignatures> signatures_for(const std::string& path,
                                             const std::string& display_name,
                                             const std::vector<std::string>& flags,
                                             std::string& error) {
  std::string code;
  if (!read_file_bounded(path, code, error)) return std::nullopt;
  // What Clang reads besides the flags: its own headers, by version.
  std::vector<std::string> args = flags;
  args.push_back("-resource-dir=" FLYTEC_CLANG_RESOURCE_DIR);
  args.push_back("-Wno-everything");
  Hasher h;
  h.add("flytec-cpp-signatures-v1");
  h.add(FLYTEC_CLANG_RESOURCE_DIR);
  h.add(path);
  h.add(display_name);
  h.add(code);
  for (const std::string& a : args) h.add(a);
  std::string key = h.hex();

  static std::mutex mu;
  static std::map<std::string, FileSignatures> memo;
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = memo.find(key); it != memo.end()) return it->second;
  fs::path cached = fs::path(cache_dir()) / "cpp-signatures" / (key + ".json");
  std::string text, ignored;
  if (read_file_bounded(cached.string(), text, ignored)) {
    if (std::optional<FileSignatures> s = from_json(text)) return memo[key] = *s;
  }
  FileSignatures s = extract_signatures(path, display_name, code, args);
  std::error_code ec;
  fs::create_directories(cached.parent_path(), ec);
  // A cache that cannot be written only costs time.
  if (!ec) (void)write_file_atomically(cached.string(), to_json(s), ignored, false);
  return memo[key] = s;
}

}  // namespace flyte::cpptask
