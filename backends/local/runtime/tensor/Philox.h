// Counter-based random numbers: Philox4x32-10 (Salmon et al., "Parallel random numbers:
// as easy as 1, 2, 3", SC 2011) and the exact mapping from (seed, stream, element index)
// to a value, which a GPU implementation reproduces bit for bit (up to the last-bit
// accuracy of its log and cos for "normal").
//
// For element i (0-based, C order) of a draw with `seed` on `stream`:
//   counter = {lo32(i), hi32(i), stream, 0}, key = {lo32(seed), hi32(seed)}
//   (seed as its 64-bit two's complement), {x0, x1, x2, x3} = philox4x32_10(counter, key).
//   uniform: (x0 >> 8) * 2^-24, a float32 in [0, 1), exact.
//   normal:  u1 = ((x0 >> 8) + 1) * 2^-24 in (0, 1], u2 = (x1 >> 8) * 2^-24 in [0, 1),
//            z = sqrt(-2 ln u1) * cos(2 pi u2) in double, then rounded to float32
//            (Box-Muller, first output only).
// x2 and x3 are unused. Streams: 0 tensor.random, 1 ml.make_blobs' centres, 2 its
// points, 3 ml.kmeans' k-means++ choices.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

namespace flyte::rt::tensor {

enum class RandomStream : uint32_t { Tensor = 0, BlobCentres = 1, BlobPoints = 2, KMeansInit = 3 };

/// The Philox4x32 block function with 10 rounds.
inline std::array<uint32_t, 4> philox4x32_10(std::array<uint32_t, 4> c, std::array<uint32_t, 2> k) {
  constexpr uint64_t kM0 = 0xD2511F53, kM1 = 0xCD9E8D57;
  constexpr uint32_t kW0 = 0x9E3779B9, kW1 = 0xBB67AE85;
  for (int round = 0; round < 10; ++round) {
    uint64_t p0 = kM0 * c[0], p1 = kM1 * c[2];
    c = {static_cast<uint32_t>(p1 >> 32) ^ c[1] ^ k[0], static_cast<uint32_t>(p1),
         static_cast<uint32_t>(p0 >> 32) ^ c[3] ^ k[1], static_cast<uint32_t>(p0)};
    k[0] += kW0;
    k[1] += kW1;
  }
  return c;
}

/// The four words for element `i` of `stream` under `seed`.
inline std::array<uint32_t, 4> philox_words(int64_t seed, RandomStream stream, uint64_t i) {
  auto s = static_cast<uint64_t>(seed);
  return philox4x32_10(
      {static_cast<uint32_t>(i), static_cast<uint32_t>(i >> 32), static_cast<uint32_t>(stream), 0},
      {static_cast<uint32_t>(s), static_cast<uint32_t>(s >> 32)});
}

/// Element i's uniform value in [0, 1).
inline float philox_uniform(int64_t seed, RandomStream stream, uint64_t i) {
  return static_cast<float>(philox_words(seed, stream, i)[0] >> 8) * 0x1p-24f;
}

/// Element i's standard normal value, in double before rounding.
inline double philox_normal(int64_t seed, RandomStream stream, uint64_t i) {
  auto w = philox_words(seed, stream, i);
  double u1 = static_cast<double>((w[0] >> 8) + 1) * 0x1p-24;
  double u2 = static_cast<double>(w[1] >> 8) * 0x1p-24;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

}  // namespace flyte::rt::tensor
