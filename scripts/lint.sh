#!/usr/bin/env bash
# Style checks: clang-format (no changes allowed) and clang-tidy (.clang-tidy's checks)
# over the project's own sources. Needs a configured build/ for compile_commands.json.
#
#   scripts/lint.sh          check
#   scripts/lint.sh --fix    reformat in place, then run clang-tidy
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.h' | grep -v '^build')
if [[ "${1:-}" == "--fix" ]]; then
  clang-format -i "${files[@]}"
else
  clang-format --dry-run --Werror "${files[@]}"
fi
# Every library folder, one file per CPU at a time. Debian's ANTLR 4.9 headers need a small
# shim to compile with clang (see the header).
mapfile -t sources < <(printf '%s\n' "${files[@]}" |
  grep -E '^(support|ir|frontend|stdlib|passes|graph|driver|backends|tools)/.*\.cpp$')
printf '%s\0' "${sources[@]}" | xargs -0 -P "$(nproc)" -n 1 \
  clang-tidy -p build --quiet --warnings-as-errors='*' \
  --extra-arg="-include$PWD/fuzz/antlr_clang_compat.h" 2>/dev/null
