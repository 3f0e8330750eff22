// XXH3-128 through xxHash's streaming interface.
#include "support/Hash.h"

#include <xxhash.h>

#include <cstdint>

#include "support/Check.h"

namespace flyte {
namespace {

XXH3_state_t* state(void* p) { return static_cast<XXH3_state_t*>(p); }

}  // namespace

Hasher::Hasher() : state_(XXH3_createState()) {
  FLYTEC_CHECK(state_ != nullptr, "out of memory for an XXH3 state");
  XXH3_128bits_reset(state(state_));
}

Hasher::~Hasher() { XXH3_freeState(state(state_)); }

void Hasher::add(std::string_view bytes) {
  unsigned char len[8];
  uint64_t n = bytes.size();
  for (unsigned char& b : len) {
    b = static_cast<unsigned char>(n & 0xFF);
    n >>= 8;
  }
  XXH3_128bits_update(state(state_), len, sizeof len);
  add_raw(bytes);
}

void Hasher::add_raw(std::string_view bytes) {
  XXH3_128bits_update(state(state_), bytes.data(), bytes.size());
}

std::string Hasher::hex() {
  XXH128_hash_t digest = XXH3_128bits_digest(state(state_));
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(32, '0');
  uint64_t halves[2] = {digest.high64, digest.low64};
  for (size_t h = 0; h < 2; ++h) {
    for (size_t i = 0; i < 16; ++i) out[h * 16 + i] = kDigits[(halves[h] >> (60 - 4 * i)) & 0xF];
  }
  return out;
}

std::string hash_bytes(std::string_view bytes) {
  Hasher h;
  h.add(bytes);
  return h.hex();
}

}  // namespace flyte
