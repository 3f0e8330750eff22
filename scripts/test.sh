#!/usr/bin/env bash
# Sets up, builds and runs every test: GoogleTest units, lit tests and the mutation test
# (ctest), then the mutation test again against a build with AddressSanitizer and
# UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc)
(cd build && ctest --output-on-failure -j "$jobs")

echo "test: sanitizer build (address, undefined)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFLYTEC_SANITIZE=address,undefined \
  -DFLYTEC_BUILD_TESTS=OFF -DFLYTEC_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan --target flytec
python3 scripts/mutate.py --flytec build-asan/bin/flytec --count 1000 --seed 7 --timeout 5 \
  examples/*.flyte stdlib/std/*.flyte
