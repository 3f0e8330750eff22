#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for flytec: installs every Debian package the
# project needs (apt-get update once, then one install; nothing when all are present),
# the npm packages of the Kubernetes tests (npm ci, when their lock file changed), then
# configures and builds with CMake, Ninja and ccache into ./build.
#
#   scripts/setup.sh            install, configure, build
#   scripts/setup.sh --deps     install packages only
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # toolchain and build
  build-essential cmake ninja-build ccache clang-14 libclang-rt-14-dev python3
  # parser generator (the antlr4 tool runs on Java) and its C++ runtime
  antlr4 default-jre-headless libantlr4-runtime-dev
  # libraries
  # C++ tasks: Clang's libTooling (libclang-cpp) and LLVM's headers
  libclang-14-dev libclang-cpp14 llvm-14-dev
  libfmt-dev nlohmann-json3-dev libcli11-dev pkg-config libxxhash-dev libyaml-cpp-dev
  # the tensor kernels (BLAS, LAPACK) and the NumPy / scikit-learn references of their
  # golden files and benchmarks
  libopenblas-dev liblapacke-dev python3-numpy python3-sklearn shellcheck
  # the scheduler benchmark's comparison (TBB flow_graph)
  libtbb-dev
  # graphs: Graphviz's libraries, and its dot for the tests
  libgraphviz-dev graphviz
  # the IR's serialized form
  libprotobuf-dev protobuf-compiler
  # tests and benchmarks: GoogleTest, Google Benchmark, lit and FileCheck
  libgtest-dev libgmock-dev libbenchmark-dev llvm-14-tools
  # the Kubernetes backend's tests (test/integration/k8s): the manifests' schema
  # validator runs on Node.js (its npm packages are pinned in package-lock.json), the
  # Argo Workflows interpreter on Python with PyYAML
  nodejs python3-yaml
  # style (scripts/lint.sh)
  clang-format-14 clang-tidy-14
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all ${#packages[@]} packages present"
fi

# npm comes with nodejs from NodeSource; Debian's nodejs needs its own npm package.
if ! command -v npm >/dev/null; then
  echo "setup: installing npm"
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends npm
fi
# The validator's npm packages, exactly as locked; again only when the lock file changed.
k8s_tests=test/integration/k8s
if ! cmp -s "$k8s_tests/package-lock.json" "$k8s_tests/node_modules/.flytec-lock"; then
  echo "setup: npm ci in $k8s_tests"
  (cd "$k8s_tests" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$k8s_tests/package-lock.json" "$k8s_tests/node_modules/.flytec-lock"
fi

[[ "${1:-}" == "--deps" ]] && exit 0

build_dir=${FLYTEC_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${FLYTEC_BUILD_TYPE:-RelWithDebInfo} \
  -DFLYTEC_BUILD_TESTS=ON -DFLYTEC_BUILD_BENCH=ON >/dev/null
cmake --build "$build_dir"
echo "setup: built $build_dir/bin/flytec"
