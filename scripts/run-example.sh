#!/usr/bin/env bash
# The main job: set up, then check every example workflow and show one as the compiler
# parsed it. (Once the local backend lands this compiles and runs an example.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
flytec=build/bin/flytec
"$flytec" check examples/*.flyte
echo "flytec check: all $(ls examples/*.flyte | wc -l) examples are clean"
"$flytec" emit examples/mnist.flyte --format ast
