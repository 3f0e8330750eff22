#!/usr/bin/env python3
"""Bad inputs for the compiler: malformed source, binary garbage, huge lines, deep
nesting, floods of errors, NUL bytes, invalid UTF-8, missing files, directories, FIFOs,
devices, symbolic link loops, unreadable files, bad flags, empty files, floods of
imports, and damaged .pb and .fir plans. `flytec check`, `emit`, `graph` and `build -o`
run over each; every run must end with exit 0, 1 or 2 (never a crash, an internal error
or a hang) within the time limit, under the memory limit, and print less than 1 MB.

    run.py --flytec build/bin/flytec [--timeout 5] [--jobs 2] [--keep DIR]
"""
import argparse
import concurrent.futures
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

MAX_OUTPUT = 1 << 20
MAX_MEMORY = 1 << 30

GOOD = """task double(x: int) -> int { shell "echo $(({x} * 2)) > {o}" }

workflow w(x: int = 1) -> int {
    let a = double(x = x)
    @after(a)
    let b = double(x = a)
    return b
}
"""


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MAX_MEMORY, MAX_MEMORY))
    os.setsid()


def write(path, data):
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    return path


class Corpus:
    def __init__(self, flytec, work, timeout):
        self.flytec, self.work, self.timeout = flytec, work, timeout
        self.runs = []  # (name, args, stdin path or None)

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    def add(self, name, args, stdin=None):
        self.runs.append((name, [os.fsdecode(a) for a in args], stdin))

    def out(self, what):
        return self.path("out", "%s-%d" % (what, len(self.runs)))

    def every_command(self, name, path, build=True):
        """check, emit (text and ast), graph and build over one input. What emit and graph
        write goes to a file: a large valid input has a large plan, and the output limit
        is for what the compiler says about an input, not for the plan itself."""
        self.add(name + " [check]", ["check", path])
        self.add(name + " [check json]", ["check", "--diagnostics=json", path])
        self.add(name + " [emit]", ["emit", "--format", "text", path, "-o", self.out("fir")])
        self.add(name + " [emit ast]", ["emit", "--format", "ast", path, "-o", self.out("ast")])
        self.add(name + " [graph]", ["graph", path, "-o", self.out("dot")])
        if build:
            self.add(name + " [build]", ["build", path, "-o", self.out("bin")])

    def run_one(self, index, name, args, stdin):
        out_path = self.path("out", "%d.out" % index)
        err_path = self.path("out", "%d.err" % index)
        start = time.monotonic()
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            inp = open(stdin, "rb") if stdin else subprocess.DEVNULL
            p = subprocess.Popen([self.flytec] + args, cwd=self.work, stdout=out, stderr=err,
                                 stdin=inp, preexec_fn=limit_memory)
            try:
                rc = p.wait(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
                rc = "timeout"
            finally:
                if stdin:
                    inp.close()
        took = time.monotonic() - start
        size = os.path.getsize(out_path) + os.path.getsize(err_path)
        with open(err_path, "rb") as f:
            err_text = f.read(4096).decode("utf-8", "replace")
        os.remove(out_path)
        os.remove(err_path)
        problems = []
        if rc not in (0, 1, 2):
            problems.append("exit %s" % rc)
        if took > self.timeout:
            problems.append("took %.1fs" % took)
        if size >= MAX_OUTPUT:
            problems.append("%d bytes of output" % size)
        if "internal error" in err_text or "AddressSanitizer" in err_text or \
                "runtime error:" in err_text:
            problems.append("internal error")
        if not problems:
            return None
        return "%s: %s (%.1fs)\n    args: %s\n    stderr: %s" % (
            name, ", ".join(problems), took, " ".join(a[:80] for a in args),
            err_text.strip()[:400])


def source_cases(c):
    """Malformed, huge, deep and strange source files."""
    rnd = random.Random(7)
    files = {
        "empty.flyte": "",
        "blank.flyte": " \n\t\r\n" * 1000,
        "only_comment.flyte": "// nothing here\n/* nor here */\n/// a doc comment for nothing\n",
        "bom.flyte": b"\xef\xbb\xbftask t() -> int { shell \"echo 1 > {o}\" }\n",
        "unterminated_string.flyte": 'task t() -> int { shell "echo 1 > {o}\n',
        "unterminated_raw.flyte": 'task t() -> int { shell """echo 1 > {o}\n' * 3,
        "unterminated_comment.flyte": "/* " * 10000,
        "unclosed_braces.flyte": "workflow w() {\n" * 5000,
        "stray_closers.flyte": ")]}>" * 50000,
        "keywords.flyte": " ".join(["task", "workflow", "let", "return", "if", "else", "for",
                                   "in", "import", "module", "launch", "struct", "enum",
                                   "type", "@", "(", ")", "{", "}", ";"] * 10000),
        "random_tokens.flyte": " ".join(rnd.choice(
            ["task", "t", "(", ")", "{", "}", "[", "]", "<", ">", ":", ",", "=", "->", "let",
             "x", "1", "2.5", '"s"', "@retries", "if", "else", "for", "in", "+", "-", "*",
             "/", "==", "and", "not", "none", "4Gi", "30s", "List", "Tensor", "?", ".{"])
            for _ in range(200000)),
        "binary.flyte": bytes(rnd.getrandbits(8) for _ in range(200000)),
        "invalid_utf8.flyte": b"task t(x: string = \"\xff\xfe\") -> int { shell \"\xc3\x28 {x} > {o}\" }\n"
                              + bytes(rnd.choice([0x80, 0xbf, 0xc0, 0xf5, 0xff]) for _ in range(100000)),
        "nul_bytes.flyte": b"\0" * 1000000,
        "nul_in_strings.flyte": b'task t(x: string = "a\0b") -> int {\n    shell """\n      echo\0 {x} > {o}\n    """\n}\n',
        "ten_thousand_errors.flyte": "workflow w() { " + "let a = 12x; " * 10000 + "}\n",
        "ten_thousand_error_lines.flyte": "task t() -> int { shell \"x\" }\n" + "$ 1.2.3 \"\\q\"\n" * 10000,
        "one_mb_line.flyte": "workflow w() { let a = " + "1 + " * 250000 + "1 }\n",
        "one_mb_identifier.flyte": "workflow " + "w" * 1000000 + "() {}\n",
        "ten_mb_string.flyte": "task t(x: string = \"" + "s" * 10000000 + "\") -> int { shell \"echo {x} > {o}\" }\n",
        "parens_100k.flyte": "workflow w() { let a = " + "(" * 100000 + "1" + ")" * 100000 + " }\n",
        "brackets_100k.flyte": "workflow w() { let a = " + "[" * 100000 + "]" * 100000 + " }\n",
        "braces_100k.flyte": "workflow w() " + "{" * 100000 + "}" * 100000 + "\n",
        "open_parens_100k.flyte": "(" * 100000,
        "types_100k.flyte": "task t(x: " + "List<" * 100000 + "int" + ">" * 100000 + ") -> int { shell \"x\" }\n",
        "minus_100k.flyte": "workflow w() { let a = " + "- " * 100000 + "1 }\n",
        "not_100k.flyte": "workflow w(b: bool) -> bool { return " + "not " * 100000 + "b }\n",
        "plus_chain_100k.flyte": "workflow w(x: int) -> int { return x" + " + x" * 100000 + " }\n",
        "field_chain_100k.flyte": "workflow w(x: int) -> int { return x" + ".f" * 100000 + " }\n",
        "else_if_10k.flyte": "workflow w(x: int) -> int { return if x > 0 { 1 }" + " else if x > 1 { 2 }" * 10000 + " else { 3 } }\n",
        "many_lets_50k.flyte": "task d(x: int) -> int { shell \"echo {x} > {o}\" }\nworkflow w(x: int) -> int {\n"
                               + "".join("    let a%d = d(x = %s)\n" % (i, "x" if i == 0 else "a%d" % (i - 1)) for i in range(50000))
                               + "    return a49999\n}\n",
        "many_tasks_20k.flyte": "".join("task t%d(x: int) -> int { shell \"echo {x} > {o}\" }\n" % i for i in range(20000)),
        "many_annotations.flyte": "@x" * 25000000 + "\n",
        "many_params.flyte": "task t(" + ", ".join("p%d: int" % i for i in range(50000)) + ") -> int { shell \"x\" }\n",
        "duplicate_names.flyte": "task t() -> int { shell \"echo 1 > {o}\" }\n" * 10000,
        "after_cycle.flyte": "task t(x: int) -> int { shell \"echo {x} > {o}\" }\nworkflow w() -> int {\n"
                             + "".join("    @after(a%d)\n    let a%d = t(x = %d)\n" % ((i + 1) % 2000, i, i) for i in range(2000))
                             + "    return a0\n}\n",
        "recursive.flyte": "workflow a() -> int { return b() }\nworkflow b() -> int { return a() }\n",
        "long_comment_line.flyte": "// " + "c" * 5000000 + "\ntask t() -> int { shell \"echo 1 > {o}\" }\n",
        "crlf_cr.flyte": "task t() -> int {\r shell \"echo 1 > {o}\"\r}\r" * 1000,
        "good.flyte": GOOD,
    }
    for name, text in files.items():
        path = write(c.path(name), text)
        # build would run the C++ compiler on a valid workflow; leave that to the lit tests.
        c.every_command(name, path, build=name != "good.flyte")
    # A file just over the size limit (sparse) and one of 50 MB of annotations above.
    with open(c.path("too_big.flyte"), "wb") as f:
        f.truncate(64 * 1024 * 1024 + 1)
    c.every_command("too_big.flyte", c.path("too_big.flyte"))
    c.add("stdin too big", ["check", "-"], stdin=c.path("too_big.flyte"))
    c.add("stdin binary", ["check", "-"], stdin=c.path("binary.flyte"))
    c.add("stdin empty", ["check", "-"], stdin=c.path("empty.flyte"))


def filesystem_cases(c):
    """Paths that are not readable workflow files."""
    os.makedirs(c.path("a_dir.flyte"))
    os.mkfifo(c.path("fifo.flyte"))
    os.symlink("loop_b.flyte", c.path("loop_a.flyte"))
    os.symlink("loop_a.flyte", c.path("loop_b.flyte"))
    os.symlink("self.flyte", c.path("self.flyte"))
    os.symlink("dangling-target.flyte", c.path("dangling.flyte"))
    os.makedirs(c.path("dirs"))
    os.symlink("d2", c.path("dirs", "d1"))
    os.symlink("d1", c.path("dirs", "d2"))
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(c.path("sock.flyte"))
    paths = ["missing.flyte", "a_dir.flyte", "fifo.flyte", "loop_a.flyte", "self.flyte",
             "dangling.flyte", "dirs/d1/x.flyte", "sock.flyte", "/dev/zero", "/dev/null",
             "/dev/urandom", "/proc/self/status", "/", ""]
    if os.geteuid() != 0:  # root reads a mode-000 file anyway
        write(c.path("unreadable.flyte"), GOOD)
        os.chmod(c.path("unreadable.flyte"), 0)
        paths.append("unreadable.flyte")
    for p in paths:
        c.every_command("path " + (p or "(empty)"), p)
    c.add("several bad paths", ["check", "missing.flyte", "a_dir.flyte", "fifo.flyte",
                                "/dev/zero", "good.flyte"])
    return sock


def import_cases(c):
    """Imports: floods of missing and present modules, deep chains, cycles, link loops."""
    lib = c.path("lib")
    os.makedirs(lib)
    n = 2000
    for i in range(n):
        write(os.path.join(lib, "m%d.flyte" % i),
              "task t%d(x: int) -> int { shell \"echo {x} > {o}\" }\n" % i)
    write(c.path("imports_present.flyte"),
          "".join("import lib.m%d;\n" % i for i in range(n)) + GOOD)
    write(c.path("imports_missing.flyte"),
          "".join("import nope.m%d;\n" % i for i in range(20000)) + GOOD)
    write(c.path("imports_same.flyte"), "import lib.m0;\n" * 20000 + GOOD)
    chain = c.path("chain")
    os.makedirs(chain)
    depth = 3000
    for i in range(depth):
        write(os.path.join(chain, "c%d.flyte" % i),
              ("import chain.c%d;\n" % (i + 1) if i + 1 < depth else "")
              + "task t%d() -> int { shell \"echo 1 > {o}\" }\n" % i)
    write(c.path("imports_chain.flyte"), "import chain.c0;\n" + GOOD)
    write(c.path("cyc_a.flyte"), "import cyc_b;\n" + GOOD)
    write(c.path("cyc_b.flyte"), "import cyc_a;\n")
    write(c.path("imports_loops.flyte"), "import loop_a;\nimport self;\nimport dirs.d1.x;\n"
          "import a_dir;\nimport fifo;\nimport sock;\nimport std.nope;\nimport std;\n" + GOOD)
    write(c.path("imports_garbage.flyte"), "import binary;\nimport nul_bytes;\n"
          "import ten_thousand_errors;\nimport many_annotations;\nimport too_big;\n" + GOOD)
    for name in ["imports_present", "imports_missing", "imports_same", "imports_chain",
                 "cyc_a", "imports_loops", "imports_garbage"]:
        c.every_command(name, c.path(name + ".flyte"), build=name in ("imports_missing",
                                                                     "cyc_a", "imports_loops",
                                                                     "imports_garbage"))
    c.add("include dir missing", ["check", "-I", c.path("nope"), "good.flyte"])
    c.add("include dir is a file", ["check", "-I", c.path("good.flyte"), "good.flyte"])
    c.add("include dir fifo", ["check", "-I", c.path("fifo.flyte"), "good.flyte"])


def plan_cases(c):
    """Damaged compiled plans (.pb and .fir)."""
    good = c.path("good.flyte")
    subprocess.run([c.flytec, "emit", good, "--format", "pb", "-o", c.path("good.pb")],
                   check=True, stderr=subprocess.DEVNULL)
    subprocess.run([c.flytec, "emit", good, "--format", "text", "-o", c.path("good.fir")],
                   check=True, stderr=subprocess.DEVNULL)
    pb = open(c.path("good.pb"), "rb").read()
    fir = open(c.path("good.fir")).read()
    rnd = random.Random(11)
    plans = {
        "empty.pb": b"",
        "random.pb": bytes(rnd.getrandbits(8) for _ in range(100000)),
        "truncated.pb": pb[: len(pb) // 2],
        "appended.pb": pb + b"\xff" * 100,
        "huge_varint.pb": b"\x0a\xff\xff\xff\xff\x0f" + b"x" * 100,
        "nested.pb": b"\x22" + b"\x80" * 9 + b"\x01",
        "zeros.pb": b"\0" * 100000,
        "text_as.pb": fir.encode(),
        "empty.fir": "",
        "random.fir": "".join(rnd.choice("%$=(){}[]:,.;\" \nabcworkflowtask0123") for _ in range(100000)),
        "truncated.fir": fir[: len(fir) // 2],
        "nul.fir": fir.replace("task", "ta\0sk"),
        "deep.fir": fir.replace("int", "List<" * 100000 + "int" + ">" * 100000, 1),
        "long_line.fir": fir.replace('"echo', '"' + "e" * 5000000 + "echo", 1),
        "after_cycle.fir": fir.replace("; a\n", "; a  after %1\n"),
        "after_out_of_range.fir": fir.replace("; a\n", "; a  after %99999999\n"),
        "after_self.fir": fir.replace("; a\n", "; a  after %0\n"),
        "binary_as.fir": pb,
    }
    for i in range(40):  # single-byte and short-run mutations of both forms
        b = bytearray(pb)
        for _ in range(1 + i % 4):
            b[rnd.randrange(len(b))] = rnd.getrandbits(8)
        plans["mutant%d.pb" % i] = bytes(b)
        t = list(fir)
        for _ in range(1 + i % 4):
            t[rnd.randrange(len(t))] = rnd.choice("%$=(){}:,\n 0919x")
        plans["mutant%d.fir" % i] = "".join(t)
    for name, data in plans.items():
        path = write(c.path(name), data)
        c.add(name + " [check]", ["check", path])
        c.add(name + " [emit]", ["emit", "--format", "text", path, "-o", c.out("fir")])
        c.add(name + " [graph]", ["graph", path, "-o", c.out("dot")])
        c.add(name + " [build]", ["build", path, "-o", c.path("out", "plan-" + name)])


def flag_cases(c):
    good = c.path("good.flyte")
    flags = [
        [], ["--nope"], ["check"], ["check", "--nope", good], ["check", "--diagnostics=xml", good],
        ["check", "--color=maybe", good], ["check", "-W", "nope", good], ["check", "-I"],
        ["check", "--error-limit=-1", good], ["check", "--error-limit=x", good],
        ["check", "--error-limit=99999999999999999999999", good], ["check", "--error-limit=100", "ten_thousand_error_lines.flyte"],
        # --verify lists every mismatch unless given a limit.
        ["check", "--verify", "--error-limit=20", "ten_thousand_errors.flyte"],
        ["check", "--verify", "--error-limit=20", "binary.flyte"],
        ["check", "-Werror", "many_lets_50k.flyte"], ["check", "-w", good], ["check", "--parse-only", "binary.flyte"],
        ["emit", good, "--format", "nope"], ["emit", good, "--print-ir-after", "nope"],
        ["emit", good, "--stop-after", "nope"], ["emit", good, "-o", "/proc/nope/x"],
        ["emit", good, "-o", c.path("a_dir.flyte")], ["emit"], ["emit", good, good],
        ["graph", good, "--format", "nope"], ["graph", good, "--workflow", "nope"],
        ["graph", good, "-o", "/proc/nope/x"], ["build", good], ["build", good, "-o"],
        ["build", good, "-o", "/proc/nope/x", "--target", "local"],
        ["build", good, "-o", c.path("out", "x"), "--target", "nope"],
        ["build", good, "-o", c.path("out", "x"), "--workflow", "nope"],
        ["explain"], ["explain", "E9999"], ["explain", "x" * 100000], ["explain", b"\xff\xfe"],
        ["--version", "extra"], ["check", b"\xff\xfe.flyte"], ["check", "x" * 100000],
        ["check", "-" * 5000], ["check", "--" + "x" * 100000],
    ]
    for args in flags:
        c.add("flags " + " ".join(os.fsdecode(a)[:30] for a in args), args)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flytec", required=True)
    ap.add_argument("--timeout", type=float, default=5)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--keep", help="work in this directory and keep it")
    a = ap.parse_args()
    flytec = os.path.abspath(a.flytec)
    if a.keep:
        shutil.rmtree(a.keep, ignore_errors=True)
    work = a.keep or tempfile.mkdtemp(prefix="flytec-badinput-compiler-")
    os.makedirs(os.path.join(work, "out"), exist_ok=True)
    c = Corpus(flytec, work, a.timeout)
    start = time.monotonic()
    source_cases(c)
    sock = filesystem_cases(c)
    import_cases(c)
    plan_cases(c)
    flag_cases(c)
    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        futures = [pool.submit(c.run_one, i, *r) for i, r in enumerate(c.runs)]
        for f in futures:
            if f.result():
                failures.append(f.result())
    sock.close()
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    for f in failures:
        print("FAIL " + f)
    print("%d runs, %d failed, %.1fs" % (len(c.runs), len(failures), time.monotonic() - start))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
