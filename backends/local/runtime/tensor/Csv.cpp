// tensor.load_csv: a file of comma-separated numbers to an N x D f32 tensor, with errors
// that point at the line and column of a bad value or a ragged row.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <system_error>

#include "backends/local/runtime/tensor/KernelUtil.h"
#include "backends/local/runtime/tensor/Kernels.h"

namespace flyte::rt::tensor::kernels {

namespace {

// The file's bytes, memory-mapped (empty for an empty file).
class FileBytes {
 public:
  explicit FileBytes(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("load_csv", path + ": cannot open: " + std::system_category().message(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      fail("load_csv", path + ": cannot stat: " + std::system_category().message(err));
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
      base_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (base_ == MAP_FAILED) {
        int err = errno;
        ::close(fd);
        fail("load_csv", path + ": cannot map: " + std::system_category().message(err));
      }
      ::madvise(base_, size_, MADV_SEQUENTIAL);
    }
    ::close(fd);
  }
  ~FileBytes() {
    if (base_ != MAP_FAILED) ::munmap(base_, size_);
  }
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;
  std::string_view text() const {
    return size_ == 0 ? std::string_view()
                      : std::string_view(static_cast<const char*>(base_), size_);
  }

 private:
  void* base_ = MAP_FAILED;
  size_t size_ = 0;
};

bool is_space(char c) { return c == ' ' || c == '\t'; }

}  // namespace

std::vector<KernelValue> load_csv(std::span<const KernelValue> args, KernelContext& ctx) {
  const auto& path = arg<std::string>(args, 0, "load_csv", "file");
  bool header = arg_or<bool>(args, 1, "load_csv", "header", true);
  FileBytes file(path);
  std::string_view text = file.text();
  auto where = [&](int64_t line, size_t col) {
    return path + ":" + std::to_string(line) + ":" + std::to_string(col + 1) + ": ";
  };

  std::vector<float> values;
  int64_t cols = -1, rows = 0, first_row_line = 0, header_cols = -1;
  size_t pos = 0;
  int64_t line = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view row = text.substr(pos, end - pos);
    pos = end + 1;
    ++line;
    if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
    if (header && line == 1) {
      header_cols =
          row.empty() ? 0 : 1 + static_cast<int64_t>(std::count(row.begin(), row.end(), ','));
      continue;
    }
    if (row.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank line
    if ((line & 0xffff) == 0) check_cancelled(ctx);
    int64_t n = 0;
    size_t i = 0;
    while (true) {
      size_t field_start = i;
      while (i < row.size() && is_space(row[i])) ++i;
      size_t num_start = i;
      const char* b = row.data() + i;
      const char* e = row.data() + row.size();
      if (b < e && *b == '+') ++b;  // from_chars takes no '+'
      float v = 0;
      auto [ptr, ec] = std::from_chars(b, e, v);
      if (ec == std::errc::result_out_of_range) {
        fail("load_csv", where(line, num_start) + "'" +
                             std::string(row.substr(
                                 num_start, static_cast<size_t>(ptr - row.data()) - num_start)) +
                             "' is out of range for f32");
      }
      size_t stop = static_cast<size_t>(ptr - row.data());
      size_t after = stop;
      while (after < row.size() && is_space(row[after])) ++after;
      if (ec != std::errc() || ptr == b || (after < row.size() && row[after] != ',')) {
        size_t field_end = row.find(',', field_start);
        if (field_end == std::string_view::npos) field_end = row.size();
        std::string_view field = row.substr(num_start, field_end - num_start);
        while (!field.empty() && is_space(field.back())) field.remove_suffix(1);
        std::string message = where(line, num_start);
        if (field.empty()) {
          message += "empty value";
        } else {
          message += '\'';
          message += field;
          message += "' is not a number";
        }
        fail("load_csv", message);
      }
      ++n;
      if (cols >= 0 && n > cols)
        fail("load_csv", where(line, field_start) + "row has more than " + std::to_string(cols) +
                             " values, but line " + std::to_string(first_row_line) + " has " +
                             std::to_string(cols));
      values.push_back(v);
      if (after >= row.size()) break;
      i = after + 1;
    }
    if (cols < 0) {
      cols = n;
      first_row_line = line;
    } else if (n != cols) {
      fail("load_csv", where(line, row.size()) + "row has " + std::to_string(n) +
                           " values, but line " + std::to_string(first_row_line) + " has " +
                           std::to_string(cols));
    }
    ++rows;
  }
  if (cols < 0) cols = header_cols < 0 ? 0 : header_cols;
  Tensor out = Tensor::allocate(DType::F32, {rows, cols});
  if (!values.empty())
    std::memcpy(out.mutable_data(), values.data(), values.size() * sizeof(float));
  return one(std::move(out));
}

}  // namespace flyte::rt::tensor::kernels
