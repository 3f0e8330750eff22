#!/usr/bin/env bash
# Sets up, builds and runs every test: GoogleTest units, lit tests, the mutation test and
# the Kubernetes manifests' schema and data-flow tests (ctest), then the Slurm backend's
# tests on a one-node cluster (as root), then the style checks (scripts/lint.sh:
# clang-format and clang-tidy), then,
# against a build with AddressSanitizer and UndefinedBehaviorSanitizer, the mutation test,
# the runtime's and the tensor kernels' unit tests and the local backend's lit tests; then those units and lit
# tests against a build with ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
# A full run needs about 20 GB: the main build, and the sanitizer builds whose test
# executables are large. Say what there is, so that a full disk is seen as the cause.
df -h . | sed 's/^/test: disk: /'
scripts/setup.sh
jobs=$(nproc)
(cd build && ctest --output-on-failure -j "$jobs")

# The Slurm backend on a real one-node cluster (slurmctld, slurmd and munged on
# 127.0.0.1, started and always stopped by with_cluster.sh); the daemons need root.
echo "test: slurm (one-node cluster)"
if [[ $(id -u) -eq 0 ]]; then
  timeout 300 test/integration/slurm/with_cluster.sh -- \
    python3 test/integration/slurm/run_tests.py --build build
else
  echo "test: slurm skipped (the one-node cluster needs root)"
fi

# A formatting difference or a clang-tidy finding fails CI. clang-tidy parses every .cpp
# once, $jobs at a time (it prints how long that took).
echo "test: lint"
scripts/lint.sh

# The sanitizer builds compile at -O1 with line tables only (-g1): about a third less
# compile time than RelWithDebInfo's -O2 -g, and stack traces keep their file:line. Their
# flytec has only the local target: what runs under the sanitizers (the mutation test's
# `check`, the local lit tests) never reaches the slurm and k8s backends.
sanitizer_flags=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" -DFLYTEC_CUDA=OFF -DFLYTEC_BUILD_TESTS=ON
  -DFLYTEC_BUILD_BENCH=OFF -DFLYTEC_REMOTE_BACKENDS=OFF)
echo "test: sanitizer build (address, undefined)"
cmake -S . -B build-asan "${sanitizer_flags[@]}" -DFLYTEC_SANITIZE=address,undefined >/dev/null
cmake --build build-asan --target flytec runtime_unittests tensor_unittests
python3 scripts/mutate.py --flytec build-asan/bin/flytec --count 1000 --seed 7 --timeout 5 \
  examples/*.flyte stdlib/std/*.flyte
# The runtime is threaded and handles signals, processes and damaged files: its units and
# the executables the local tests build run with the sanitizers too (leaks included).
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
build-asan/test/unit/runtime_unittests --gtest_brief=1
build-asan/test/unit/tensor_unittests --gtest_brief=1
python3 /usr/lib/llvm-14/build/utils/lit/lit.py -s build-asan/test/lit/local
# Their executables (about 9 GB with the sanitizers' runtime) are not needed once passed.
rm -rf build-asan/test/lit/local/Output

# The runtime is threaded (a scheduler, a worker pool, a signal thread, the journal's
# group commit): its units and the local backend's lit tests again against a build with
# ThreadSanitizer. Only the runtime and its units are built: the lit tests run build/'s
# flytec, which links their executables against this build's runtime (FLYTEC_LIT_FLYTEC;
# lib/flytec/runtime.cfg says how). A data race fails it.
echo "test: sanitizer build (thread)"
cmake -S . -B build-tsan "${sanitizer_flags[@]}" -DFLYTEC_SANITIZE=thread \
  -DFLYTEC_LIT_FLYTEC="$PWD/build/bin/flytec" >/dev/null
cmake --build build-tsan --target flyte_runtime flyte_ir flyte_ir_proto flyte_support runtime_unittests
TSAN_OPTIONS=halt_on_error=1 build-tsan/test/unit/runtime_unittests --gtest_brief=1
python3 /usr/lib/llvm-14/build/utils/lit/lit.py -s build-tsan/test/lit/local
