// Owns the text of every source file and maps byte offsets to lines and columns.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flyte {

/// Identifies one loaded source file, such as the `3` in `FileId{3}`.
struct FileId {
  uint32_t index = UINT32_MAX;
  bool valid() const { return index != UINT32_MAX; }
  friend bool operator==(FileId a, FileId b) { return a.index == b.index; }
};

/// A half-open byte range `[begin, end)` in one file, such as the span of `lr = "fast"`.
struct SourceRange {
  FileId file;
  uint32_t begin = 0;
  uint32_t end = 0;
};

/// A 1-based line and column; the column counts Unicode code points, as editors do.
struct LineColumn {
  uint32_t line = 0;
  uint32_t column = 0;
};

/// The largest source file (or plan) flytec reads: 64 MiB. Real workflow files are a
/// few kilobytes; the bound keeps a stray data file from taking all memory.
inline constexpr size_t kMaxSourceBytes = size_t{64} << 20;

/// Loads files once and answers location questions about them. Offsets stay offsets
/// until a diagnostic is printed; line tables are built on first use.
class SourceManager {
 public:
  SourceManager();
  ~SourceManager();
  SourceManager(const SourceManager&) = delete;
  SourceManager& operator=(const SourceManager&) = delete;

  /// Reads `path` from disk. On failure returns nothing and sets `error` to the reason.
  /// Only regular files are read (a FIFO, device or socket is refused without waiting
  /// on it), and none larger than `kMaxSourceBytes`.
  std::optional<FileId> load_file(const std::string& path, std::string& error);
  /// Adds a buffer that did not come from disk (tests, fuzzing, stdin).
  FileId add_buffer(std::string name, std::string text);

  std::string_view text(FileId id) const;
  const std::string& name(FileId id) const;
  LineColumn line_column(FileId id, uint32_t offset) const;
  /// The text of the 1-based line `line`, without its newline.
  std::string_view line_text(FileId id, uint32_t line) const;
  /// Byte offset of the start of 1-based `line`.
  uint32_t line_start(FileId id, uint32_t line) const;
  uint32_t line_count(FileId id) const;
  /// The file loaded from `path`, if any, such as the one a plan's source range names.
  std::optional<FileId> find(std::string_view path) const;

 private:
  struct File;
  const File& file(FileId id) const;
  std::vector<std::unique_ptr<File>> files_;
};

}  // namespace flyte
