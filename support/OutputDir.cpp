// Build folders named by the user, staged and moved into place (see OutputDir.h).
#include "support/OutputDir.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace flyte {
namespace fs = std::filesystem;
namespace {

constexpr const char* kMarkerHeader = "# Written by flytec build --target ";

// The permissions a new folder gets: 0777 less the umask.
mode_t default_dir_mode() {
  mode_t mask = ::umask(0);
  ::umask(mask);
  return 0777 & ~mask;
}

// A new empty folder in `parent`, named after `stem` with a random tail; empty on failure
// (errno set).
fs::path make_temp_dir(const fs::path& parent, const char* stem) {
  std::string tmpl = (parent / (std::string(stem) + "XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr) return {};
  return tmpl;
}

// The names a marker lists (one a line after its header), or none when `dir` has no
// marker flytec wrote.
bool read_marker(const fs::path& dir, std::set<std::string>& listed) {
  std::ifstream in(dir / kBuildMarker);
  std::string line;
  if (!in || !std::getline(in, line) || line.rfind(kMarkerHeader, 0) != 0) return false;
  while (std::getline(in, line)) {
    if (!line.empty()) listed.insert(line);
  }
  return true;
}

constexpr const char* kStagingStem = ".flytec-staging-";
constexpr const char* kOldStem = ".flytec-old-";

// A build's scratch folder (inside the output when that is a mount point), left behind
// by a build that was killed.
bool scratch(const std::string& name) {
  return name.rfind(kStagingStem, 0) == 0 || name.rfind(kOldStem, 0) == 0;
}

// Why `dir` may not be replaced, or "" when it may: it does not exist, is empty, or
// holds only what its marker lists and run data.
std::string refusal(const fs::path& dir, const std::string& given,
                    const std::set<std::string>& run_data) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return "";
  if (!S_ISDIR(st.st_mode)) return "cannot create '" + given + "': it exists and is no folder";
  std::error_code ec;
  std::vector<std::string> names;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (!scratch(it->path().filename().string())) names.push_back(it->path().filename().string());
  if (ec) return "cannot read '" + given + "': " + ec.message();
  if (names.empty()) return "";
  std::set<std::string> listed;
  if (!read_marker(dir, listed)) {
    std::string why = "'" + given + "' is a folder that flytec build did not write (it is not ";
    why += "empty and has no ";
    why += kBuildMarker;
    why += " file); the build replaces its folder whole, so name a new or empty folder";
    return why;
  }
  for (const std::string& n : names) {
    if (n != kBuildMarker && listed.count(n) == 0 && run_data.count(n) == 0) {
      std::string why = "'" + given + "' holds '";
      why += n;
      why +=
          "', which flytec build did not write; the build replaces its folder whole, so "
          "move it away or name another folder";
      return why;
    }
  }
  return "";
}

}  // namespace

StagedOutputDir::~StagedOutputDir() {
  if (stage_.empty()) return;
  std::error_code ec;
  fs::remove_all(stage_, ec);
}

bool StagedOutputDir::begin(const std::string& out, const std::string& target,
                            const std::set<std::string>& run_data, std::string& error) {
  given_ = out;
  target_ = target;
  run_data_ = run_data;
  if (out.empty()) {
    error = "-o needs a path";
    return false;
  }
  std::error_code ec;
  fs::path p = fs::absolute(out, ec).lexically_normal();
  if (ec) {
    error = "cannot create '" + out + "': " + ec.message();
    return false;
  }
  if (p.filename().empty()) p = p.parent_path();  // "out/" names "out"
  if (p == p.root_path()) {
    error = "cannot build into '" + out + "': the root folder cannot be replaced";
    return false;
  }
  // Through a symlink to a folder: the folder is replaced, the link stays.
  if (fs::is_symlink(p, ec)) {
    p = fs::canonical(p, ec);
    if (ec) {
      error = "cannot create '" + out + "': " + ec.message();
      return false;
    }
  }
  out_ = p;
  if (std::string why = refusal(out_, given_, run_data_); !why.empty()) {
    error = why;
    return false;
  }
  fs::create_directories(out_.parent_path(), ec);
  // Renames stay within one file system: beside `out`, or inside it when it is a mount.
  struct stat here, parent;
  scratch_parent_ = out_.parent_path();
  if (::stat(out_.c_str(), &here) == 0 && ::stat(scratch_parent_.c_str(), &parent) == 0 &&
      here.st_dev != parent.st_dev) {
    scratch_parent_ = out_;
  }
  fs::path stage = make_temp_dir(scratch_parent_, kStagingStem);
  if (ec || stage.empty()) {
    error = "cannot create '" + out + "': " + (ec ? ec.message() : std::strerror(errno));
    return false;
  }
  stage_ = stage;
  struct stat st;
  mode_t mode = ::stat(out_.c_str(), &st) == 0 ? (st.st_mode & 07777) : default_dir_mode();
  ::chmod(stage_.c_str(), mode);
  return true;
}

std::string StagedOutputDir::in_output_terms(std::string text) const {
  if (stage_.empty()) return text;
  std::string from = stage_.string();
  std::string to = given_;
  while (to.size() > 1 && to.back() == '/') to.pop_back();
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

bool StagedOutputDir::commit(std::string& error) {
  std::error_code ec;
  auto drop_stage = [&] {
    fs::remove_all(stage_, ec);
    stage_.clear();
  };
  auto fail = [&](const std::string& why) {
    error = "cannot write '" + given_ + "': " + why;
    drop_stage();
    return false;
  };
  // The marker lists what this build wrote.
  std::ostringstream marker;
  marker << kMarkerHeader << target_ << "; the next build into this folder replaces it.\n";
  std::set<std::string> written;
  for (fs::directory_iterator it(stage_, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (run_data_.count(name) == 0) written.insert(name);
  }
  for (const std::string& name : written) marker << name << "\n";
  std::ofstream(stage_ / kBuildMarker) << marker.str();
  if (ec || !fs::is_regular_file(stage_ / kBuildMarker, ec)) return fail("cannot write marker");
  // What is there now may have changed during the build.
  if (std::string why = refusal(out_, given_, run_data_); !why.empty()) {
    error = why;
    drop_stage();
    return false;
  }
  struct stat st;
  if (::lstat(out_.c_str(), &st) != 0) {
    if (::rename(stage_.c_str(), out_.c_str()) != 0) return fail(std::strerror(errno));
    stage_.clear();
    return true;
  }
  // An existing folder keeps its inode (a shell or job inside it, its permissions, a
  // mount on it): what the last build wrote moves aside, then what this one wrote moves
  // in, entry by entry; run data stays. Undone on a failure.
  fs::path old = make_temp_dir(scratch_parent_, kOldStem);
  if (old.empty()) return fail(std::strerror(errno));
  std::vector<std::string> moved_out, moved_in;
  auto undo = [&](int err) {
    for (const std::string& n : moved_in) ::rename((out_ / n).c_str(), (stage_ / n).c_str());
    for (const std::string& n : moved_out) ::rename((old / n).c_str(), (out_ / n).c_str());
    fs::remove_all(old, ec);
    return fail(std::strerror(err));
  };
  std::vector<std::string> names;
  for (fs::directory_iterator it(out_, ec), end; !ec && it != end; it.increment(ec))
    names.push_back(it->path().filename().string());
  if (ec) return undo(ec.value());
  for (const std::string& n : names) {
    if (run_data_.count(n) != 0 || n == stage_.filename() || n == old.filename()) continue;
    if (::rename((out_ / n).c_str(), (old / n).c_str()) != 0) return undo(errno);
    moved_out.push_back(n);
  }
  names.clear();
  for (fs::directory_iterator it(stage_, ec), end; !ec && it != end; it.increment(ec))
    names.push_back(it->path().filename().string());
  if (ec) return undo(ec.value());
  for (const std::string& n : names) {
    if (run_data_.count(n) != 0 && ::lstat((out_ / n).c_str(), &st) == 0) continue;
    if (::rename((stage_ / n).c_str(), (out_ / n).c_str()) != 0) return undo(errno);
    moved_in.push_back(n);
  }
  fs::remove_all(old, ec);
  drop_stage();
  return true;
}

}  // namespace flyte
