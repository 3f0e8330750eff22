#!/usr/bin/env python3
"""Runs the Slurm backend's tests against a running cluster (SLURM_CONF set, as
with_cluster.sh does): each test builds a workflow with `flytec build --target slurm`,
submits it with `submit.sh --wait`, and checks the outputs in the store and against what
the local executable prints for the same inputs.

    with_cluster.sh -- run_tests.py --build build [-k NAME]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, check=True, timeout=120, env=None, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, **kw)
    if check and p.returncode != 0:
        raise AssertionError(f"{cmd} exited {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def wait_queue_empty(timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        p = run(["squeue", "-h"], check=False)
        if p.returncode == 0 and not p.stdout.strip():
            return
        time.sleep(0.2)
    raise AssertionError("the queue did not empty:\n" + run(["squeue"], check=False).stdout)


def test_cluster_smoke(ctx):
    """The cluster runs a job: the recipe in with_cluster.sh works."""
    out = os.path.join(ctx.tmp, "smoke.out")
    jid = run(["sbatch", "--parsable", "--output", out, "--wrap", "echo smoke-ok"]).stdout.strip()
    assert jid.split(";")[0].isdigit(), jid
    wait_queue_empty()
    with open(out) as f:
        assert f.read().strip() == "smoke-ok"


class Context:
    def __init__(self, build, tmp):
        self.build = os.path.abspath(build)
        self.flytec = os.path.join(self.build, "bin", "flytec")
        self.tmp = tmp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("-k", dest="only", default="")
    args = ap.parse_args()
    if not os.environ.get("SLURM_CONF"):
        print("run_tests.py: SLURM_CONF is not set; run under with_cluster.sh", file=sys.stderr)
        return 2
    tests = [(n, f) for n, f in sorted(globals().items()) if n.startswith("test_") and callable(f)]
    tests = [(n, f) for n, f in tests if args.only in n]
    failed = []
    start = time.time()
    for name, fn in tests:
        tmp = tempfile.mkdtemp(prefix=f"flytec-{name}-", dir="/tmp")
        t0 = time.time()
        try:
            fn(Context(args.build, tmp))
            print(f"PASS {name} ({time.time() - t0:.1f} s)", flush=True)
            shutil.rmtree(tmp, ignore_errors=True)
        except Exception as e:  # noqa: BLE001 - report every failure and go on
            failed.append(name)
            print(f"FAIL {name} ({time.time() - t0:.1f} s): {e}\n(kept {tmp})", flush=True)
            run(["scancel", "--user", "root"], check=False)
    print(f"slurm: {len(tests) - len(failed)} of {len(tests)} passed in {time.time() - start:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
