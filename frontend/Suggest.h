// "Did you mean …?": the closest known name by edit distance.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace flyte {

/// The candidate closest to `name` (Levenshtein distance, at most a third of the
/// name's length and at least 1), or nothing when none is close.
std::optional<std::string_view> closest_name(std::string_view name,
                                             const std::vector<std::string_view>& candidates);

}  // namespace flyte
