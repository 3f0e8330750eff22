#include "backends/local/runtime/Npy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <system_error>

namespace flyte::rt {

namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
// numpy itself refuses headers over 10 KB by default; 1 MiB keeps a hostile length field
// from making us allocate gigabytes while leaving room for any honest header.
constexpr uint32_t kMaxHeaderLen = 1 << 20;

struct DtypeInfo {
  std::string_view name;   // flytec's
  std::string_view descr;  // what numpy writes
  size_t size;
};

// bf16 has no numpy descr of its own: ml_dtypes' bfloat16 is saved as the 2-byte void
// '<V2', so that is read (and written) as bf16.
constexpr DtypeInfo kDtypes[] = {{"f16", "<f2", 2}, {"bf16", "<V2", 2}, {"f32", "<f4", 4},
                                 {"f64", "<f8", 8}, {"i8", "|i1", 1},   {"i32", "<i4", 4},
                                 {"i64", "<i8", 8}, {"u8", "|u1", 1},   {"bool", "|b1", 1}};

std::string errno_text(int err) { return std::system_category().message(err); }

const DtypeInfo* dtype_by_name(std::string_view name) {
  for (const DtypeInfo& d : kDtypes)
    if (d.name == name) return &d;
  return nullptr;
}

// One-byte types have no byte order; numpy writes '|' but '<' means the same.
const DtypeInfo* dtype_by_descr(std::string_view descr) {
  for (const DtypeInfo& d : kDtypes) {
    if (d.descr == descr) return &d;
    if (descr.size() == d.descr.size() && descr.substr(1) == d.descr.substr(1) &&
        (descr[0] == '<' || descr[0] == '|') && (d.size == 1 || d.name == "bf16"))
      return &d;
  }
  return nullptr;
}

std::string join_shape(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

std::string join_dims(const std::vector<NpyDim>& dims) {
  std::string out = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) out += ", ";
    switch (dims[i].kind) {
      case NpyDim::Kind::Literal: out += std::to_string(dims[i].value); break;
      case NpyDim::Kind::Var: out += dims[i].var; break;
      case NpyDim::Kind::Any: out += "?"; break;
    }
  }
  return out + "]";
}

// Bytes of data for `shape` of items of `item` bytes; false on overflow or a negative
// dimension.
bool data_size(const std::vector<int64_t>& shape, size_t item, size_t& out) {
  out = item;
  for (int64_t d : shape) {
    if (d < 0 || __builtin_mul_overflow(out, static_cast<uint64_t>(d), &out)) return false;
  }
  return true;
}

// The header dict as numpy writes it: a Python literal such as
// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` padded with spaces and a
// newline. Only the literals numpy produces are accepted; anything else is malformed.
class HeaderParser {
 public:
  explicit HeaderParser(std::string_view text) : s_(text) {}

  bool parse(std::string& descr, bool& fortran, std::vector<int64_t>& shape, std::string& error) {
    bool have_descr = false, have_fortran = false, have_shape = false;
    skip_ws();
    if (!eat('{')) return fail("expected '{'", error);
    for (;;) {
      skip_ws();
      if (eat('}')) break;
      std::string key;
      if (!parse_string(key)) return fail("expected a quoted key", error);
      skip_ws();
      if (!eat(':')) return fail("expected ':' after '" + key + "'", error);
      skip_ws();
      if (key == "descr" && !have_descr) {
        if (peek() == '[') return fail("structured dtypes are not supported", error, false);
        if (!parse_string(descr)) return fail("'descr' is not a string", error);
        have_descr = true;
      } else if (key == "fortran_order" && !have_fortran) {
        if (!parse_bool(fortran)) return fail("'fortran_order' is not True or False", error);
        have_fortran = true;
      } else if (key == "shape" && !have_shape) {
        if (!parse_tuple(shape)) return fail("'shape' is not a tuple of sizes", error);
        have_shape = true;
      } else {
        return fail("unexpected or repeated key '" + key + "'", error);
      }
      skip_ws();
      if (eat('}')) break;
      if (!eat(',')) return fail("expected ',' or '}'", error);
    }
    skip_ws();
    if (pos_ != s_.size()) return fail("text after '}'", error);
    if (!have_descr || !have_fortran || !have_shape)
      return fail("'descr', 'fortran_order' and 'shape' are all required", error);
    return true;
  }

