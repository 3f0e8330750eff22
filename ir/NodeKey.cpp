// Node keys: building and reading them.
#include "ir/NodeKey.h"

#include <fmt/format.h>

#include <charconv>

namespace flyte::ir {

std::string node_key(std::string_view prefix, NodeId node) {
  return fmt::format("{}n{}", prefix, node.index);
}

std::string subworkflow_prefix(std::string_view key) { return fmt::format("{}.", key); }

std::string map_item_prefix(std::string_view key, uint64_t item) {
  return fmt::format("{}-{}.", key, item);
}

namespace {

// Reads decimal digits at `s[pos]`; no leading zeros but `0` itself, as they are written.
template <class T>
bool number(std::string_view s, size_t& pos, T& out) {
  const char* begin = s.data() + pos;
  auto [end, ec] = std::from_chars(begin, s.data() + s.size(), out);
  if (ec != std::errc() || (*begin == '0' && end - begin > 1)) return false;
  pos = static_cast<size_t>(end - s.data());
  return true;
}

}  // namespace

std::optional<std::vector<NodeKeyStep>> parse_node_key(std::string_view key) {
  std::vector<NodeKeyStep> steps;
  size_t pos = 0;
  for (;;) {
    NodeKeyStep step;
    if (pos >= key.size() || key[pos] != 'n') return std::nullopt;
    ++pos;
    if (!number(key, pos, step.node.index)) return std::nullopt;
    if (pos < key.size() && key[pos] == '-') {
      uint64_t item = 0;
      ++pos;
      if (!number(key, pos, item)) return std::nullopt;
      step.item = item;
    }
    steps.push_back(step);
    if (pos == key.size()) break;
    if (key[pos] != '.') return std::nullopt;
    ++pos;
  }
  // A map's item is a scope, not a node: the key ends with a node.
  if (steps.back().item) return std::nullopt;
  return steps;
}

}  // namespace flyte::ir
