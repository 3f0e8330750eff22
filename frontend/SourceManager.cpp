// Source buffers and the offset -> line/column mapping.
#include "frontend/SourceManager.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "support/Check.h"

namespace flyte {

struct SourceManager::File {
  std::string name;
  std::string text;
  // Offsets at which each line starts; built lazily because most files never need it.
  mutable std::vector<uint32_t> line_starts;

  const std::vector<uint32_t>& lines() const {
    if (line_starts.empty()) {
      line_starts.push_back(0);
      const char* base = text.data();
      const char* end = base + text.size();
      for (const char* p = base; p < end;) {
        const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
        if (nl == nullptr) break;
        p = static_cast<const char*>(nl) + 1;
        line_starts.push_back(static_cast<uint32_t>(p - base));
      }
    }
    return line_starts;
  }
};

SourceManager::SourceManager() = default;
SourceManager::~SourceManager() = default;

std::optional<FileId> SourceManager::load_file(const std::string& path, std::string& error) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  if (S_ISDIR(st.st_mode)) {
    error = "is a directory";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno != 0 ? errno : EACCES);
    return std::nullopt;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) {
    error = "read error";
    return std::nullopt;
  }
  std::string text = std::move(buf).str();
  // Offsets are 32-bit; a 4 GiB workflow file is not a workflow file.
  if (text.size() >= UINT32_MAX) {
    error = "file is too large";
    return std::nullopt;
  }
  return add_buffer(path, std::move(text));
}

FileId SourceManager::add_buffer(std::string name, std::string text) {
  auto f = std::make_unique<File>();
  f->name = std::move(name);
  f->text = std::move(text);
  files_.push_back(std::move(f));
  return FileId{static_cast<uint32_t>(files_.size() - 1)};
}

const SourceManager::File& SourceManager::file(FileId id) const {
  FLYTEC_CHECK(id.index < files_.size(), "invalid FileId");
  return *files_[id.index];
}

std::string_view SourceManager::text(FileId id) const { return file(id).text; }
const std::string& SourceManager::name(FileId id) const { return file(id).name; }

uint32_t SourceManager::line_count(FileId id) const {
  return static_cast<uint32_t>(file(id).lines().size());
}

uint32_t SourceManager::line_start(FileId id, uint32_t line) const {
  const auto& lines = file(id).lines();
  FLYTEC_CHECK(line >= 1 && line <= lines.size(), "line out of range");
  return lines[line - 1];
}

LineColumn SourceManager::line_column(FileId id, uint32_t offset) const {
  const File& f = file(id);
  const auto& lines = f.lines();
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(f.text.size()));
  auto it = std::upper_bound(lines.begin(), lines.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - lines.begin());
  uint32_t start = lines[line - 1];
  // Count code points: every byte that is not a UTF-8 continuation byte starts one.
  uint32_t column = 1;
  for (uint32_t i = start; i < offset; ++i) {
    if ((static_cast<unsigned char>(f.text[i]) & 0xC0) != 0x80) ++column;
  }
  return {line, column};
}

std::string_view SourceManager::line_text(FileId id, uint32_t line) const {
  const File& f = file(id);
  const auto& lines = f.lines();
  FLYTEC_CHECK(line >= 1 && line <= lines.size(), "line out of range");
  uint32_t start = lines[line - 1];
  uint32_t end = line < lines.size() ? lines[line] - 1 : static_cast<uint32_t>(f.text.size());
  std::string_view s(f.text.data() + start, end - start);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

}  // namespace flyte
