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


GRAPHS = os.path.join(HERE, "..", "..", "lit", "slurm", "Inputs", "graphs.flyte")


class Build:
    """A workflow built for Slurm into a temporary folder, with an sbatch on PATH that
    logs each call before running the real one."""

    def __init__(self, ctx, workflow):
        self.ctx = ctx
        self.dir = os.path.join(ctx.tmp, workflow)
        self.store = os.path.join(ctx.tmp, "store")
        run([ctx.flytec, "build", "--target", "slurm", GRAPHS, "--workflow", workflow, "-o", self.dir])
        self.wf = os.path.join(self.dir, "bin", "wf")
        if "--run-node" not in run([self.wf, "--help"], check=False).stdout:
            raise Skip("the executable has no node mode (--run-node)")
        self.log = os.path.join(ctx.tmp, "sbatch.log")
        shim = os.path.join(ctx.tmp, "shim")
        os.makedirs(shim, exist_ok=True)
        real = shutil.which("sbatch")
        with open(os.path.join(shim, "sbatch"), "w") as f:
            f.write(f'#!/bin/bash\nprintf "%s\\n" "$*" >> {self.log}\nexec {real} "$@"\n')
        os.chmod(os.path.join(shim, "sbatch"), 0o755)
        self.env = dict(os.environ)
        self.env["PATH"] = shim + os.pathsep + self.env["PATH"]
        self.env["FLYTE_CACHE_DIR"] = os.path.join(ctx.tmp, "cache")
        self.env["FLYTEC_POLL_SECONDS"] = "0.5"

    def sbatch_calls(self):
        if not os.path.exists(self.log):
            return []
        with open(self.log) as f:
            return [line for line in f.read().splitlines() if line]

    def local(self, *inputs):
        """What the executable prints when it runs the workflow here."""
        p = run([self.wf, "--run-dir", os.path.join(self.ctx.tmp, "local-runs"), *inputs],
                check=False, env=self.env, timeout=120)
        return p

    def submit(self, *args, timeout=150):
        return run([os.path.join(self.dir, "submit.sh"), "--store", self.store, *args],
                   check=False, env=self.env, timeout=timeout)

    def states(self):
        p = run([self.wf, "--store", self.store, "--status"], env=self.env)
        return dict(line.split()[:2] for line in p.stdout.splitlines() if line.strip())

    def logs(self):
        out = []
        for root, _, files in os.walk(os.path.join(self.dir, "logs")):
            for name in sorted(files):
                with open(os.path.join(root, name), errors="replace") as f:
                    out.append(f"== {os.path.join(root, name)}\n{f.read()}")
        return "\n".join(out)


def submit_and_compare(b, *inputs):
    """Submits with --wait and checks the outputs JSON against the local run's."""
    local = b.local(*inputs)
    assert local.returncode == 0, f"local run failed: {local.stderr}"
    p = b.submit("--wait", *inputs)
    assert p.returncode == 0, f"submit.sh --wait exited {p.returncode}\n{p.stderr}\n{b.logs()}"
    got = json.loads(p.stdout)
    want = json.loads(local.stdout)
    assert got == want, f"slurm {got} != local {want}"
    with open(os.path.join(b.dir, "outputs.json")) as f:
        assert json.load(f) == want
    collected = json.loads(run([b.wf, "--store", b.store, "--collect"], env=b.env).stdout)
    assert collected == want
    return got


def test_diamond(ctx):
    """A diamond: four jobs with afterok edges; the outputs equal the local run's; a
    second submit.sh on the finished store submits nothing and prints the same JSON."""
    b = Build(ctx, "diamond")
    got = submit_and_compare(b, "--x", "3")
    assert got == {"left": 8, "right": 14, "bottom": 22}, got
    calls = b.sbatch_calls()
    assert len(calls) == 4, calls
    assert all("--hold" in c and "--kill-on-invalid-dep=yes" in c for c in calls), calls
    assert set(b.states().values()) == {"done"}, b.states()
    again = b.submit("--wait", "--x", "3")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == got
    assert "nothing to submit" in again.stderr, again.stderr
    assert len(b.sbatch_calls()) == 4, b.sbatch_calls()
    # Other inputs than the store's are refused.
    other = b.submit("--x", "4")
    assert other.returncode == 2, (other.returncode, other.stderr)


