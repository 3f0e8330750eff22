#!/usr/bin/env bash
# Style checks: clang-format (no changes allowed) and clang-tidy (.clang-tidy's checks, every
# warning an error) over the project's own sources. Needs a built build/ (scripts/setup.sh):
# clang-tidy reads its compile_commands.json and generated headers, and Ninja's dependency
# log says which files include ANTLR.
#
#   scripts/lint.sh          check
#   scripts/lint.sh --fix    reformat in place, then run clang-tidy
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
build=build
# The versions scripts/setup.sh installs (Debian 12's): another release formats differently
# and knows other checks.
format=clang-format-14
tidy=clang-tidy-14
folders='support|ir|frontend|stdlib|passes|graph|driver|backends|tools'

mapfile -t files < <(git ls-files '*.cpp' '*.h' | grep -v '^build')
if [[ "${1:-}" == "--fix" ]]; then
  "$format" -i "${files[@]}"
else
  "$format" --dry-run --Werror "${files[@]}"
fi

# Each library folder's .cpp files once, one per CPU at a time. A header is checked through
# the files that include it: clang-tidy matches the header filter against absolute paths, so
# it is anchored at this checkout (which also leaves out the generated headers in build/).
mapfile -t sources < <(printf '%s\n' "${files[@]}" | grep -E "^($folders)/.*\.cpp$")
# Debian's ANTLR 4.9 headers need a small shim to compile with clang (see the header). Only
# the files that include them get it: elsewhere its forward declarations (antlr4::Token)
# draw bugprone-forward-declaration-namespace findings against frontend/Token.h.
mapfile -t antlr_users < <(ninja -C "$build" -t deps | awk '
  /^[^ ]/ { source = ""; next }
  source == "" { source = $1; next }
  /antlr4-runtime\// { print source }' | sort -u | sed "s|^\.\./||")
tidy_one() {
  local file=$1 shim=() out rc=0
  if [[ " $ANTLR_USERS " == *" $file "* ]]; then
    shim=(--extra-arg="-include$PWD/fuzz/antlr_clang_compat.h")
  fi
  out=$("$TIDY" -p "$BUILD" --quiet --warnings-as-errors='*' \
    --header-filter="^$PWD/($FOLDERS)/" "${shim[@]}" "$file" 2>&1) || rc=$?
  # One file's findings together; clang's "N warnings generated." count is noise.
  if [[ -n $out ]]; then grep -v 'warnings\? generated\.$' <<<"$out" || true; fi
  return "$rc"
}
export -f tidy_one
export ANTLR_USERS="${antlr_users[*]}" BUILD=$build FOLDERS=$folders TIDY=$tidy
tidy_start=$SECONDS
status=0
printf '%s\0' "${sources[@]}" | xargs -0 -P "$(nproc)" -n 1 bash -c 'tidy_one "$1"' _ || status=$?
echo "lint: clang-tidy over ${#sources[@]} files, $(nproc) at a time:" \
  "$((SECONDS - tidy_start))s; all of lint: $((SECONDS - start))s"
exit "$status"
