#!/usr/bin/env python3
"""Bad inputs for the executables flytec builds: malformed flags and values, unusable
files and directories, damaged run directories and caches. Every case must end with
exit 0, 1 or 2 (never a crash, an internal error or a hang) within the time limit, under
the memory limit, and print less than 1 MB.

    run.py --flytec build/bin/flytec [--timeout 5] [--keep DIR]
"""
import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_OUTPUT = 1 << 20
MAX_MEMORY = 1 << 30


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MAX_MEMORY, MAX_MEMORY))
    os.setsid()


class Corpus:
    def __init__(self, exe, work, timeout):
        self.exe, self.work, self.timeout = exe, work, timeout
        self.failures, self.count = [], 0

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    def run(self, name, args, ok=(0, 1, 2), stdin=None):
        """Runs the executable once; records a failure unless it ends as it should."""
        self.count += 1
        out_path, err_path = self.path("case.out"), self.path("case.err")
        start = time.monotonic()
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            p = subprocess.Popen([self.exe] + args, cwd=self.work, stdout=out, stderr=err,
                                 stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
                                 preexec_fn=limit_memory)
            try:
                if stdin is not None:
                    p.communicate(stdin, timeout=self.timeout)
                rc = p.wait(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
                rc = "timeout"
        took = time.monotonic() - start
        size = os.path.getsize(out_path) + os.path.getsize(err_path)
        err_text = open(err_path, "rb").read(4096).decode("utf-8", "replace")
        problems = []
        if rc not in ok:
            problems.append("exit %s" % rc)
        if size >= MAX_OUTPUT:
            problems.append("%d bytes of output" % size)
        if "internal error" in err_text:
            problems.append("internal error")
        if problems:
            self.failures.append("%s: %s (%.1fs)\n    args: %s\n    stderr: %s" % (
                name, ", ".join(problems), took, " ".join(a[:80] for a in args),
                err_text.strip()[:400]))
        return rc

    def good_run(self, run_dir, extra=()):
        rc = self.run("good run", ["--inputs", self.path("base.json"), "--run-dir", run_dir,
                                   "--cache-dir", self.path("cache")] + list(extra), ok=(0,))
        return rc == 0


def write(path, data, mode="w"):
    with open(path, mode) as f:
        f.write(data)


def latest(run_dir):
    return os.path.join(run_dir, open(os.path.join(run_dir, "latest")).read().strip())


def flag_cases(c):
    base = ["--inputs", c.path("base.json"), "--run-dir", c.path("runs"), "--no-cache"]
    flags = [
        ["--nope"], ["--jobs"], ["--jobs", "0"], ["--jobs", "-1"], ["--jobs", "abc"],
        ["--jobs", "99999999999999999999"], ["--retry-backoff", "nan"],
        ["--retry-backoff", "-1"], ["--retry-backoff", "1e400"], ["--resume", "nope"],
        ["--resume", "../../../etc"], ["--resume", ""], ["--run-dir", c.path("a-file")],
        ["--run-dir", "/proc/nope"], ["--run-dir", ""], ["--events", "/proc/nope/x"],
        ["--events", c.work], ["--cache-dir", c.path("a-file")], ["--cache-dir", "/proc/nope"],
        ["--inputs", c.work], ["--inputs", c.path("missing.json")], ["--inputs", "/dev/zero"],
        ["--inputs", c.path("fifo")], ["--inputs", "/dev/null"], ["--inputs", c.path("a-file")],
        ["--n", "abc"], ["--n", "1e3"], ["--n", "99999999999999999999"], ["--n", ""],
        ["--n", "9223372036854775808"], ["--n", "-9223372036854775809"], ["--f", "nan"],
        ["--f", "inf"], ["--f", "-inf"], ["--f", "1e400"], ["--f", "0x"], ["--d", "-5s"],
        ["--d", "5x"], ["--d", "1e400"], ["--d", "nan"], ["--z", "-1"], ["--z", "1.5"],
        ["--c", "blue"], ["--c", ""], ["--b", "]"], ["--b", '{"name": 1}'],
        ["--b", '{"name": "x", "data": "/nonexistent"}'], ["--b", '{"name": "x"}'],
        ["--b", "[" * 100000], ["--xs", "[1, 2"], ["--xs", '["a"]'], ["--xs", "{}"],
        ["--xs", "[" * 300 + "]" * 300], ["--s", b"a\xffb"],
        ["--s", "x" * 100000], ["--n", "1", "--n", "2"], ["--data"], ["--data", ""],
        ["--data", "/nonexistent"], ["--data", c.work], ["--help"], ["-h"], ["--", "x"],
        ["positional"], ["--inputs", c.path("deep.json")], ["--inputs", c.path("garbage.bin")],
        ["--inputs", c.path("array.json")], ["--inputs", c.path("null.json")],
        ["--inputs", c.path("unknown.json")], ["--inputs", c.path("big.json")],
        ["--inputs", c.path("nul.json")], ["--inputs", c.path("utf8.json")],
        ["--inputs", c.path("badtypes.json")],
    ]
    for extra in flags:
        args = [os.fsdecode(a) for a in base + extra]  # bytes as they are: invalid UTF-8 too
        c.run("flags " + " ".join(os.fsdecode(e)[:40] for e in extra), args)


def run_dir_cases(c):
    """Damages a finished or failed run in each way, then resumes it."""
    damages = {
        "run.json garbage": lambda r: write(os.path.join(r, "run.json"), "\x00\xff{"),
        "run.json deep": lambda r: write(os.path.join(r, "run.json"), "[" * 100000),
        "run.json missing": lambda r: os.remove(os.path.join(r, "run.json")),
        "run.json is a directory": lambda r: (os.remove(os.path.join(r, "run.json")),
                                              os.mkdir(os.path.join(r, "run.json"))),
        "run.json wrong inputs": lambda r: write(os.path.join(r, "run.json"), json.dumps(
            {"id": "x", "workflow": "corpus", "plan": json.load(open(os.path.join(r, "run.json")))["plan"],
             "inputs": {"data": 3}})),
        "journal garbage": lambda r: write(os.path.join(r, "journal"), os.urandom(5000), "wb"),
        "journal long line": lambda r: write(os.path.join(r, "journal"), "x" * (8 << 20)),
        "journal deep": lambda r: write(os.path.join(r, "journal"), "00000000 " + "[" * 100000 + "\n"),
        "journal is a directory": lambda r: (os.remove(os.path.join(r, "journal")),
                                             os.mkdir(os.path.join(r, "journal"))),
        "nodes is a file": lambda r: (shutil.rmtree(os.path.join(r, "nodes")),
                                      write(os.path.join(r, "nodes"), "x")),
        "lock is a directory": lambda r: (os.path.exists(os.path.join(r, "lock")) and
                                          os.remove(os.path.join(r, "lock")),
                                          os.mkdir(os.path.join(r, "lock"))),
        "status.json is a directory": lambda r: (os.path.exists(os.path.join(r, "status.json")) and
                                                 os.remove(os.path.join(r, "status.json")),
                                                 os.mkdir(os.path.join(r, "status.json"))),
        "outputs.json garbage": lambda r: [write(os.path.join(d, "outputs.json"), "{")
                                           for d, _, fs in os.walk(os.path.join(r, "nodes"))
                                           if "outputs.json" in fs],
        "run directory unreadable files": lambda r: [os.remove(os.path.join(d, f))
                                                     for d, _, fs in os.walk(os.path.join(r, "nodes"))
                                                     for f in fs],
    }
    for name, damage in damages.items():
        run_dir = c.path("runs-" + name.replace(" ", "-"))
        if not c.good_run(run_dir):
            continue
        damage(latest(run_dir))
        c.run("run dir: " + name, ["--run-dir", run_dir, "--resume", "--cache-dir", c.path("cache")])
    latest_cases = {
        "latest names nothing": "nothing-here\n",
        "latest escapes": "../../../../etc\n",
        "latest empty": "",
        "latest binary": "\x00\xff\n",
        "latest very long": "x" * 100000,
    }
    for name, text in latest_cases.items():
        run_dir = c.path("runs-" + name.replace(" ", "-"))
        os.makedirs(run_dir, exist_ok=True)
        write(os.path.join(run_dir, "latest"), text)
        c.run("run dir: " + name, ["--run-dir", run_dir, "--resume", "--no-cache"])
        c.run("run dir: new run beside " + name, ["--inputs", c.path("base.json"),
                                                  "--run-dir", run_dir, "--no-cache"])


def cache_cases(c):
    """Damages the cache entry of the cached task in each way, then runs again."""
    def entries():
        root = c.path("cache")
        return [os.path.join(root, s, e) for s in os.listdir(root) if len(s) == 2
                and os.path.isdir(os.path.join(root, s)) for e in os.listdir(os.path.join(root, s))
                if not e.startswith(".")]

    damages = {
        "manifest garbage": lambda e: write(os.path.join(e, "manifest.json"), "\xff{"),
        "manifest deep": lambda e: write(os.path.join(e, "manifest.json"), "{\"a\":" * 100000),
        "manifest escapes": lambda e: write(os.path.join(e, "manifest.json"), json.dumps(
            {"version": 2, "outputs": {"sum": "/etc/passwd", "lines": 1},
             "files": {"sum": {"path": "../../../../etc/passwd", "hash": "0" * 32}}})),
        "file is a symlink": lambda e: [(os.remove(os.path.join(e, "files", f)),
                                         os.symlink("/etc/passwd", os.path.join(e, "files", f)))
                                        for f in os.listdir(os.path.join(e, "files"))],
        "entry is a file": lambda e: (shutil.rmtree(e), write(e, "x")),
        "shard is a file": lambda e: (shutil.rmtree(os.path.dirname(e)),
                                      write(os.path.dirname(e), "x")),
        "files removed": lambda e: shutil.rmtree(os.path.join(e, "files")),
    }
    for name, damage in damages.items():
        shutil.rmtree(c.path("cache"), ignore_errors=True)
        if not c.good_run(c.path("runs-cache")):
            continue
        for e in entries():
            damage(e)
        rc = c.run("cache: " + name, ["--inputs", c.path("base.json"), "--run-dir",
                                      c.path("runs-cache"), "--cache-dir", c.path("cache")])
        if rc == 0:
            out = json.load(open(c.path("case.out")))
            if open(out["sum"]).read() != open(c.path("expected-sum")).read():
                c.failures.append("cache: %s: a damaged entry gave a wrong output" % name)


FULL_DRIVE = (["--run-node", "n0"], ["--map-length", "n2"], ["--run-node", "n2", "--item", "1"],
              ["--run-node", "n2"], ["--status"], ["--collect"],
              ["--init", "--inputs", "base.json"])
SHORT_DRIVE = (["--run-node", "n0"], ["--run-node", "n2", "--item", "1"], ["--collect"])


def drive_store(c, store, name, commands=FULL_DRIVE):
    """Runs nodes of the corpus workflow in the store (map items, then the gather), and
    the commands that read it; each must end with 0, 1 or 2."""
    at = ["--store", store, "--wait-upstream", "0", "--cache-dir", c.path("cache")]
    for node in commands:
        c.run("store: %s: %s" % (name, " ".join(node)), at + node)


def node_mode_cases(c):
    """The node mode's flags, then a store damaged in each way."""
    store = c.path("store")
    base = ["--inputs", c.path("base.json")]
    flags = [
        ["--store"], ["--store", ""], ["--store", "", "--init"] + base,
        ["--store", c.path("a-file"), "--init"] + base, ["--store", "/proc/nope", "--init"] + base,
        ["--store", c.path("a-file"), "--status"], ["--store", c.work, "--collect"],
        ["--init"] + base, ["--run-node", "n0"], ["--store", store, "--run-node"],
        ["--store", store, "--run-node", ""], ["--store", store, "--run-node", "x"],
        ["--store", store, "--run-node", "n99999999999999999999"],
        ["--store", store, "--run-node", "n4294967295"], ["--store", store, "--run-node", "n0.n0"],
        ["--store", store, "--run-node", "n2-1"], ["--store", store, "--run-node", "n2-1.n3.n0"],
        ["--store", store, "--run-node", "n2.n3"], ["--store", store, "--run-node", "n3"],
        ["--store", store, "--run-node", "n2", "--item", "-1"],
        ["--store", store, "--run-node", "n2", "--item", "99999999999999999999"],
        ["--store", store, "--run-node", "n2", "--item", "abc"],
        ["--store", store, "--run-node", "n2", "--item", "9007199254740992"],
        ["--store", store, "--run-node", "n0", "--item", "0"], ["--store", store, "--item", "0"],
        ["--store", store, "--map-length", "n0"], ["--store", store, "--map-length", "n2-0.n3"],
        ["--store", store, "--status", "zzz"], ["--store", store, "--status", "n2-"],
        ["--store", store, "--status", "n2-x"], ["--list-nodes", "--format", "yaml"],
        ["--list-nodes"], ["--list-nodes", "--format", "json"], ["--store", store, "--list-nodes"],
        ["--store", store, "--collect", "--init"], ["--store", store],
        ["--store", store, "--collect", "--wait-upstream", "-1"],
        ["--store", store, "--collect", "--wait-upstream", "nan"],
        ["--store", store, "--run-node", "n0", "--wait-upstream", "1e400"],
        ["--store", store, "--status", "--format", "json"], ["--store", store, "--collect"],
        ["--store", store, "--run-node", "n2", "--wait-upstream", "0"],
    ]
    c.run("store: init", ["--store", store, "--init"] + base, ok=(0,))
    for extra in flags:
        c.run("node mode " + " ".join(e[:40] for e in extra), extra)
    drive_store(c, store, "good")
    drive_store(c, store, "good", (["--run-node", "n1"], ["--run-node", "n2", "--item", "0"],
                                   ["--run-node", "n2", "--item", "2"], ["--run-node", "n2"],
                                   ["--run-node", "n2-1.n3"], ["--status", "n2-1"],
                                   ["--status", "--format", "json"]))
    c.run("store: collect a good store", ["--store", store, "--collect"], ok=(0,))

    def node_files(r, name):
        return [os.path.join(d, name) for d, _, fs in os.walk(os.path.join(r, "nodes"))
                if name in fs]

    def replace_all(r, name, text):
        for f in node_files(r, name):
            write(f, text)

    def to_dir(path):
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.remove(path)
        os.mkdir(path)

    damages = {
        "run.json garbage": lambda r: write(os.path.join(r, "run.json"), "\x00\xff{"),
        "run.json deep": lambda r: write(os.path.join(r, "run.json"), "[" * 100000),
        "run.json missing": lambda r: os.remove(os.path.join(r, "run.json")),
        "run.json is a directory": lambda r: to_dir(os.path.join(r, "run.json")),
        "run.json wrong inputs": lambda r: write(os.path.join(r, "run.json"), json.dumps(
            {"id": "store", "workflow": "corpus",
             "plan": json.load(open(os.path.join(r, "run.json")))["plan"], "inputs": {"data": 3}})),
        "manifests garbage": lambda r: replace_all(r, "manifest.json", "{"),
        "manifests deep": lambda r: replace_all(r, "manifest.json", "{\"a\":" * 100000),
        "manifests of another node": lambda r: replace_all(
            r, "manifest.json", json.dumps({"node": "n9", "value": 1})),
        "manifests wrong types": lambda r: replace_all(
            r, "manifest.json", "X"),
        "manifests missing": lambda r: [os.remove(f) for f in node_files(r, "manifest.json")],
        "manifests are directories": lambda r: [to_dir(f) for f in node_files(r, "manifest.json")],
        "done markers are directories": lambda r: [to_dir(f) for f in node_files(r, "done")],
        "failed markers garbage": lambda r: [(os.remove(f), write(os.path.join(os.path.dirname(f), "failed"), "\xff["))
                                             for f in node_files(r, "done")],
        "skipped markers garbage": lambda r: [(os.remove(f), write(os.path.join(os.path.dirname(f), "skipped"), "["))
                                              for f in node_files(r, "done")],
        "nodes is a file": lambda r: (shutil.rmtree(os.path.join(r, "nodes")),
                                      write(os.path.join(r, "nodes"), "x")),
        "journal is a directory": lambda r: to_dir(os.path.join(r, "journal")),
        "events is a directory": lambda r: to_dir(os.path.join(r, "events.jsonl")),
        "output files removed": lambda r: [os.remove(os.path.join(d, f))
                                           for d, _, fs in os.walk(os.path.join(r, "nodes"))
                                           for f in fs if f not in ("manifest.json", "done")],
    }
    for name, damage in damages.items():
        copy = c.path("store-" + name.replace(" ", "-"))
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(store, copy, symlinks=True)
        if name == "manifests wrong types":
            for f in node_files(copy, "manifest.json"):
                m = json.load(open(f))
                m["value"] = {"sum": 3, "lines": "x"} if isinstance(m["value"], dict) else [{"x": 1}]
                write(f, json.dumps(m))
        else:
            damage(copy)
        drive_store(c, copy, name)
        # Nodes run again over a damaged store: their records removed first.
        for d in ("n0", "n1", "n2", "n2-1"):
            shutil.rmtree(os.path.join(copy, "nodes", d), ignore_errors=True)
        drive_store(c, copy, name + ", records removed", SHORT_DRIVE)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flytec", required=True)
    ap.add_argument("--timeout", type=float, default=5)
    ap.add_argument("--keep", help="work in this directory and keep it")
    a = ap.parse_args()
    work = a.keep or tempfile.mkdtemp(prefix="flytec-badinput-")
    os.makedirs(work, exist_ok=True)
    exe = os.path.join(work, "corpus")
    subprocess.run([a.flytec, "build", os.path.join(HERE, "corpus.flyte"), "-o", exe], check=True)
    c = Corpus(exe, work, a.timeout)
    write(c.path("data.txt"), "one\ntwo\n")
    write(c.path("a-file"), "x")
    write(c.path("base.json"), json.dumps({"data": c.path("data.txt"),
                                           "b": {"name": "x", "data": c.path("data.txt")}}))
    write(c.path("deep.json"), "{\"b\": " + "[" * 70000 + "]" * 70000 + "}")
    write(c.path("garbage.bin"), os.urandom(4096), "wb")
    write(c.path("array.json"), "[]")
    write(c.path("null.json"), "null")
    write(c.path("unknown.json"), json.dumps({"data": c.path("data.txt"), "zzz": 1}))
    write(c.path("big.json"), json.dumps({"data": c.path("data.txt"), "xs": list(range(300000))}))
    write(c.path("nul.json"), '{"s": "a\\u0000b"}')
    write(c.path("utf8.json"), b'{"s": "a\xff"}', "wb")
    write(c.path("badtypes.json"), json.dumps({"data": 1, "b": [], "n": "1", "f": "x",
                                               "d": {}, "z": -1, "s": 3, "xs": [1.5]}))
    if not os.path.exists(c.path("fifo")):
        os.mkfifo(c.path("fifo"))
    subprocess.run(["sh", "-c", "cksum < data.txt > expected-sum"], cwd=work, check=True)

    flag_cases(c)
    run_dir_cases(c)
    cache_cases(c)
    node_mode_cases(c)
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    for f in c.failures:
        print("FAIL " + f)
    print("%d cases, %d failed" % (c.count, len(c.failures)))
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
