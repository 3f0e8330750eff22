// The content-addressed task cache: XXH3-128 content hashes, entries published by an
// atomic rename of a fully built temporary directory, and lookups that verify every
// file against its recorded hash, so that a damaged or half-deleted entry is a miss.
#include "backends/local/runtime/Cache.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

#include "backends/local/runtime/Value.h"
#include "support/AtomicFile.h"
#include "support/Check.h"
#include "support/ReadFile.h"

namespace flyte::rt {

namespace fs = std::filesystem;

namespace {

constexpr size_t kChunkSize = size_t{1} << 20;  // file contents are hashed 1 MiB at a time
constexpr int kManifestVersion = 2;             // 2: files nested in outputs, by JSON pointer

bool is_hex32(std::string_view s) {
  return s.size() == 32 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// An output name becomes a file name in the entry and in the destination directory, so
// it must be one plain path component.
bool is_safe_name(std::string_view name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find_first_of(std::string_view("/\0", 2)) == std::string_view::npos;
}

// A manifest path must stay inside its entry: relative, with no `..` (or `.`) component.
bool is_safe_relative_path(const std::string& path) {
  if (path.empty() || path.find('\0') != std::string::npos) return false;
  fs::path p(path);
  if (p.is_absolute() || p.has_root_name() || p.has_root_directory()) return false;
  return std::none_of(p.begin(), p.end(), [](const fs::path& part) {
    return part.empty() || part == "." || part == "..";
  });
}

std::string describe(const fs::path& path, const std::error_code& ec) {
  return path.string() + ": " + ec.message();
}

// Reads up to `buf.size()` bytes, retrying short reads, so that chunk boundaries depend
// only on the file's size (they are part of the hash). Bytes read, or -1.
ssize_t read_full(int fd, std::string& buf) {
  size_t done = 0;
  while (done < buf.size()) {
    ssize_t n = ::read(fd, buf.data() + done, buf.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

// Walks a file or directory tree into a Hasher. Each item is length-prefixed by
// Hasher::add; file contents go in as a series of non-empty chunks ended by an empty one,
// which keeps the encoding unambiguous without stat-ing sizes that may change.
class TreeHasher {
 public:
  TreeHasher(Hasher& hasher, std::string& error) : hasher_(hasher), error_(error) {}

  bool add_file(const fs::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(path, errno);
    if (buf_.empty()) buf_.resize(kChunkSize);
    ssize_t n;
    while ((n = read_full(fd, buf_)) > 0) {
      hasher_.add(std::string_view(buf_.data(), static_cast<size_t>(n)));
    }
    int err = errno;
    ::close(fd);
    if (n < 0) return fail(path, err);
    hasher_.add("");
    return true;
  }

  // Entries in sorted name order, depth first; each contributes its path relative to
  // the root, so the same tree hashes the same wherever it lives.
  bool add_dir(const fs::path& dir, const std::string& rel) {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      names.push_back(it->path().filename().string());
    }
    if (ec) return fail(dir, ec);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      if (!add_dir_entry(dir / name, rel.empty() ? name : fmt::format("{}/{}", rel, name))) {
        return false;
      }
    }
    return true;
  }

 private:
  // Symlinks inside a tree are hashed by their target text, not followed: that is what
  // a copy with copy_symlinks reproduces, and it cannot loop.
  bool add_dir_entry(const fs::path& path, const std::string& rel) {
    std::error_code ec;
    fs::file_status st = fs::symlink_status(path, ec);
    if (ec) return fail(path, ec);
    hasher_.add(rel);
    if (fs::is_symlink(st)) {
      fs::path target = fs::read_symlink(path, ec);
      if (ec) return fail(path, ec);
      hasher_.add("l");
      hasher_.add(target.string());
      return true;
    }
    if (fs::is_directory(st)) {
      hasher_.add("d");
      return add_dir(path, rel);
    }
    if (fs::is_regular_file(st)) {
      hasher_.add("f");
      return add_file(path);
    }
    error_ = path.string() + ": not a file, directory or symbolic link";
    return false;
  }

  bool fail(const fs::path& path, const std::error_code& ec) {
    error_ = describe(path, ec);
    return false;
  }
  bool fail(const fs::path& path, int err) {
    error_ = path.string() + ": " + std::strerror(err);
    return false;
  }

  Hasher& hasher_;
  std::string& error_;
  std::string buf_;
};

// Copies the file or directory at `src` (following a symlink at the top) to `dst`, which
// must not exist. Symlinks inside a directory are copied as symlinks.
bool copy_tree(const fs::path& src, const fs::path& dst, std::string& error) {
  std::error_code ec;
  fs::path from = fs::canonical(src, ec);
  fs::file_status st;
  if (!ec) st = fs::status(from, ec);
  if (!ec) {
    if (fs::is_regular_file(st)) {
      fs::copy_file(from, dst, ec);
    } else if (fs::is_directory(st)) {
      fs::copy(from, dst, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
    } else {
      error = src.string() + ": not a file or directory";
      return false;
    }
  }
  if (ec) {
    error = src.string() + " -> " + dst.string() + ": " + ec.message();
    return false;
  }
  return true;
}

std::optional<std::string> read_text(const fs::path& path) {
  std::string text, ignored;
  if (!read_file_bounded(path.string(), text, ignored)) return std::nullopt;
  return text;
}

// A new, empty, uniquely named directory `<parent>/<prefix>XXXXXX`, held with an
// exclusive flock for as long as this object lives: a directory whose lock can be taken
// was left by a process that died (kill -9 in the middle of a store), and
// Cache::sweep() removes it.
class TempDir {
 public:
  static std::optional<TempDir> make(const fs::path& parent, const std::string& prefix,
                                     std::string& error) {
    std::string tmpl = (parent / (prefix + "XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      error = tmpl + ": " + std::strerror(errno);
      return std::nullopt;
    }
    TempDir t;
    t.path_ = tmpl;
    t.fd_ = ::open(tmpl.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (t.fd_ >= 0) ::flock(t.fd_, LOCK_EX);
    return t;
  }
  TempDir() = default;
  TempDir(TempDir&& o) noexcept : path_(std::move(o.path_)), fd_(std::exchange(o.fd_, -1)) {}
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    if (fd_ >= 0) ::close(fd_);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  int fd_ = -1;
};

// A cache entry whose manifest is well formed and whose files all match their hashes.
struct VerifiedEntry {
  nlohmann::json outputs;
  std::vector<std::pair<std::string, fs::path>> files;  // output name -> file in the entry
};

// One `files` item of a manifest: the file it names, if the item is well formed, stays
// inside the entry, and the file there matches the recorded hash.
// A `files` key names an output (`model`) or, for a file nested in one, its JSON pointer
// (`/parts/2`). The pointer, when it is one, as long as it names a string in `outputs`.
std::optional<nlohmann::json::json_pointer> output_pointer(const std::string& name,
                                                           const nlohmann::json& outputs) {
  if (name.empty() || name[0] != '/') return std::nullopt;
  try {
    nlohmann::json::json_pointer ptr(name);
    if (!outputs.contains(ptr) || !outputs.at(ptr).is_string()) return std::nullopt;
    return ptr;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

bool names_output(const std::string& name, const nlohmann::json& outputs) {
  if (output_pointer(name, outputs)) return true;
  return is_safe_name(name) && outputs.contains(name) && outputs[name].is_string();
}

std::optional<fs::path> verify_file(const fs::path& entry, const std::string& name,
                                    const nlohmann::json& item, const nlohmann::json& outputs) {
  if (!names_output(name, outputs) || !item.is_object()) return std::nullopt;
  auto path = item.find("path");
  auto hash = item.find("hash");
  if (path == item.end() || hash == item.end() || !path->is_string() || !hash->is_string()) {
    return std::nullopt;
  }
  const std::string& rel = path->get_ref<const std::string&>();
  if (!is_safe_relative_path(rel) || rel.rfind("files/", 0) != 0 ||
      !is_hex32(hash->get_ref<const std::string&>())) {
    return std::nullopt;
  }
  // The entry's own files are never symlinks; one here could point anywhere.
  fs::path file = entry / rel;
  std::error_code ec;
  fs::file_status st = fs::symlink_status(file, ec);
  if (ec || !(fs::is_regular_file(st) || fs::is_directory(st))) return std::nullopt;
  std::optional<std::string> actual = hash_path(file.string());
  if (!actual || *actual != hash->get_ref<const std::string&>()) return std::nullopt;
  return file;
}

// The entry at `entry`, or nullopt when it is missing or damaged in any way.
std::optional<VerifiedEntry> verify_entry(const fs::path& entry) {
  std::optional<std::string> text = read_text(entry / "manifest.json");
  if (!text) return std::nullopt;
  std::string ignored;
  std::optional<nlohmann::json> parsed = parse_json(*text, ignored);
  if (!parsed || !parsed->is_object()) return std::nullopt;
  nlohmann::json& manifest = *parsed;
  auto version = manifest.find("version");
  auto outputs = manifest.find("outputs");
  auto files = manifest.find("files");
  if (version == manifest.end() || !version->is_number_integer() ||
      version->get<int64_t>() != kManifestVersion || outputs == manifest.end() ||
      !outputs->is_object() || files == manifest.end() || !files->is_object()) {
    return std::nullopt;
  }
  VerifiedEntry verified;
  for (const auto& [name, item] : files->items()) {
    std::optional<fs::path> file = verify_file(entry, name, item, *outputs);
    if (!file) return std::nullopt;
    verified.files.emplace_back(name, std::move(*file));
  }
  verified.outputs = std::move(*outputs);
  return verified;
}

// The path a `files` key names in `outputs` (checked to be there already).
std::string output_at(const nlohmann::json& outputs, const std::string& name) {
  if (std::optional<nlohmann::json::json_pointer> ptr = output_pointer(name, outputs))
    return outputs.at(*ptr).get<std::string>();
  return outputs.at(name).get<std::string>();
}

// Where the `i`th path of an entry lives below its `files/`, and its copy below a node's
// directory: an output's own name (`model`), or for a file nested in an output a
// directory named by the output and the index, which no output name can be, holding the
// file under its own name (`parts.2/sample.bam`), so that tools that go by file
// extensions still find them.
std::string entry_file_name(const std::string& name, size_t i, const std::string& source) {
  if (name.empty() || name[0] != '/') return name;
  size_t end = name.find('/', 1);
  std::string base = fs::path(source).filename().string();
  if (!is_safe_name(base)) base = "file";
  return fmt::format("{}.{}/{}", name.substr(1, end == std::string::npos ? end : end - 1), i, base);
}

// Copies the path outputs into `tmp/files/` and writes `tmp/manifest.json`. The manifest
// is fsynced; the copied files need not be, since a lookup verifies them by hash.
bool build_entry(const fs::path& tmp, const nlohmann::json& outputs,
                 const std::vector<std::string>& path_outputs, std::string& error) {
  std::error_code ec;
  if (!fs::create_directory(tmp / "files", ec)) {
    error = describe(tmp / "files", ec);
    return false;
  }
  nlohmann::json files = nlohmann::json::object();
  for (size_t i = 0; i < path_outputs.size(); ++i) {
    const std::string& name = path_outputs[i];
    std::string source = output_at(outputs, name);
    std::string file = entry_file_name(name, i, source);
    fs::path dst = tmp / "files" / file;
    fs::create_directories(dst.parent_path(), ec);
    if (!copy_tree(source, dst, error)) return false;
    // Hash the copy, not the source: the source may still be changing.
    std::optional<std::string> hash = hash_path(dst.string());
    if (!hash) {
      error = dst.string() + ": cannot be read back";
      return false;
    }
    files[name] = {{"path", "files/" + file}, {"hash", *hash}};
  }
  nlohmann::json manifest = {
      {"version", kManifestVersion}, {"outputs", outputs}, {"files", std::move(files)}};
  std::string text = manifest.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  return write_file_atomically((tmp / "manifest.json").string(), text + "\n", error);
}

bool check_store_args(const std::string& key, const nlohmann::json& outputs,
                      const std::vector<std::string>& path_outputs, std::string& error) {
  if (!is_hex32(key)) {
    error = "invalid cache key '" + key + "' (expected 32 lowercase hex digits)";
    return false;
  }
  if (!outputs.is_object()) {
    error = "cache outputs must be a JSON object";
    return false;
  }
  for (const std::string& name : path_outputs) {
    if (!names_output(name, outputs) ||
        !is_safe_relative_path(entry_file_name(name, 0, output_at(outputs, name)))) {
      error = "cache output '" + name + "' is not a path output";
      return false;
    }
  }
  return true;
}

// Removes whatever is at `final` (a damaged entry). A directory is first renamed aside,
// so that no reader ever sees it half deleted and a concurrent store can take its place.
void discard_entry(const fs::path& final, const fs::path& shard, const std::string& key) {
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(final, ec))) {
    fs::remove(final, ec);
    return;
  }
  std::string ignored;
  std::optional<TempDir> trash = TempDir::make(shard, ".trash-" + key + "-", ignored);
  if (!trash) return;
  // Renaming a directory over an empty one replaces it. If this fails, another run has
  // already moved the entry, and only our empty trash directory is left to remove.
  ::rename(final.c_str(), trash->path().c_str());
  fs::remove_all(trash->path(), ec);
}

// Renames the built entry `tmp` to `final`. When an entry is already there, an intact one
// (another run won the race) is kept; a damaged one is replaced.
bool publish_entry(const fs::path& tmp, const fs::path& final, const fs::path& shard,
                   const std::string& key, std::string& error) {
  std::error_code ec;
  for (int attempt = 0; attempt < 4; ++attempt) {
    if (::rename(tmp.c_str(), final.c_str()) == 0) return true;
    int err = errno;
    if (err != EEXIST && err != ENOTEMPTY && err != ENOTDIR) {
      error = final.string() + ": " + std::strerror(err);
      fs::remove_all(tmp, ec);
      return false;
    }
    if (verify_entry(final)) {
      fs::remove_all(tmp, ec);
      return true;
    }
    discard_entry(final, shard, key);
  }
  fs::remove_all(tmp, ec);
  error = final.string() + ": a damaged entry keeps reappearing";
  return false;
}

bool store_entry(const std::string& dir, const std::string& key, const nlohmann::json& outputs,
                 const std::vector<std::string>& path_outputs, std::string& error) {
  if (!check_store_args(key, outputs, path_outputs, error)) return false;
  fs::path shard = fs::path(dir) / key.substr(0, 2);
  std::error_code ec;
  fs::create_directories(shard, ec);
  // Another run may create the same directories at the same moment; only the result
  // matters.
  if (ec && !fs::is_directory(shard)) {
    error = describe(shard, ec);
    return false;
  }
  std::optional<TempDir> tmp = TempDir::make(shard, ".tmp-" + key + "-", error);
  if (!tmp) return false;
  if (!build_entry(tmp->path(), outputs, path_outputs, error)) {
    fs::remove_all(tmp->path(), ec);
    return false;
  }
  return publish_entry(tmp->path(), shard / key, shard, key, error);
}

// Replaces whatever is at `dst` with a copy of the verified entry file `src`.
bool restore_output(const fs::path& src, const fs::path& dst) {
  std::error_code ec;
  fs::remove_all(dst, ec);
  if (ec) return false;
  fs::create_directories(dst.parent_path(), ec);
  std::string ignored;
  return copy_tree(src, dst, ignored);
}

// Removes the temporary and trash directories in `shard` whose builder has died: their
// flock is free.
size_t sweep_shard(const fs::path& shard) {
  size_t removed = 0;
  std::error_code ec;
  std::vector<fs::path> stale;
  for (fs::directory_iterator it(shard, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.rfind(".tmp-", 0) == 0 || name.rfind(".trash-", 0) == 0) stale.push_back(it->path());
  }
  for (const fs::path& p : stale) {
    int fd = ::open(p.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      fs::remove_all(p, ec);
      if (!ec) ++removed;
    }
    ::close(fd);
  }
  return removed;
}

std::optional<nlohmann::json> lookup_entry(const std::string& dir, const std::string& key,
                                           const std::string& dest_dir) {
  if (!is_hex32(key)) return std::nullopt;
  fs::path entry_path = fs::path(dir) / key.substr(0, 2) / key;
  std::optional<VerifiedEntry> entry = verify_entry(entry_path);
  if (!entry) return std::nullopt;
  nlohmann::json outputs = std::move(entry->outputs);
  for (const auto& [name, src] : entry->files) {
    std::error_code ec;
    // The path below the entry's `files/` is the one to restore as (`model`,
    // `parts.2/sample.bam`); verify_entry made sure it stays inside.
    fs::path dst =
        fs::absolute(fs::path(dest_dir) / src.lexically_relative(entry_path / "files"), ec);
    if (ec || !restore_output(src, dst)) return std::nullopt;
    std::string restored = dst.lexically_normal().string();
    if (std::optional<nlohmann::json::json_pointer> ptr = output_pointer(name, outputs)) {
      outputs[*ptr] = restored;
    } else {
      outputs[name] = restored;
    }
  }
  return outputs;
}

}  // namespace

bool add_path(Hasher& h, const std::string& path, std::string& error) {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec) {
    error = describe(path, ec);
    return false;
  }
  TreeHasher tree(h, error);
  if (fs::is_regular_file(st)) {
    h.add("f");
    return tree.add_file(path);
  }
  if (fs::is_directory(st)) {
    h.add("d");
    return tree.add_dir(path, "");
  }
  error = path + ": not a file or directory";
  return false;
}

std::optional<std::string> hash_path(const std::string& path) {
  try {
    Hasher hasher;
    std::string error;
    if (!add_path(hasher, path, error)) return std::nullopt;
    return hasher.hex();
  } catch (const std::exception&) {  // out of memory: unreadable, as far as callers care
    return std::nullopt;
  }
}

// The public entry points catch what the filesystem and JSON libraries may still throw
// (allocation failures, mostly): a cache problem must never end a run.

std::optional<nlohmann::json> Cache::lookup(const std::string& key,
                                            const std::string& dest_dir) const {
  try {
    return lookup_entry(dir_, key, dest_dir);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

size_t Cache::sweep() const {
  try {
    size_t removed = 0;
    std::error_code ec;
    for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (name.size() == 2 && is_hex32(name + std::string(30, '0')))
        removed += sweep_shard(it->path());
    }
    return removed;
  } catch (const std::exception&) {
    return 0;
  }
}

bool Cache::store(const std::string& key, const nlohmann::json& outputs,
                  const std::vector<std::string>& path_outputs, std::string& error) const {
  try {
    return store_entry(dir_, key, outputs, path_outputs, error);
  } catch (const std::exception& e) {
    error = std::string("cache store failed: ") + e.what();
    return false;
  }
}

}  // namespace flyte::rt
