// Writes the Dockerfile and bundles the executable's libraries (see Dockerfile.h).
#include "backends/k8s/Dockerfile.h"

#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <sstream>
#include <vector>

extern char** environ;

namespace flyte::k8s {

std::string dockerfile(const std::string& base_image, const std::string& workflow) {
  return "# The image of workflow " + workflow +
         ": its compiled executable (bin/wf), which every pod runs\n"
         "# in node mode, with the shared libraries it needs and their loader (lib/).\n"
         "# Build it from this folder: docker build -t IMAGE .\n"
         "ARG BASE_IMAGE=" +
         base_image +
         "\n"
         "FROM ${BASE_IMAGE}\n"
         "COPY lib/ /opt/flytec/lib/\n"
         "COPY bin/wf /opt/flytec/bin/wf.elf\n"
         "COPY image/wf /opt/flytec/bin/wf\n"
         "# A non-root user, as the pods' security context requires.\n"
         "USER 65532:65532\n"
         "WORKDIR /tmp\n"
         "ENTRYPOINT [\"/opt/flytec/bin/wf\"]\n";
}

std::string launcher_script() {
  return "#!/bin/sh\n"
         "# Runs the workflow's executable with the libraries it was built with, whatever the\n"
         "# image around it has.\n"
         "exec /opt/flytec/lib/ld-linux-x86-64.so.2 --library-path /opt/flytec/lib "
         "/opt/flytec/bin/wf.elf \"$@\"\n";
}

bool bundle_libraries(const std::string& exe, const std::string& lib_dir, std::string& error) {
  namespace fs = std::filesystem;
  std::array<int, 2> pipe_fds{};
  if (::pipe(pipe_fds.data()) != 0) {
    error = "cannot run ldd";
    return false;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  std::string ldd = "ldd";
  std::vector<char*> argv = {ldd.data(), const_cast<char*>(exe.c_str()), nullptr};
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, "ldd", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  std::string text;
  if (rc == 0) {
    std::array<char, 4096> buf{};
    ssize_t n = 0;
    while ((n = ::read(pipe_fds[0], buf.data(), buf.size())) > 0) {
      text.append(buf.data(), static_cast<size_t>(n));
    }
  }
  ::close(pipe_fds[0]);
  int status = 0;
  if (rc != 0 || ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) {
    error = "ldd could not list the libraries of '" + exe + "'";
    return false;
  }
  std::error_code ec;
  fs::create_directories(lib_dir, ec);
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    // `libx.so.1 => /lib/x/libx.so.1 (0x...)` or `/lib64/ld-linux-x86-64.so.2 (0x...)`.
    std::string path;
    if (size_t arrow = line.find("=> /"); arrow != std::string::npos) {
      path = line.substr(arrow + 3);
    } else if (size_t slash = line.find('/'); slash != std::string::npos) {
      path = line.substr(slash);
    }
    if (size_t sp = path.find(" ("); sp != std::string::npos) path.resize(sp);
    if (path.empty()) continue;
    fs::path dest = fs::path(lib_dir) / fs::path(path).filename();
    fs::copy_file(path, dest, fs::copy_options::overwrite_existing, ec);
    if (ec) {
      error = fmt::format("cannot copy '{}' into '{}': {}", path, lib_dir, ec.message());
      return false;
    }
  }
  return true;
}

}  // namespace flyte::k8s