 private:
  bool fail(const std::string& what, std::string& error, bool at = true) {
    error = "malformed .npy header: " + what;
    if (at) error += " at byte " + std::to_string(pos_) + " of the header";
    return false;
  }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool eat(char c) {
    if (peek() != c || pos_ >= s_.size()) return false;
    ++pos_;
    return true;
  }
  bool eat(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }

  // A '...' or "..." string without escapes (numpy's keys and dtype strings have none).
  bool parse_string(std::string& out) {
    char q = peek();
    if (q != '\'' && q != '"') return false;
    size_t end = s_.find(q, pos_ + 1);
    if (end == std::string_view::npos) return false;
    std::string_view body = s_.substr(pos_ + 1, end - pos_ - 1);
    if (body.find('\\') != std::string_view::npos || body.find('\n') != std::string_view::npos)
      return false;
    out.assign(body);
    pos_ = end + 1;
    return true;
  }

  bool parse_bool(bool& out) {
    if (eat(std::string_view("True"))) {
      out = true;
      return true;
    }
    if (eat(std::string_view("False"))) {
      out = false;
      return true;
    }
    return false;
  }

  // A non-negative integer; Python 2's numpy wrote longs as `3L`.
  bool parse_int(int64_t& out) {
    if (peek() < '0' || peek() > '9') return false;
    out = 0;
    while (peek() >= '0' && peek() <= '9') {
      if (__builtin_mul_overflow(out, 10, &out) || __builtin_add_overflow(out, peek() - '0', &out))
        return false;
      ++pos_;
    }
    eat('L');
    return true;
  }

