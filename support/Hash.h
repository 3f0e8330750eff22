// The one content hash of the project: XXH3-128 over length-prefixed items, printed as 32
// hex digits. Task fingerprints, cache keys, journal digests and the executable cache of
// `flytec run` all use it, so that one value has one encoding everywhere.
#pragma once

#include <string>
#include <string_view>

namespace flyte {

/// Streams items into an XXH3-128 hash, such as a task's name, then each parameter.
class Hasher {
 public:
  Hasher();
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;
  /// Adds `bytes` preceded by its length as 8 little-endian bytes, so that ("ab", "c") and
  /// ("a", "bc") differ on every host.
  void add(std::string_view bytes);
  /// Adds bytes as they are, with no length: for long data fed in chunks whose item
  /// boundaries `add` already marks.
  void add_raw(std::string_view bytes);
  /// The 128-bit digest as 32 lowercase hex digits (high half first).
  std::string hex();

 private:
  void* state_;
};

/// XXH3-128 of `bytes` as one item: `Hasher h; h.add(bytes); h.hex()`.
std::string hash_bytes(std::string_view bytes);

}  // namespace flyte
