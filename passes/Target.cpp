// Probing the local machine for its target description.
#include "passes/Target.h"

#include <unistd.h>

#include <filesystem>
#include <system_error>

namespace flyte::passes {

TargetDescription probe_local_machine() {
  TargetDescription t;
  long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  t.cpus = cpus > 0 ? static_cast<uint32_t>(cpus) : 1;
  long pages = ::sysconf(_SC_PHYS_PAGES);
  long page_size = ::sysconf(_SC_PAGESIZE);
  if (pages > 0 && page_size > 0)
    t.memory_bytes = static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size);
  // /dev/nvidia0, /dev/nvidia1, ...: one device file per GPU the driver sees.
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/dev", ec)) {
    std::string name = e.path().filename().string();
    if (name.size() > 6 && name.compare(0, 6, "nvidia") == 0 &&
        name.find_first_not_of("0123456789", 6) == std::string::npos)
      ++t.gpus;
  }
  return t;
}

}  // namespace flyte::passes