def test_map(ctx):
    """A map over 50 items is one job array, not 50 submissions."""
    b = Build(ctx, "mapped")
    got = submit_and_compare(b, "--n", "50")
    assert got == {"o": 2 * sum(range(50))} or got == 2 * sum(range(50)), got
    calls = b.sbatch_calls()
    arrays = [c for c in calls if "--array" in c]
    assert len(arrays) == 1, calls
    assert "--array=0-49%8" in arrays[0], arrays
    # range, launcher, gather, the array, total.
    assert len(calls) == 5, calls


def test_branch(ctx):
    """A branch runs in one job; the arm not taken is skipped."""
    b = Build(ctx, "branched")
    got = submit_and_compare(b, "--x", "5")
    assert got == {"o": 11} or got == 11, got


def test_retry(ctx):
    """A task that fails on its first attempt and succeeds on the second, in one job."""
    b = Build(ctx, "retried")
    state = os.path.join(ctx.tmp, "state")
    os.makedirs(state)
    p = b.submit("--wait", "--state", state)
    assert p.returncode == 0, f"{p.stderr}\n{b.logs()}"
    got = json.loads(p.stdout)
    assert got == {"o": 2} or got == 2, got
    with open(os.path.join(state, "attempts")) as f:
        assert f.read().strip() == "2"
    # The local executable prints the same for the same inputs (a fresh state folder).
    state2 = os.path.join(ctx.tmp, "state2")
    os.makedirs(state2)
    local = b.local("--state", state2)
    assert local.returncode == 0, local.stderr
    assert json.loads(local.stdout) == got


def test_failure(ctx):
    """A failing task: --wait exits 1, its dependent never runs (cancelled by Slurm)."""
    b = Build(ctx, "failing")
    start = time.time()
    p = b.submit("--wait")
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert time.time() - start < 60
    states = b.states()
    assert states.get("n0") == "done", states
    assert states.get("n1") == "failed", states
    assert states.get("n2") != "done", states
    assert not os.path.exists(os.path.join(b.dir, "outputs.json"))
    assert b.local().returncode == 1
    wait_queue_empty(timeout=20)


def test_requeue(ctx):
    """USR1 to a checkpointed task's job: it saves its count, the job requeues itself,
    and the task resumes from the checkpoint."""
    b = Build(ctx, "requeued")
    state = os.path.join(ctx.tmp, "state")
    os.makedirs(state)
    p = b.submit("--n", "40", "--state", state)
    assert p.returncode == 0, p.stderr
    ids = dict(line.split() for line in p.stdout.splitlines())
    job = ids["n0"]
    starts = os.path.join(state, "starts")
    end = time.time() + 60
    while time.time() < end and not os.path.exists(starts):
        time.sleep(0.2)
    time.sleep(1.5)
    run(["scancel", "--signal=USR1", "--batch", job])
    end = time.time() + 120
    while time.time() < end:
        q = run(["squeue", "-h", "-o", "%A"], check=False)
        if q.returncode == 0 and not q.stdout.strip():
            break
        time.sleep(0.5)
    with open(starts) as f:
        lines = f.read().splitlines()
    assert len(lines) >= 2, (lines, b.logs())
    assert lines[0] == "start 0" and lines[1] != "start 0", lines
    out = json.loads(run([b.wf, "--store", b.store, "--collect"], env=b.env).stdout)
    assert out == {"o": 40} or out == 40, out


class Skip(Exception):
    """A test that cannot run here, with the reason."""


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
        except Skip as e:
            print(f"SKIP {name}: {e}", flush=True)
            shutil.rmtree(tmp, ignore_errors=True)
        except Exception as e:  # noqa: BLE001 - report every failure and go on
            failed.append(name)
            print(f"FAIL {name} ({time.time() - t0:.1f} s): {e}\n(kept {tmp})", flush=True)
            run(["scancel", "--user", "root"], check=False)
    print(f"slurm: {len(tests) - len(failed)} of {len(tests)} passed or skipped in {time.time() - start:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
