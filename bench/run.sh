#!/usr/bin/env bash
# Builds the frontend benchmark in Release (in build-bench/, apart from the normal build)
# and runs it, then prints lines per second for lexing and for parse_file.
#
#   bench/run.sh                          # 100,000-line program
#   bench/run.sh --lines=20000            # a smaller one
#   bench/run.sh --benchmark_repetitions=5
#
# Arguments go to the benchmark binary. FLYTEC_BENCH_BUILD_DIR picks another build dir.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FLYTEC_BENCH_BUILD_DIR:-$root/build-bench}

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DFLYTEC_BUILD_BENCH=ON -DFLYTEC_BUILD_TESTS=OFF -DFLYTEC_FUZZ=OFF >/dev/null
ninja -C "$build" flytec_parse_bench flytec

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The benchmark's input must be a valid program: write it out and check it.
lines_arg=()
for a in "$@"; do
  case $a in --lines=*) lines_arg=("$a") ;; esac
done
"$build/bench/flytec_parse_bench" "${lines_arg[@]}" --write_source="$tmp/generated.flyte"
if ! "$build/bin/flytec" check --color=never "$tmp/generated.flyte"; then
  echo "run.sh: the generated program does not check cleanly" >&2
  exit 1
fi
echo "generated program: $(wc -l <"$tmp/generated.flyte") lines, checks cleanly"

"$build/bench/flytec_parse_bench" --benchmark_out="$tmp/result.json" \
  --benchmark_out_format=json "$@"

python3 - "$tmp/result.json" <<'EOF'
import json, sys
data = json.load(open(sys.argv[1]))
print()
for b in data["benchmarks"]:
    if "lines/s" not in b:
        continue
    name = b["name"].split("/")[0]
    what = {"BM_Lex": "lex only", "BM_ParseFile": "lex + parse + AST (parse_file)"}.get(name, name)
    agg = b.get("aggregate_name")
    if agg in ("stddev", "cv"):
        continue
    suffix = f" [{agg}]" if agg else ""
    print(f"{what:34s} {b['lines/s']:>14,.0f} lines/s{suffix}")
EOF
