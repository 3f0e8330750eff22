// The table of the names visible in a workflow: each name's innermost binding, found in a
// flat array of 8-byte entries. A workflow may bind 100,000 names; in a node-based hash
// map (a node allocated per name, a pointer followed per probe) binding them took about
// half of the checker's time.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

namespace flyte::check {

/// A map from a name to a 32-bit value below UINT32_MAX, the index of a binding whose
/// name `name_of(value)` gives: the table holds only hashes and values, 8 bytes an entry,
/// so that a large one stays in cache. Open addressing with linear probing.
template <class NameOf>
class NameTable {
 public:
  explicit NameTable(NameOf name_of) : name_of_(std::move(name_of)) {}

  /// Removes every name, keeping the room.
  void clear() {
    std::fill(entries_.begin(), entries_.end(), Entry{});
    size_ = 0;
  }

  /// Makes room for `n` names without growing.
  void reserve(size_t n) {
    size_t capacity = 16;
    while (capacity < 2 * n) capacity *= 2;
    if (capacity > entries_.size()) rehash(capacity);
  }

  /// The value of `name`, or null when it has none. Valid until the next insertion.
  uint32_t* find(std::string_view name) {
    if (size_ == 0) return nullptr;
    Entry& e = lookup(name, hash(name));
    return e.value == kFree ? nullptr : &e.value;
  }

  /// Gives `name` the value `value` (whose name must be `name`) unless it has one;
  /// returns its value and whether it was inserted, as `std::unordered_map::try_emplace`.
  std::pair<uint32_t*, bool> try_emplace(std::string_view name, uint32_t value) {
    if (2 * (size_ + 1) > entries_.size()) rehash(entries_.empty() ? 16 : 2 * entries_.size());
    uint32_t h = hash(name);
    Entry& e = lookup(name, h);
    if (e.value != kFree) return {&e.value, false};
    e = Entry{h, value};
    ++size_;
    return {&e.value, true};
  }

  /// Removes `name`, if present. Later entries of its probe run move back into the gap
  /// (backward-shift deletion), so no tombstones are left.
  void erase(std::string_view name) {
    if (size_ == 0) return;
    Entry* e = &lookup(name, hash(name));
    if (e->value == kFree) return;
    size_t mask = entries_.size() - 1;
    size_t gap = static_cast<size_t>(e - entries_.data());
    for (size_t j = (gap + 1) & mask; entries_[j].value != kFree; j = (j + 1) & mask) {
      size_t home = entries_[j].hash & mask;
      // The entry at j stays when its home lies cyclically in (gap, j].
      bool stays = gap <= j ? (gap < home && home <= j) : (gap < home || home <= j);
      if (stays) continue;
      entries_[gap] = entries_[j];
      gap = j;
    }
    entries_[gap] = Entry{};
    --size_;
  }

  size_t size() const { return size_; }

 private:
  static constexpr uint32_t kFree = UINT32_MAX;
  struct Entry {
    uint32_t hash = 0;
    uint32_t value = kFree;  // kFree for a free entry
  };

  static uint32_t hash(std::string_view name) {
    return static_cast<uint32_t>(std::hash<std::string_view>{}(name));
  }

  // The entry holding `name`, or the free entry where it would go.
  Entry& lookup(std::string_view name, uint32_t h) {
    size_t mask = entries_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Entry& e = entries_[i];
      if (e.value == kFree || (e.hash == h && name_of_(e.value) == name)) return e;
    }
  }

  void rehash(size_t capacity) {
    std::vector<Entry> old = std::exchange(entries_, std::vector<Entry>(capacity));
    size_ = 0;
    size_t mask = capacity - 1;
    for (const Entry& e : old) {
      if (e.value == kFree) continue;
      size_t i = e.hash & mask;
      while (entries_[i].value != kFree) i = (i + 1) & mask;
      entries_[i] = e;
      ++size_;
    }
  }

  NameOf name_of_;
  std::vector<Entry> entries_;  // a power of two in size, at most half full
  size_t size_ = 0;
};

}  // namespace flyte::check
