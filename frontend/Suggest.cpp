// Edit-distance suggestions.
#include "frontend/Suggest.h"

#include <algorithm>

namespace flyte {
namespace {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
// two neighbouring characters ("trian" is one edit from "train").
size_t distance(std::string_view a, std::string_view b, size_t limit) {
  if (a.size() > b.size() + limit || b.size() > a.size() + limit) return limit + 1;
  size_t w = b.size() + 1;
  std::vector<size_t> d((a.size() + 1) * w);
  for (size_t i = 0; i <= a.size(); ++i) d[i * w] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t v =
          std::min({d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1, d[(i - 1) * w + j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        v = std::min(v, d[(i - 2) * w + j - 2] + 1);
      }
      d[i * w + j] = v;
    }
  }
  return d[a.size() * w + b.size()];
}

}  // namespace

std::optional<std::string_view> closest_name(std::string_view name,
                                             const std::vector<std::string_view>& candidates) {
  size_t limit = std::max<size_t>(1, name.size() / 3);
  std::optional<std::string_view> best;
  size_t best_d = limit + 1;
  for (std::string_view c : candidates) {
    if (c == name || c.empty()) continue;
    size_t d = distance(name, c, limit);
    // Replacing every character is no suggestion: 'x' for 'z' helps nobody.
    if (d >= std::max(name.size(), c.size())) continue;
    if (d < best_d || (d == best_d && best && c < *best)) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

}  // namespace flyte