  // `()`, `(3,)`, `(3, 4)` or `(3, 4,)`; `(3)` is an int in Python, so it is refused.
  bool parse_tuple(std::vector<int64_t>& out) {
    if (!eat('(')) return false;
    bool comma = false;
    for (;;) {
      skip_ws();
      if (eat(')')) break;
      int64_t v = 0;
      if (!parse_int(v)) return false;
      out.push_back(v);
      skip_ws();
      if (eat(')')) break;
      if (!eat(',')) return false;
      comma = true;
    }
    return out.size() != 1 || comma;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// Reads exactly `n` bytes at `offset`; false on a short read.
bool read_at(int fd, void* buf, size_t n, off_t offset) {
  size_t got = 0;
  while (got < n) {
    ssize_t k = pread(fd, static_cast<char*>(buf) + got, n - got, offset + static_cast<off_t>(got));
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    got += static_cast<size_t>(k);
  }
  return true;
}

bool write_all(int fd, const void* buf, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t k = write(fd, static_cast<const char*>(buf) + done, n - done);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    done += static_cast<size_t>(k);
  }
  return true;
}

uint32_t little_endian(const unsigned char* p, size_t n) {
  uint32_t v = 0;
  for (size_t i = n; i-- > 0;) v = (v << 8) | p[i];
  return v;
}

// The magic, version and header length: where the header text starts and how long it is.
bool read_preamble(int fd, uint64_t file_size, size_t& header_start, uint32_t& header_len,
                   std::string& error) {
  unsigned char pre[12] = {};
  if (file_size < 10 || !read_at(fd, pre, 10, 0)) {
    error = "not a .npy file: too short";
    return false;
  }
  if (std::string_view(reinterpret_cast<const char*>(pre), kMagic.size()) != kMagic) {
    error = "not a .npy file: no \\x93NUMPY magic";
    return false;
  }
  const unsigned major = pre[6], minor = pre[7];
  if (major < 1 || major > 3 || minor != 0) {
    error = "unsupported .npy format version " + std::to_string(major) + "." +
            std::to_string(minor) + " (1.0, 2.0 and 3.0 are read)";
    return false;
  }
  // 1.0 has a 2-byte header length; 2.0 and 3.0 (3.0: UTF-8 header) have 4 bytes.
  const size_t len_bytes = major == 1 ? 2 : 4;
  header_start = 8 + len_bytes;
  if (file_size < header_start || !read_at(fd, pre + 8, len_bytes, 8)) {
    error = "not a .npy file: too short";
    return false;
  }
  header_len = little_endian(pre + 8, len_bytes);
  if (header_len > kMaxHeaderLen) {
    error = "malformed .npy header: its length " + std::to_string(header_len) +
            " is over the 1 MiB limit";
    return false;
  }
  if (header_start + header_len > file_size) {
    error = "truncated .npy file: the header needs " + std::to_string(header_start + header_len) +
            " bytes, the file has " + std::to_string(file_size);
    return false;
  }
  return true;
}

std::optional<NpyHeader> parse_header_fd(int fd, std::string& error) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    error = "cannot stat: " + errno_text(errno);
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {
    error = "not a regular file";
    return std::nullopt;
  }
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);
  size_t header_start = 0;
  uint32_t header_len = 0;
  if (!read_preamble(fd, file_size, header_start, header_len, error)) return std::nullopt;
  std::string text(header_len, '\0');
  if (!read_at(fd, text.data(), header_len, static_cast<off_t>(header_start))) {
    error = "cannot read the .npy header: " + errno_text(errno);
    return std::nullopt;
  }

  std::string descr;
  bool fortran = false;
  NpyHeader h;
  if (!HeaderParser(text).parse(descr, fortran, h.shape, error)) return std::nullopt;
  const DtypeInfo* dt = dtype_by_descr(descr);
  if (!dt) {
    if (!descr.empty() && descr[0] == '>')
      error = "big-endian data (descr '" + descr + "') is not supported; save it little-endian";
    else
      error = "unsupported dtype (descr '" + descr +
              "'); supported: f16 bf16 f32 f64 i8 i32 i64 u8 bool";
    return std::nullopt;
  }
  if (fortran) {
    error = "Fortran-ordered data is not supported; save it in C order";
    return std::nullopt;
  }
  h.dtype = std::string(dt->name);
  h.data_offset = header_start + header_len;
  size_t bytes = 0;
  uint64_t expected = 0;
  if (!data_size(h.shape, dt->size, bytes) ||
      __builtin_add_overflow(static_cast<uint64_t>(h.data_offset), bytes, &expected)) {
    error = "shape " + join_shape(h.shape) + " is too large";
    return std::nullopt;
  }
  if (expected != file_size) {
    error = "file size does not match the header: expected " + std::to_string(expected) +
            " bytes (" + std::to_string(h.data_offset) + " of header, shape " +
            join_shape(h.shape) + " of " + h.dtype + "), found " + std::to_string(file_size);
    return std::nullopt;
  }
  return h;
}

// The header text of a version 1.0 (or, when longer than 64 KiB, 2.0) file, preamble
// included, padded so that the data starts at a multiple of 64 bytes as numpy does.
std::string header_bytes(const DtypeInfo& dt, const std::vector<int64_t>& shape) {
  std::string dict =
      "{'descr': '" + std::string(dt.descr) + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) dict += ' ';
    dict += std::to_string(shape[i]) + ",";
  }
  if (shape.size() > 1) dict.pop_back();  // `(3,)` but `(3, 4)`
  dict += "), }";
  size_t preamble = 10;
  if (dict.size() + 1 + preamble + 63 > 0xffff) preamble = 12;
  size_t total = (preamble + dict.size() + 1 + 63) / 64 * 64;
  dict.append(total - preamble - dict.size() - 1, ' ');
  dict += '\n';
  const uint32_t len = static_cast<uint32_t>(dict.size());
  std::string out(kMagic);
  out += static_cast<char>(preamble == 10 ? 1 : 2);
  out += '\0';
  for (size_t i = 0; i < preamble - 8; ++i) out += static_cast<char>((len >> (8 * i)) & 0xff);
  return out + dict;
}

