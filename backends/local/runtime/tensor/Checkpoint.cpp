// Saving and restoring kernel checkpoints atomically (layout in Checkpoint.h).
#include "backends/local/runtime/tensor/Checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include "backends/local/runtime/tensor/KernelUtil.h"
#include "backends/local/runtime/tensor/NpyIO.h"

namespace flyte::rt::tensor {

namespace {

constexpr std::string_view kManifest = "checkpoint.txt";
constexpr std::string_view kMagic = "flyte-checkpoint 1";

std::string errno_text(int err) { return std::system_category().message(err); }

// Writes `text` to `path` through a synced temporary file and a rename, then syncs the
// directory so that the rename itself is durable.
void write_atomically(const std::string& dir, const std::string& path, const std::string& text,
                      std::string_view kernel) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(kernel, "cannot create " + tmp + ": " + errno_text(errno));
  size_t done = 0;
  while (done < text.size()) {
    ssize_t w = ::write(fd, text.data() + done, text.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      int err = errno;
      ::close(fd);
      fail(kernel, "cannot write " + tmp + ": " + errno_text(err));
    }
    done += static_cast<size_t>(w);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0)
    fail(kernel, "cannot sync " + tmp + ": " + errno_text(errno));
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    fail(kernel, "cannot rename " + tmp + " to " + path + ": " + errno_text(errno));
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

// Fails with "<path>: <what>"; a function of its own, so that loops build no strings.
[[noreturn]] void malformed(const std::string& path, const std::string& what,
                            std::string_view kernel) {
  fail(kernel, path + ": " + what);
}

bool valid_name(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

}  // namespace

void save_checkpoint(const std::string& dir, const Checkpoint& cp, std::string_view kernel) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) fail(kernel, "cannot create checkpoint directory " + dir + ": " + ec.message());
  std::ostringstream manifest;
  manifest << kMagic << "\nstep " << cp.step << "\n";
  std::set<std::string> keep = {std::string(kManifest)};
  for (const auto& [name, t] : cp.tensors) {
    if (!valid_name(name)) malformed(name, "invalid checkpoint tensor name", kernel);
    std::string file = name;
    file += '.';
    file += std::to_string(cp.step);
    file += ".npy";
    std::string path = dir;
    path += '/';
    path += file;
    write_npy_tensor(path, t, kernel);  // atomic and synced itself
    manifest << "tensor " << name << " " << file << "\n";
    keep.insert(file);
  }
  write_atomically(dir, dir + "/" + std::string(kManifest), manifest.str(), kernel);
  // Older steps' tensors are no longer referenced.
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string file = entry.path().filename().string();
    if (!keep.count(file) && file.ends_with(".npy")) std::filesystem::remove(entry.path(), ec);
  }
}

std::optional<Checkpoint> load_checkpoint(const std::string& dir, std::string_view kernel) {
  if (dir.empty()) return std::nullopt;
  const std::string manifest = dir + "/" + std::string(kManifest);
  std::ifstream in(manifest);
  if (!in) return std::nullopt;
  std::string line;
  if (!std::getline(in, line) || line != kMagic)
    malformed(manifest, "not a checkpoint manifest", kernel);
  Checkpoint cp;
  bool have_step = false;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string kind;
    words >> kind;
    if (kind == "step") {
      have_step = static_cast<bool>(words >> cp.step);
    } else if (kind == "tensor") {
      std::string name, file;
      if (!(words >> name >> file) || !valid_name(name) || file.find('/') != std::string::npos)
        malformed(manifest, "malformed line", kernel);
      std::string path = dir;
      path += '/';
      path += file;
      cp.tensors[name] = read_npy_tensor(path, kernel);
    } else if (!kind.empty()) {
      malformed(manifest, "malformed line", kernel);
    }
  }
  if (!have_step) malformed(manifest, "no step", kernel);
  return cp;
}

}  // namespace flyte::rt::tensor
