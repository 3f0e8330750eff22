// The stable key of one run of a node: how run directories, journals, events and
// `--run-node` name it. Node 3 of the workflow run is `n3`; node 0 of the workflow that
// sub-workflow node 2 calls is `n2.n0`; node 1 of item 7 of map node 0 is `n0-7.n1`; a
// branch arm's nodes keep the key prefix of the branch's own scope. Existing run
// directories depend on these exact strings: never change them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/Ir.h"

namespace flyte::ir {

/// The key of node `node` in the scope whose keys start with `prefix`, such as `n3`
/// for prefix `` and `n2.n3` for prefix `n2.`.
std::string node_key(std::string_view prefix, NodeId node);

/// The key prefix of the nodes of the workflow that sub-workflow node `key` calls, such
/// as `n2.` for `n2`.
std::string subworkflow_prefix(std::string_view key);

/// The key prefix of the nodes of item `item` of map node `key`, such as `n0-7.` for
/// `n0` and item 7.
std::string map_item_prefix(std::string_view key, uint64_t item);

/// One step of a key from the workflow run down to the node: a node, and when the key
/// goes on inside one item of it (a map), that item.
struct NodeKeyStep {
  NodeId node;
  std::optional<uint64_t> item;
  friend bool operator==(const NodeKeyStep& a, const NodeKeyStep& b) {
    return a.node == b.node && a.item == b.item;
  }
};

/// A key read back, such as `{{0, 7}, {1}}` for `n0-7.n1`: every step but the last is
/// a sub-workflow node or (with an item) a map node. None when `key` is no node key.
std::optional<std::vector<NodeKeyStep>> parse_node_key(std::string_view key);

}  // namespace flyte::ir
