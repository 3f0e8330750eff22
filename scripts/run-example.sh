#!/usr/bin/env bash
# The main job: set up, check every example workflow, then compile the ETL example into
# a native executable and run it (its run directory and cache go under .flyte/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
flytec=build/bin/flytec
"$flytec" check examples/*.flyte
echo "flytec check: all $(ls examples/*.flyte | wc -l) examples are clean"
mkdir -p .flyte
"$flytec" build examples/etl.flyte --workflow daily -o .flyte/etl
echo "flytec build: .flyte/etl"
.flyte/etl --run-dir .flyte/runs --cache-dir .flyte/cache --jobs 2
