#!/usr/bin/env python3
"""Mutation test: `flytec check` must survive any damage to a valid program.

Makes COUNT mutated copies of the given .flyte files (bytes flipped, replaced, deleted,
inserted, ranges duplicated or swapped, tokens inserted, truncated) and runs
`flytec check` on each. A run fails when flytec

  * is killed by a signal or exits with a status other than 0 or 1,
  * runs past --timeout seconds, or
  * prints a sanitizer report ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
    "runtime error:") or an internal error ("internal error") on stderr.

Every failing input is kept and its path printed; the script then exits 1. The same
--seed always makes the same mutants, whatever the order in which they run.

    scripts/mutate.py --flytec build/bin/flytec --count 1000 --seed 1 \\
        examples/*.flyte stdlib/std/*.flyte
"""

import argparse
import concurrent.futures
import glob
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

# Fragments worth inserting: they make mutants that get further into the parser than
# random bytes do.
TOKENS = [
    b"module", b"import", b"as", b"struct", b"enum", b"type", b"task", b"workflow",
    b"launch", b"let", b"return", b"if", b"else", b"for", b"in", b"true", b"false",
    b"none", b"and", b"or", b"not", b"fail", b"shell", b"cpp", b"builtin",
    b"(", b")", b"{", b"}", b"[", b"]", b"<", b">", b"<=", b">=", b"==", b"!=", b"=",
    b",", b";", b":", b".", b"@", b"?", b"->", b"+", b"-", b"*", b"/", b"!",
    b"//", b"///", b"/*", b"*/", b'"', b'"""', b"\\", b"\\n", b"\\{", b"{x}",
    b"0x", b"0x2A", b"1_", b"1_000", b"1.2.3", b"1e", b"1e999", b"4Qi", b"1.5Gi",
    b"0.3Ki", b"500ms", b"1.5h", b"12x", b"9223372036854775808", b"e2147483647",
    b"0e999999999Ki", b"0.0e-2147483648", b"1.000000000000000000000000000000000000000",
    b"List<", b"Map<string, ", b"Tensor<f32, [N, D]>", b">>", b"\r\n", b"\n", b"\t",
    b"\x00", b"\xff", b"\xc3\xa9", b"\xe2\x86\x92", b"\xf0\x9f\x98\x80", b"\xc0\xaf",
]

# What a sanitizer or a broken invariant prints on stderr.
BAD_STDERR = [b"ERROR: AddressSanitizer", b"ERROR: LeakSanitizer", b"runtime error:",
              b"internal error"]


