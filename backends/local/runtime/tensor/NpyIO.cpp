// tensor.load_npy (memory-mapped) and tensor.save_npy, over the runtime's .npy header
// reader and writer.
#include "backends/local/runtime/tensor/NpyIO.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "backends/local/runtime/Npy.h"
#include "backends/local/runtime/tensor/KernelUtil.h"
#include "backends/local/runtime/tensor/Kernels.h"

namespace flyte::rt::tensor {

namespace {

struct Mapping {
  void* base = MAP_FAILED;
  size_t size = 0;
  ~Mapping() {
    if (base != MAP_FAILED) munmap(base, size);
  }
};

}  // namespace

Tensor read_npy_tensor(const std::string& path, std::string_view kernel) {
  std::string error;
  std::optional<NpyHeader> h = read_npy_header(path, error);
  if (!h) fail(kernel, path + ": " + error);
  std::optional<DType> dt = parse_dtype(h->dtype);
  if (!dt) fail(kernel, path + ": unsupported dtype " + h->dtype);
  Tensor probe = Tensor::adopt(*dt, h->shape, nullptr, nullptr);
  size_t bytes = probe.bytes();
  if (bytes == 0) return Tensor::allocate(*dt, h->shape);

  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(kernel, path + ": cannot open: " + std::system_category().message(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || static_cast<size_t>(st.st_size) < h->data_offset + bytes) {
    ::close(fd);
    fail(kernel, path + ": truncated .npy file: the data needs " +
                     std::to_string(h->data_offset + bytes) + " bytes");
  }
  auto map = std::make_shared<Mapping>();
  map->size = h->data_offset + bytes;
  map->base = ::mmap(nullptr, map->size, PROT_READ, MAP_PRIVATE, fd, 0);
  int err = errno;
  ::close(fd);
  if (map->base == MAP_FAILED)
    fail(kernel, path + ": cannot map: " + std::system_category().message(err));
  const char* data = static_cast<const char*>(map->base) + h->data_offset;
  if (reinterpret_cast<uintptr_t>(data) % dtype_size(*dt) != 0) {
    // Old writers pad headers to 16 bytes only; copy to keep element access aligned.
    Tensor copy = Tensor::allocate(*dt, h->shape);
    std::memcpy(copy.mutable_data(), data, bytes);
    return copy;
  }
  return Tensor::adopt(*dt, h->shape, std::shared_ptr<const void>(map, map.get()), data);
}

void write_npy_tensor(const std::string& path, const Tensor& t, std::string_view kernel) {
  std::string error;
  if (!write_npy(path, std::string(dtype_name(t.dtype())), t.shape(), t.data(), t.bytes(), error))
    fail(kernel, error);
}

namespace kernels {

std::vector<KernelValue> load_npy(std::span<const KernelValue> args, KernelContext&) {
  const auto& file = arg<std::string>(args, 0, "load_npy", "file");
  return one(read_npy_tensor(file, "load_npy"));
}

std::vector<KernelValue> save_npy(std::span<const KernelValue> args, KernelContext& ctx) {
  const Tensor& x = arg<Tensor>(args, 0, "save_npy", "x");
  if (ctx.work_dir.empty()) fail("save_npy", "no work directory for the output file");
  std::string path = ctx.work_dir + "/x.npy";
  write_npy_tensor(path, x, "save_npy");
  return one(path);
}

}  // namespace kernels
}  // namespace flyte::rt::tensor
