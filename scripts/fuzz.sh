#!/usr/bin/env bash
# Builds the frontend libFuzzer target with clang, ASan and UBSan (in build-fuzz/) and
# fuzzes it for SECONDS (default 60), seeded with the examples and the standard library
# and guided by fuzz/flyte.dict.
#
#   scripts/fuzz.sh            # 60 s
#   scripts/fuzz.sh 600        # 10 min
#   scripts/fuzz.sh 0          # build only
#
# The corpus grows in build-fuzz/corpus/ from run to run. A crash, leak or timeout
# leaves its input in build-fuzz/artifacts/ and makes the script fail; replay one with
#   build-fuzz/fuzz/flytec_frontend_fuzzer build-fuzz/artifacts/crash-…
# Environment: FLYTEC_FUZZ_BUILD_DIR (build dir), FLYTEC_FUZZ_JOBS (parallel fuzzers,
# default 1), extra libFuzzer flags in FLYTEC_FUZZ_FLAGS.
set -euo pipefail

seconds=${1:-60}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FLYTEC_FUZZ_BUILD_DIR:-$root/build-fuzz}
jobs=${FLYTEC_FUZZ_JOBS:-1}

CXX=${CXX:-clang++} cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFLYTEC_FUZZ=ON -DFLYTEC_BUILD_TESTS=OFF \
  -DFLYTEC_BUILD_BENCH=OFF -DFLYTEC_SANITIZE=address,undefined >/dev/null
ninja -C "$build" flytec_frontend_fuzzer flytec

[[ $seconds == 0 ]] && exit 0

corpus=$build/corpus
seeds=$build/seeds
artifacts=$build/artifacts
mkdir -p "$corpus" "$seeds" "$artifacts"
cp "$root"/examples/*.flyte "$root"/stdlib/std/*.flyte "$seeds"/
# Small hand-written seeds for the lexical corners the examples do not reach.
printf '%s\n' 'let x = 0x2A + 1_000 * 1.5e-3 - 2.5E+4' >"$seeds/numbers.seed"
printf '%s\n' '@timeout(1.5h) @resources(mem = 1.5Gi, disk = 2G) task t() { shell "a\n\t\\\"\{\}" }' \
  >"$seeds/literals.seed"
printf '%s\n' '/// doc' '//// not doc' '/* block */ type A = List<List<int>>?;' >"$seeds/comments.seed"
printf '%s\n' 'workflow w(a: int) -> int { let b = if a > 1 { a } else if not (a == 0) { -a } else { fail("x") }' \
  '  let c = for i in [1, 2] { i * 2 }' '  return b + c[0] }' >"$seeds/workflow.seed"

# UBSan reports must fail the run, not just print.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

log=$build/fuzz.log
status=0
parallel=()
# With -jobs, libFuzzer runs children that log to fuzz-N.log in the working directory.
[[ $jobs -gt 1 ]] && parallel=(-jobs="$jobs" -workers="$jobs")
# shellcheck disable=SC2086
"$build/fuzz/flytec_frontend_fuzzer" "$corpus" "$seeds" \
  -dict="$root/fuzz/flyte.dict" -max_len=4096 -timeout=5 -rss_limit_mb=4096 \
  -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts/" \
  "${parallel[@]}" ${FLYTEC_FUZZ_FLAGS:-} 2>&1 | tee "$log" || status=$?

found=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
  -o -name 'oom-*' \) -newer "$seeds/numbers.seed" | sort)
if [[ $status -ne 0 || -n $found ]]; then
  echo "fuzz.sh: the fuzzer found problems (exit $status):" >&2
  for f in $found; do echo "  $f" >&2; done
  exit 1
fi
echo "fuzz.sh: no crashes, leaks or timeouts in ${seconds}s; corpus: $(ls "$corpus" | wc -l) inputs"