def mutate(data: bytes, rng: random.Random, others) -> bytes:
    """Applies one to four random mutations to `data`."""
    buf = bytearray(data)
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 4])):
        n = len(buf)
        op = rng.randrange(9)
        if n == 0:
            op = 3
        if op == 0:  # flip one bit
            i = rng.randrange(n)
            buf[i] ^= 1 << rng.randrange(8)
        elif op == 1:  # replace a byte, often with one that matters to the lexer
            i = rng.randrange(n)
            buf[i] = rng.choice(b'(){}[]<>"/\\*@.,;:=-_0123456789eExX \n\t\x00\x80\xff')
        elif op == 2:  # delete a range
            i = rng.randrange(n)
            del buf[i:i + rng.randint(1, min(64, n - i))]
        elif op == 3:  # insert a token or random bytes
            i = rng.randrange(n + 1)
            if rng.random() < 0.75:
                ins = rng.choice(TOKENS)
            else:
                ins = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
            buf[i:i] = ins
        elif op == 4:  # duplicate a range in place, sometimes many times
            i = rng.randrange(n)
            piece = bytes(buf[i:i + rng.randint(1, min(128, n - i))])
            buf[i:i] = piece * rng.choice([1, 1, 2, 8, 64])
        elif op == 5:  # copy a range elsewhere
            i = rng.randrange(n)
            piece = bytes(buf[i:i + rng.randint(1, min(256, n - i))])
            j = rng.randrange(n + 1)
            buf[j:j] = piece
        elif op == 6:  # swap two ranges
            a, b = sorted(rng.randrange(n + 1) for _ in range(2))
            length = rng.randint(0, min(64, (b - a) // 2))
            if length:
                buf[a:b] = buf[b - length:b] + buf[a + length:b - length] + buf[a:a + length]
        elif op == 7:  # truncate
            del buf[rng.randrange(n + 1):]
        else:  # splice in part of another file
            other = rng.choice(others)
            if other:
                i = rng.randrange(len(other))
                j = rng.randrange(n + 1)
                buf[j:j] = other[i:i + rng.randint(1, min(512, len(other) - i))]
    return bytes(buf)


def run_one(flytec, path, timeout, fmt):
    """Runs flytec check on `path`; returns None when fine, else why it failed. A damaged
    compiled plan (.pb, .fir) may also be unreadable: exit 2."""
    allowed = (0, 1) if path.endswith(".flyte") else (0, 1, 2)
    cmd = [flytec, "check", "--color=never", "--diagnostics=" + fmt, path]
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout}s", b""
    if p.returncode < 0:
        return f"killed by signal {-p.returncode}", p.stderr
    if p.returncode not in allowed:
        return f"exit status {p.returncode}", p.stderr
    for bad in BAD_STDERR:
        if bad in p.stderr:
            return f"stderr has {bad.decode()!r}", p.stderr
    return None, p.returncode


def expand(patterns):
    files = []
    for pat in patterns:
        matches = sorted(glob.glob(pat)) if any(c in pat for c in "*?[") else [pat]
        if not matches:
            sys.exit(f"mutate.py: no files match '{pat}'")
        files.extend(matches)
    return files


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--flytec", required=True, help="the flytec binary")
    ap.add_argument("--count", type=int, default=1000, help="mutants to run (default 1000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--timeout", type=float, default=5, help="seconds per run (default 5)")
    ap.add_argument("--jobs", type=int, default=2, help="parallel runs (default 2)")
    ap.add_argument("--keep", metavar="DIR",
                    help="where failing inputs are kept (default: a new temporary dir)")
    ap.add_argument("files", nargs="+",
                    help=".flyte files or compiled plans (.pb, .fir); globs are expanded")
    args = ap.parse_args()

    flytec = os.path.abspath(args.flytec)
    if not os.access(flytec, os.X_OK):
        sys.exit(f"mutate.py: '{args.flytec}' is not an executable")
    files = expand(args.files)
    sources = []
    for f in files:
        with open(f, "rb") as fh:
            sources.append(fh.read())

    # For a sanitizer build of flytec: report leaks, and print where UB happened.
    os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    os.environ.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")

    work = tempfile.mkdtemp(prefix="flytec-mutate-")
    formats = ["text", "text", "json", "sarif"]

    def case(i):
        # Each mutant has its own generator, so results do not depend on scheduling.
        rng = random.Random(args.seed * 1_000_003 + i)
        k = rng.randrange(len(sources))
        data = mutate(sources[k], rng, sources)
        ext = os.path.splitext(files[k])[1] or ".flyte"
        path = os.path.join(work, f"mut-{args.seed}-{i:05d}{ext}")
        with open(path, "wb") as fh:
            fh.write(data)
        why, detail = run_one(flytec, path, args.timeout, formats[i % len(formats)])
        if why is None:
            os.unlink(path)
            return i, None, detail, files[k]
        return i, (why, detail, path), None, files[k]

    start = time.monotonic()
    failures = []
    exits = {0: 0, 1: 0, 2: 0}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for i, failure, rc, origin in pool.map(case, range(args.count)):
            if failure is None:
                exits[rc] += 1
            else:
                failures.append((i, origin, *failure))
    elapsed = time.monotonic() - start

    print(f"mutate.py: {args.count} mutants of {len(files)} files, seed {args.seed}, "
          f"{elapsed:.1f}s: {exits[0]} clean, {exits[1]} with errors, {exits[2]} unreadable, "
          f"{len(failures)} failures")
    if not failures:
        shutil.rmtree(work, ignore_errors=True)
        return 0

    keep = args.keep or work
    os.makedirs(keep, exist_ok=True)
    for n, (i, origin, why, detail, path) in enumerate(failures):
        dest = os.path.join(keep, os.path.basename(path))
        if os.path.abspath(dest) != os.path.abspath(path):
            shutil.move(path, dest)
        print(f"FAIL mutant {i} of {origin}: {why}\n  reproducer: {dest}")
        if n >= 20:
            continue  # the first ones have the details; the rest just their paths
        print(f"  rerun: {flytec} check {dest}")
        tail = detail.decode(errors="replace").strip().splitlines()[-15:] if detail else []
        for line in tail:
            print("    | " + line)
    print(f"mutate.py: {len(failures)} failing inputs kept in {keep}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