std::string dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Writes the file at `tmp` and syncs it; false with `error` set.
bool write_synced(const std::string& tmp, const std::string& header, const void* data, size_t bytes,
                  std::string& error) {
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = "cannot create " + tmp + ": " + errno_text(errno);
    return false;
  }
  bool ok = write_all(fd, header.data(), header.size()) &&
            (bytes == 0 || write_all(fd, data, bytes)) && fsync(fd) == 0;
  int err = errno;
  if (close(fd) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (!ok) error = "cannot write " + tmp + ": " + errno_text(err);
  return ok;
}

}  // namespace

std::optional<NpyHeader> read_npy_header(const std::string& path, std::string& error) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = "cannot open: " + errno_text(errno);
    return std::nullopt;
  }
  std::optional<NpyHeader> h = parse_header_fd(fd, error);
  close(fd);
  return h;
}

bool check_npy(const NpyHeader& h, const std::string& dtype, const std::vector<NpyDim>* dims,
               std::map<std::string, int64_t>& bindings, std::string& error) {
  if (!dtype.empty() && h.dtype != dtype) {
    error = "dtype is " + h.dtype + ", declared " + dtype;
    return false;
  }
  if (!dims) return true;
  if (dims->size() != h.shape.size()) {
    error = "rank is " + std::to_string(h.shape.size()) + ", declared " +
            std::to_string(dims->size()) + " (" + join_dims(*dims) + ")";
    return false;
  }
  // Bindings made by this tensor are kept apart until it passes, so a failed check leaves
  // `bindings` as it was, and a clash within this tensor is reported as one.
  std::map<std::string, size_t> bound_here;  // variable -> the dimension that bound it
  std::map<std::string, int64_t> added;
  for (size_t i = 0; i < dims->size(); ++i) {
    const NpyDim& d = (*dims)[i];
    const int64_t found = h.shape[i];
    const std::string at = "dimension " + std::to_string(i);
    if (d.kind == NpyDim::Kind::Literal && found != d.value) {
      error = at + " is " + std::to_string(found) + ", declared " + std::to_string(d.value);
      return false;
    }
    if (d.kind != NpyDim::Kind::Var) continue;
    if (auto it = added.find(d.var); it != added.end()) {
      if (it->second != found) {
        error = at + " (" + d.var + ") is " + std::to_string(found) + ", but " + d.var + " is " +
                std::to_string(it->second) + " from dimension " + std::to_string(bound_here[d.var]);
        return false;
      }
    } else if (auto old = bindings.find(d.var); old != bindings.end()) {
      if (old->second != found) {
        error = at + " (" + d.var + ") is " + std::to_string(found) + ", but " + d.var + " is " +
                std::to_string(old->second) + " from an earlier tensor";
        return false;
      }
    } else {
      added[d.var] = found;
      bound_here[d.var] = i;
    }
  }
  bindings.insert(added.begin(), added.end());
  return true;
}

bool write_npy(const std::string& path, const std::string& dtype, const std::vector<int64_t>& shape,
               const void* data, size_t bytes, std::string& error) {
  const DtypeInfo* dt = dtype_by_name(dtype);
  if (!dt) {
    error = "cannot write dtype '" + dtype + "' to .npy";
    return false;
  }
  size_t expected = 0;
  if (!data_size(shape, dt->size, expected)) {
    error = "invalid shape " + join_shape(shape);
    return false;
  }
  if (expected != bytes) {
    error = "shape " + join_shape(shape) + " of " + dtype + " needs " + std::to_string(expected) +
            " bytes, got " + std::to_string(bytes);
    return false;
  }
  // Unique among threads (counter) and processes (pid) writing beside the same target.
  static std::atomic<uint64_t> counter{0};
  const std::string tmp =
      path + ".tmp." + std::to_string(getpid()) + "." + std::to_string(counter++);
  if (!write_synced(tmp, header_bytes(*dt, shape), data, bytes, error)) {
    unlink(tmp.c_str());
    return false;
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    error = "cannot rename " + tmp + " to " + path + ": " + errno_text(errno);
    unlink(tmp.c_str());
    return false;
  }
  // Best effort: make the rename itself durable.
  int dfd = open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return true;
}

}  // namespace flyte::rt
