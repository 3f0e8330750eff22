// Template filling for the generated scripts (see Template.h).
#include "backends/slurm/Template.h"

namespace flyte::slurm {

std::string fill(std::string_view text,
                 const std::vector<std::pair<std::string_view, std::string>>& values) {
  std::string out;
  out.reserve(text.size() + 256);
  size_t i = 0;
  while (i < text.size()) {
    size_t at = text.find('@', i);
    if (at == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, at - i));
    size_t end = text.find('@', at + 1);
    bool replaced = false;
    if (end != std::string_view::npos) {
      std::string_view name = text.substr(at + 1, end - at - 1);
      for (const auto& [k, v] : values) {
        if (k == name) {
          out += v;
          i = end + 1;
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) {
      out += '@';
      i = at + 1;
    }
  }
  return out;
}

std::string one_line(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace flyte::slurm
