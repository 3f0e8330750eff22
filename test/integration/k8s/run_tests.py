#!/usr/bin/env python3
"""Tests of the Kubernetes backend without a cluster: the manifests that
`flytec build --target k8s` writes are validated against the real Kubernetes and Argo
Workflows schemas (validate.mjs), and their Workflow is run on this machine by the
test-only interpreter (argo_run.py) with the store's volume mapped to a temporary folder;
then `bin/wf --store STORE --collect` must print what the local executable prints for
the same inputs. The interpreter and the validator are tested first on hand-written
manifests (fixtures/).

    run_tests.py --flytec build/bin/flytec [-k NAME]      the data-flow tests
    run_tests.py --flytec build/bin/flytec --slow         and the cpp and mnist examples
    run_tests.py --flytec build/bin/flytec --schemas      validate every generated manifest
    run_tests.py --flytec build/bin/flytec --schemas-big  the same for a 300-node workflow

Needs node with test/integration/k8s/node_modules (`npm ci` there; scripts/setup.sh
does it) and python3-yaml. Exit 0 when every test passed or was skipped, 1 otherwise.
"""
import argparse
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
FIXTURES = os.path.join(HERE, "fixtures")
GRAPHS = os.path.join(ROOT, "test", "lit", "slurm", "Inputs", "graphs.flyte")
STORE_MOUNT = "/flyte/store"
IMAGE_WF = "/opt/flytec/bin/wf"  # the compiled executable in the image
IMAGE_DIR = "/opt/flytec"  # what an init container copies for a task with its own image
# Pods have a /tmp of their own, so the tests' folders (inputs among them) are elsewhere.
TMP_BASE = os.environ.get("FLYTEC_K8S_TEST_TMP", "/var/tmp")


class Skip(Exception):
    """A test that cannot run here, with the reason."""


def run(cmd, check=True, timeout=180, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {p.returncode}\nstdout:\n{p.stdout[-4000:]}\n"
                             f"stderr:\n{p.stderr[-4000:]}")
    return p


def validate(*files, expect_rc=0):
    p = run(["node", os.path.join(HERE, "validate.mjs"), *files], check=False, timeout=120)
    if p.returncode != expect_rc:
        # Each invalid document's name and errors, without the documents themselves.
        lines = [x for x in p.stdout.splitlines() if x.startswith(("  at ", "/")) or "invalid" in x]
        shown = "\n".join(lines[:300]) + (f"\n... {len(lines) - 300} more lines" if len(lines) > 300 else "")
        raise AssertionError(f"validate.mjs exited {p.returncode}, expected {expect_rc}\n{shown}\n"
                             f"{(p.stdout.strip().splitlines() or [''])[-1]}\n{p.stderr[-2000:]}")
    return p


def interp(*args, expect_rc=None):
    p = run([sys.executable, os.path.join(HERE, "argo_run.py"), *args], check=False, timeout=300)
    if expect_rc is not None:
        assert p.returncode == expect_rc, (f"argo_run.py exited {p.returncode}, expected {expect_rc}\n"
                                           f"{p.stdout[-6000:]}{p.stderr[-3000:]}")
    return p


# --- the validator and the interpreter on hand-written manifests ----------------------

def test_validator_accepts_fixtures(ctx):
    """Every hand-written manifest is valid."""
    validate(*sorted(glob.glob(os.path.join(FIXTURES, "*.yaml"))))


def test_validator_rejects(ctx):
    """Broken manifests are rejected, each with the path and error named in its
    `# expect:` comment: a wrong type, an unknown field, a missing required field, an
    unknown kind, a YAML 1.1 boolean where a string is needed."""
    files = sorted(glob.glob(os.path.join(FIXTURES, "invalid", "*.yaml")))
    assert len(files) >= 5, files
    p = validate(*files, expect_rc=1)
    for f in files:
        with open(f) as fh:
            expect = [line.split(":", 1)[1].strip() for line in fh if line.startswith("# expect:")]
        assert expect, f"{f} has no '# expect:' line"
        assert f"{f}: document" in p.stdout, f"{os.path.basename(f)} was not rejected:\n{p.stdout}"
        for e in expect:
            assert e in p.stdout, f"{os.path.basename(f)}: expected {e!r} in:\n{p.stdout}"
    assert "0 of " in p.stdout.splitlines()[-1], p.stdout.splitlines()[-1]


def test_interp_dataflow(ctx):
    """Parameters through files and stdout, a branch, withParam and withItems, a nested
    DAG with outputs, templateDefaults, workflowTemplateRef, -p."""
    store = os.path.join(ctx.tmp, "store")
    f = os.path.join(FIXTURES, "dataflow.yaml")
    p = interp(f, "--map-path", f"{STORE_MOUNT}={store}", expect_rc=0)
    assert "Skipped    dataflow-run.small" in p.stdout, p.stdout
    with open(os.path.join(store, "dataflow-run", "result")) as fh:
        assert fh.read().strip() == 'dataflow-run sum=55 pairs=["1-two","3-four"] big=Succeeded small=Skipped'
    interp(f, "--map-path", f"{STORE_MOUNT}={store}", "-p", "x=2", expect_rc=0)
    with open(os.path.join(store, "dataflow-run", "result")) as fh:
        assert fh.read().strip() == 'dataflow-run sum=14 pairs=["1-two","3-four"] big=Skipped small=Succeeded'
    interp(f, "-p", "nope=1", expect_rc=2)


def test_interp_retry(ctx):
    """A container that fails once is retried (retryStrategy.limit) and succeeds."""
    store = os.path.join(ctx.tmp, "store")
    p = interp(os.path.join(FIXTURES, "retry.yaml"), "--map-path", f"{STORE_MOUNT}={store}", expect_rc=0)
    assert ".flaky(0)" in p.stdout and ".flaky(1)" in p.stdout, p.stdout
    with open(os.path.join(store, "attempts")) as fh:
        assert len(fh.read().split()) == 2
    with open(os.path.join(store, "after")) as fh:
        assert fh.read().strip() == "attempt 1"


def test_interp_failing(ctx):
    """A failing task fails the workflow; its dependent is omitted, never run; a task
    depending on its failure runs."""
    store = os.path.join(ctx.tmp, "store")
    p = interp(os.path.join(FIXTURES, "failing.yaml"), "--map-path", f"{STORE_MOUNT}={store}", expect_rc=1)
    assert "Omitted    failing.dependent" in p.stdout, p.stdout
    assert sorted(os.listdir(store)) == ["bad", "handler"], os.listdir(store)


def test_interp_secret_initcontainer_workingdir(ctx):
    """env from a secretKeyRef (given with --secret, or a clear refusal), an init
    container, workingDir under the mapped store."""
    store = os.path.join(ctx.tmp, "store")
    f = os.path.join(FIXTURES, "secret.yaml")
    p = interp(f, "--map-path", f"{STORE_MOUNT}={store}", expect_rc=2)
    assert "secret 'creds' key 'token' not given" in p.stderr, p.stderr
    interp(f, "--map-path", f"{STORE_MOUNT}={store}", "--secret", "creds/token=s3cret", expect_rc=0)
    with open(os.path.join(store, "work", "out")) as fh:
        assert fh.read().strip() == "s3cret init"


def test_interp_semantics(ctx):
    """memoize, withSequence, continueOn with .AnySucceeded, a retry expression that
    refuses a retry; an unquoted word in a `when` is refused (exit 2)."""
    store = os.path.join(ctx.tmp, "store")
    p = interp(os.path.join(FIXTURES, "semantics.yaml"), "--map-path", f"{STORE_MOUNT}={store}", expect_rc=0)
    assert "memoized" in p.stdout and "Failed     semantics.seq(1:2)" in p.stdout, p.stdout
    with open(os.path.join(store, "memo")) as f:
        assert f.read().split() == ["run"]
    with open(os.path.join(store, "note")) as f:
        assert f.read().strip() == 'any [1,3]'  # the JSON list ["1","3"] through sh's quotes
    with open(os.path.join(store, "no-retry")) as f:
        assert f.read().split() == ["x"]
    p = interp(os.path.join(FIXTURES, "invalid-when.yaml"), expect_rc=2)
    assert "unquoted word 'invalid-when'" in p.stderr, p.stderr


def test_interp_deadline(ctx):
    """A container past its activeDeadlineSeconds is killed and the workflow fails."""
    t0 = time.time()
    p = interp(os.path.join(FIXTURES, "deadline.yaml"), expect_rc=1)
    assert time.time() - t0 < 15, p.stdout
    assert "deadline" in p.stdout, p.stdout


def test_interp_refuses_unsupported(ctx):
    """A template kind it does not implement (suspend) is refused with exit 2, naming it."""
    p = interp(os.path.join(FIXTURES, "unsupported.yaml"), expect_rc=2)
    assert "main.suspend" in p.stderr, p.stderr


def test_interp_node_mode(ctx):
    """A hand-written manifest in a generated build's shape (init, node-mode pods, a map's
    launch, fan-out and gather) runs the real executable's node mode; --collect prints
    the map's total."""
    out = os.path.join(ctx.tmp, "slurm-mapped")
    run([ctx.flytec, "build", "--target", "slurm", GRAPHS, "--workflow", "mapped", "-o", out])
    store = os.path.join(ctx.tmp, "store")
    p = interp(os.path.join(FIXTURES, "node-mode.yaml"), "--map-path", f"{STORE_MOUNT}={store}",
               "--map-path", f"{IMAGE_WF}={os.path.join(out, 'bin', 'wf')}", "-p", "n=20", expect_rc=0)
    got = run([os.path.join(out, "bin", "wf"), "--store", run_store(store, p), "--collect"])
    assert json.loads(got.stdout) in ({"o": 380}, 380), got.stdout


# --- generated manifests ---------------------------------------------------------------

def file_digest(path):
    if os.path.isdir(path):
        return {n: file_digest(os.path.join(path, n)) for n in sorted(os.listdir(path))}
    with open(path, "rb") as f:
        return "sha256:" + hashlib.sha256(f.read()).hexdigest()


def normalize(value):
    """Outputs with files and folders replaced by their contents' digests: the local run
    and the store keep them at different paths."""
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    if isinstance(value, str) and value.startswith("/") and os.path.exists(value):
        return file_digest(value)
    return value


BUILDS = {}  # (target, source, workflow) -> output folder, shared by the tests of one run
BUILD_LOCKS = {}
LOCK = threading.Lock()


def flytec_build(ctx, target, source, workflow, out):
    """flytec build, once per target, source and workflow in a run (a copy for each test
    would be 2 s more each)."""
    key = (target, source, workflow)
    with LOCK:
        lock = BUILD_LOCKS.setdefault(key, threading.Lock())
    with lock:
        if key in BUILDS:
            return BUILDS[key], None
        p = run([ctx.flytec, "build", "--target", target, source, "--workflow", workflow, "-o", out],
                check=False)
        if p.returncode == 0:
            BUILDS[key] = out
        return out, p


def generated_manifests_valid(ctx):
    """Every manifest the data-flow tests built is valid (one run of the validator)."""
    files = []
    for (target, _, _), out in sorted(BUILDS.items()):
        if target == "k8s":
            files += manifests(out)
    if not files:
        raise Skip("no k8s build")
    validate(*files)


def k8s_build(ctx, source, workflow, out):
    out, p = flytec_build(ctx, "k8s", source, workflow, out)
    if p is None:
        return manifests(out)
    if p.returncode != 0 and no_target(p.stderr):
        raise Skip("flytec has no k8s target yet")
    assert p.returncode == 0, f"flytec build --target k8s exited {p.returncode}:\n{p.stderr}"
    return manifests(out)


def no_target(stderr):
    """Whether flytec says it has no k8s target (this build or this version)."""
    return "'k8s' target" in stderr and ("not available" in stderr or "unknown" in stderr)


def manifests(out):
    files = sorted(glob.glob(os.path.join(out, "**", "*.yaml"), recursive=True) +
                   glob.glob(os.path.join(out, "**", "*.yml"), recursive=True))
    assert files, f"no YAML files under {out}"
    return files


def workflow_files(files):
    """The files holding the Workflow and the WorkflowTemplate (not the CronWorkflows)."""
    import yaml
    keep = []
    for f in files:
        with open(f) as fh:
            kinds = {d.get("kind") for d in yaml.safe_load_all(fh) if isinstance(d, dict)}
        if kinds & {"Workflow", "WorkflowTemplate", "ConfigMap"}:
            keep.append(f)
    return keep


def run_generated(ctx, source, workflow, inputs, extra=(), expect_rc=0):
    """Builds for k8s, validates, interprets; returns (store of the run, interpreter's
    process, build dir)."""
    out = os.path.join(ctx.shared, f"k8s-{os.path.basename(source)}-{workflow}")
    files = k8s_build(ctx, source, workflow, out)
    out = BUILDS[("k8s", source, workflow)]
    # Validated all at once by generated_manifests_valid, after the data-flow tests.
    store = os.path.join(ctx.tmp, f"store-{workflow}")
    os.makedirs(store)
    params = []
    for name, value in inputs:
        params += ["-p", f"{name}={value}"]
    p = interp(*workflow_files(files), "--map-path", f"{STORE_MOUNT}={store}",
               "--map-path", f"{IMAGE_WF}={os.path.join(out, 'bin', 'wf')}",
               "--map-path", f"{IMAGE_DIR}={out}",
               "--workdir", os.path.join(ctx.tmp, f"interp-{workflow}"), *params, *extra)
    assert p.returncode == expect_rc, (f"argo_run.py exited {p.returncode}, expected {expect_rc}\n"
                                       f"{p.stdout[-8000:]}\n{p.stderr[-3000:]}")
    return run_store(store, p), p, out


def run_store(store, p):
    """The run's folder in the store: STORE/<workflow name> when the manifests put each run
    there, else the store itself."""
    first = p.stdout.splitlines()[0].split() if p.stdout else []
    name = first[1] if len(first) > 1 and first[0] == "workflow" else None
    if name and os.path.isdir(os.path.join(store, name)):
        return os.path.join(store, name)
    return store


def local_outputs(ctx, source, workflow, inputs):
    exe, p = flytec_build(ctx, "local", source, workflow, os.path.join(ctx.shared, f"local-{workflow}"))
    assert p is None or p.returncode == 0, f"flytec build exited {p.returncode}:\n{p.stderr}"
    args = []
    for name, value in inputs:
        args += [f"--{name}", str(value)]
    p = run([exe, "--run-dir", os.path.join(ctx.tmp, "local-runs"), "--no-cache", *args], check=False)
    return p


def compare(ctx, source, workflow, inputs, local_inputs=None, extra=()):
    """The store's outputs after the interpreted run equal the local executable's."""
    store, _, out = run_generated(ctx, source, workflow, inputs, extra)
    local = local_outputs(ctx, source, workflow, local_inputs or inputs)
    assert local.returncode == 0, f"local run failed:\n{local.stderr[-3000:]}"
    got = run([os.path.join(out, "bin", "wf"), "--store", store, "--collect"])
    g, w = normalize(json.loads(got.stdout)), normalize(json.loads(local.stdout))
    assert g == w, f"k8s {g} != local {w}"
    return g


EXAMPLES = os.path.join(ROOT, "examples")


def test_example_etl(ctx):
    """examples/etl.flyte, workflow daily (a map over days, files)."""
    compare(ctx, os.path.join(EXAMPLES, "etl.flyte"), "daily", [])


def test_example_clusters(ctx):
    """examples/clusters.flyte (std.ml kernels, tensors in files)."""
    compare(ctx, os.path.join(EXAMPLES, "clusters.flyte"), "clusters", [("epochs", 5)])


def test_example_variants(ctx):
    """examples/variants.flyte, workflow cohort: a Dir and a File as inputs, a secret from
    a Kubernetes Secret, sub-workflows in a map, retries, a timeout."""
    samples = os.path.join(ctx.tmp, "samples")
    os.makedirs(samples)
    for name, text in (("s1", "ACGT\n"), ("s2", "GATTACA\n")):
        with open(os.path.join(samples, name), "w") as f:
            f.write(text)
    ref = os.path.join(ctx.tmp, "ref.fa")
    with open(ref, "w") as f:
        f.write(">chr1\nACGT\n")
    inputs = [("samples", samples), ("reference", ref)]
    compare(ctx, os.path.join(EXAMPLES, "variants.flyte"), "cohort", inputs,
            extra=secret_args(ctx, os.path.join(EXAMPLES, "variants.flyte"), "cohort"))


def write_npy(path, rows, cols):
    """A float32 .npy file (format 1.0) without NumPy."""
    import struct
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (rows, cols)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack("<%df" % (rows * cols), *[float((i * 7) % 11) for i in range(rows * cols)]))


def slow_example_cpp(ctx):
    """examples/cpp.flyte (C++ tasks, a checkpointing task): 17 s per build, so only with
    --slow."""
    x = os.path.join(ctx.tmp, "x.npy")
    write_npy(x, 6, 3)
    compare(ctx, os.path.join(EXAMPLES, "cpp.flyte"), "steps", [("x", x), ("n", 5), ("step_ms", 1)])


def slow_example_mnist(ctx):
    """examples/mnist.flyte on 200 digits from examples/mnist_data.py (scikit-learn): 17 s
    per build, so only with --slow."""
    raw = os.path.join(ctx.tmp, "mnist.csv")
    # The Python running the tests may lack scikit-learn; Debian's python3-sklearn is in
    # /usr/bin/python3.
    python = next((c for c in (sys.executable, "/usr/bin/python3")
                   if run([c, "-c", "import sklearn"], check=False).returncode == 0), sys.executable)
    p = run([python, os.path.join(EXAMPLES, "mnist_data.py"), raw, "200"], check=False)
    if p.returncode != 0:
        raise Skip(f"mnist_data.py: {p.stderr.strip().splitlines()[-1:]}")
    compare(ctx, os.path.join(EXAMPLES, "mnist.flyte"), "mnist", [("raw", raw), ("epochs", 2)])


def secret_args(ctx, source, workflow):
    """--secret NAME/KEY=VALUE for every secretKeyRef of the generated manifests."""
    import yaml
    out = os.path.join(ctx.shared, f"k8s-{os.path.basename(source)}-{workflow}")
    refs = set()

    def walk(v):
        if isinstance(v, dict):
            if "secretKeyRef" in v and isinstance(v["secretKeyRef"], dict):
                refs.add((v["secretKeyRef"].get("name"), v["secretKeyRef"].get("key")))
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    k8s_build(ctx, source, workflow, out)
    for f in manifests(BUILDS[("k8s", source, workflow)]):
        with open(f) as fh:
            for d in yaml.safe_load_all(fh):
                walk(d)
    args = []
    for name, key in sorted(refs):
        args += ["--secret", f"{name}/{key}=test-secret"]
    return args


def test_graph_diamond(ctx):
    """Four tasks in a diamond."""
    got = compare(ctx, GRAPHS, "diamond", [("x", 3)])
    assert got == {"left": 8, "right": 14, "bottom": 22}, got


def test_graph_map(ctx):
    """A map over 20 items (withParam or the executable's own map)."""
    got = compare(ctx, GRAPHS, "mapped", [("n", 20)])
    assert got in ({"o": 2 * sum(range(20))}, 2 * sum(range(20))), got


def test_graph_branch(ctx):
    """A branch, both ways."""
    assert compare(ctx, GRAPHS, "branched", [("x", 5)]) in ({"o": 11}, 11)
    ctx.tmp = tempfile.mkdtemp(prefix="flytec-k8s-branch2-", dir=ctx.tmp)
    assert compare(ctx, GRAPHS, "branched", [("x", 1)]) in ({"o": 102}, 102)


def test_graph_subworkflow(ctx):
    """A sub-workflow called in a map (variants' sample inside cohort) is covered by
    test_example_variants; here one called directly."""
    got = compare(ctx, os.path.join(EXAMPLES, "etl.flyte"), "one_day",
                  [("day", "2026-11-01"), ("source", "s3://x")])
    assert isinstance(got, dict), got


def test_graph_retry(ctx):
    """A task that fails on its first attempt and succeeds on its second."""
    state = os.path.join(ctx.tmp, "state")
    state_local = os.path.join(ctx.tmp, "state-local")
    os.makedirs(state)
    os.makedirs(state_local)
    got = compare(ctx, GRAPHS, "retried", [("state", state)], local_inputs=[("state", state_local)])
    assert got in ({"o": 2}, 2), got
    with open(os.path.join(state, "attempts")) as f:
        assert f.read().strip() == "2"


def test_graph_failing(ctx):
    """A failing task: the workflow fails and its dependent never runs."""
    store, p, out = run_generated(ctx, GRAPHS, "failing", [], expect_rc=1)
    status = run([os.path.join(out, "bin", "wf"), "--store", store, "--status"], check=False)
    states = dict(line.split()[:2] for line in status.stdout.splitlines() if len(line.split()) >= 2)
    done = [k for k, v in states.items() if v == "done"]
    failed = [k for k, v in states.items() if v == "failed"]
    assert len(failed) == 1 and len(done) == 1, (states, p.stdout)


MEMO = os.path.join(ROOT, "test", "lit", "local", "Inputs", "memo.flyte")


def memo_run(ctx, workflow, out, files, store, configmaps, run, inputs, extra=()):
    """One interpreted run over the shared store and ConfigMaps: (interpreter, outputs)."""
    params = []
    for name, value in inputs:
        params += ["-p", f"{name}={value}"]
    p = interp(*workflow_files(files), "--map-path", f"{STORE_MOUNT}={store}",
               "--map-path", f"{IMAGE_WF}={os.path.join(out, 'bin', 'wf')}",
               "--map-path", f"{IMAGE_DIR}={out}", "--configmaps", configmaps,
               "--workdir", os.path.join(ctx.tmp, f"interp-{workflow}-{run}"), *params, *extra,
               expect_rc=0)
    got = run_cmd([os.path.join(out, "bin", "wf"), "--store", run_store(store, p), "--cache-dir",
                   os.path.join(store, ".flytec-cache"), "--collect"])
    return p, json.loads(got.stdout)


def run_cmd(cmd):
    return run(cmd)


def memoized_nodes(p):
    """The DAG tasks the interpreter answered from a memoization ConfigMap."""
    return sorted(line.split()[1].split(".")[-1].rstrip(":") for line in p.stdout.splitlines()
                  if line.startswith("Succeeded") and line.endswith(": memoized"))


def lines(path):
    with open(path) as f:
        return len(f.read().splitlines())


def memo_setup(ctx, workflow):
    """The build of `workflow` and, for its runs, a store, a ConfigMaps folder and a state
    folder (made once per test)."""
    out = os.path.join(ctx.shared, f"k8s-memo-{workflow}")
    files = k8s_build(ctx, MEMO, workflow, out)
    out = BUILDS[("k8s", MEMO, workflow)]
    dirs = [os.path.join(ctx.tmp, d) for d in ("store", "configmaps", "state")]
    for d in (dirs[0], dirs[2]):
        os.makedirs(d, exist_ok=True)
    return (out, files, *dirs)


def test_memoized(ctx):
    """A second run with the same inputs starts no pod for an @cache task (Argo memoize);
    its consumer restores the record from the volume's cache, and the outputs equal the
    local executable's. Other inputs miss."""
    out, files, store, configmaps, state = memo_setup(ctx, "chain")
    local_state = os.path.join(ctx.tmp, "local-state")
    os.makedirs(local_state)
    local = local_outputs(ctx, MEMO, "chain", [("state", local_state), ("n", 3)])
    assert local.returncode == 0, local.stderr[-3000:]
    want = json.loads(local.stdout)

    p1, got1 = memo_run(ctx, "chain", out, files, store, configmaps, 1, [("state", state), ("n", 3)])
    assert got1 == want, (got1, want)
    assert memoized_nodes(p1) == [], p1.stdout
    assert lines(os.path.join(state, "count")) == 1
    cms = os.listdir(configmaps)
    assert len(cms) == 1 and cms[0].startswith("flytec-memo-chain-count-"), cms

    p2, got2 = memo_run(ctx, "chain", out, files, store, configmaps, 2, [("state", state), ("n", 3)])
    assert got2 == want, (got2, want)
    assert memoized_nodes(p2) == ["n0"], p2.stdout
    assert lines(os.path.join(state, "count")) == 1  # no pod ran the task

    # Other inputs: another key, the task runs.
    p3, got3 = memo_run(ctx, "chain", out, files, store, configmaps, 3, [("state", state), ("n", 4)])
    assert got3 == {"o": 9}, got3
    assert memoized_nodes(p3) == [], p3.stdout
    assert lines(os.path.join(state, "count")) == 2


def test_memoized_upstream_digest(ctx):
    """A file output memoized is restored with its contents; a cached task downstream of
    another task (its key holds that task's digest) is memoized too."""
    out, files, store, configmaps, state = memo_setup(ctx, "files")
    _, got1 = memo_run(ctx, "files", out, files, store, configmaps, 1, [("state", state), ("n", 8)])
    p2, got2 = memo_run(ctx, "files", out, files, store, configmaps, 2, [("state", state), ("n", 8)])
    assert got1 == got2 == {"o": "line 8"}, (got1, got2)
    assert memoized_nodes(p2) == ["n0"], p2.stdout
    assert lines(os.path.join(state, "count_file")) == 1

    out, files, store, configmaps, state = memo_setup(ctx, "after_task")
    _, a1 = memo_run(ctx, "after_task", out, files, store, configmaps, 3, [("state", state), ("n", 1)])
    p4, a2 = memo_run(ctx, "after_task", out, files, store, configmaps, 4, [("state", state), ("n", 1)])
    assert a1 == a2 == {"o": 4}, (a1, a2)
    assert memoized_nodes(p4) == ["n1"], p4.stdout
    assert lines(os.path.join(state, "count")) == 1


def test_memoized_two_calls(ctx):
    """Two calls of one @cache task with the same upstream and other arguments: each runs
    once, and each is memoized on the next run with its own result."""
    out, files, store, configmaps, state = memo_setup(ctx, "twice")
    p1, got1 = memo_run(ctx, "twice", out, files, store, configmaps, 1, [("state", state)],
                        ("--jobs", "1"))
    assert got1 == {"a": 2, "b": 4}, got1
    assert memoized_nodes(p1) == [], p1.stdout
    p2, got2 = memo_run(ctx, "twice", out, files, store, configmaps, 2, [("state", state)],
                        ("--jobs", "1"))
    assert got2 == got1, got2
    assert memoized_nodes(p2) == ["n0", "n1"], p2.stdout
    assert lines(os.path.join(state, "count")) == 2


# --- every generated manifest against the schemas -------------------------------------

def schema_sources():
    """(source, workflow) pairs: the examples, the Slurm graphs and test/lit/k8s inputs."""
    out = [(os.path.join(EXAMPLES, "etl.flyte"), "daily"), (os.path.join(EXAMPLES, "etl.flyte"), "one_day"),
           (os.path.join(EXAMPLES, "clusters.flyte"), "clusters"),
           (os.path.join(EXAMPLES, "variants.flyte"), "cohort"), (os.path.join(EXAMPLES, "variants.flyte"), "sample"),
           (os.path.join(EXAMPLES, "mnist.flyte"), "mnist"), (os.path.join(EXAMPLES, "cpp.flyte"), "steps")]
    out += [(GRAPHS, w) for w in ("diamond", "mapped", "branched", "retried", "failing", "requeued")]
    for f in sorted(glob.glob(os.path.join(ROOT, "test", "lit", "k8s", "**", "*.flyte"), recursive=True)):
        with open(f) as fh:
            names = re.findall(r"^\s*workflow\s+(\w+)", fh.read(), re.M)
        out += [(f, w) for w in names] or [(f, None)]
    return out


def schemas_big(ctx):
    """A workflow of 300 task nodes (bench/gen_nodes.py): the Argo schema caps a DAG's
    tasks and a spec's templates at 200 each."""
    probe_k8s(ctx)
    big = os.path.join(ctx.tmp, "big.flyte")
    with open(big, "w") as f:
        f.write(run([sys.executable, os.path.join(ROOT, "bench", "gen_nodes.py"), "300"]).stdout)
    out = os.path.join(ctx.tmp, "big")
    run([ctx.flytec, "build", "--target", "k8s", big, "-o", out, "--no-executable"])
    validate(*manifests(out))


def probe_k8s(ctx):
    probe = run([ctx.flytec, "build", "--target", "k8s", os.path.join(ctx.tmp, "none.flyte"), "-o",
                 os.path.join(ctx.tmp, "none")], check=False)
    if no_target(probe.stderr):
        raise Skip("flytec has no k8s target yet")


def schemas(ctx):
    """Every generated manifest of the examples and test inputs, with and without flags."""
    probe_k8s(ctx)
    files, skipped = [], []
    builds = [(src, wf, []) for src, wf in schema_sources()]
    # The same workflows with the flags that change the manifests' text.
    builds += [(src, wf, ["--image", "ubuntu:24.04", "--image-name", "registry.example.com/flows/x:v1",
                          "--gpu-label", "example.com/gpu", "--spot-taint", "example.com/spot"])
               for src, wf in schema_sources() if os.path.join("lit", "k8s") in src]
    for source, workflow, flags in builds:
        out = os.path.join(ctx.tmp, f"{len(files)}-{os.path.basename(source)}-{workflow or 'default'}")
        cmd = [ctx.flytec, "build", "--target", "k8s", source, "-o", out, "--no-executable", *flags]
        if workflow:
            cmd[4:4] = ["--workflow", workflow]
        p = run(cmd, check=False)
        if p.returncode != 0:
            if no_target(p.stderr):
                raise Skip("flytec has no k8s target yet")
            skipped.append(f"{os.path.relpath(source, ROOT)}:{workflow} {' '.join(flags)}: "
                           f"{p.stderr.strip().splitlines()[-1:]}")
            continue
        files += manifests(out)
    for s in skipped:
        print(f"  not built (its error is the lit tests' business): {s}")
    assert files, "no manifests were built"
    p = validate(*files)
    print(f"  {p.stdout.strip().splitlines()[-1]}")


class Context:
    def __init__(self, flytec, tmp, shared):
        self.flytec = os.path.abspath(flytec)
        self.tmp = tmp
        self.shared = shared  # builds kept for the whole run
        self.later = []  # failures that do not stop a test (invalid manifests)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flytec", default=os.path.join(ROOT, "build", "bin", "flytec"))
    ap.add_argument("-k", dest="only", default="")
    ap.add_argument("--schemas", action="store_true", help="validate every generated manifest")
    ap.add_argument("--schemas-big", action="store_true", help="validate a 300-node workflow's manifests")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folders")
    ap.add_argument("--slow", action="store_true", help="also the examples that take long to build (cpp, mnist)")
    ap.add_argument("--slow-only", action="store_true", help="only the examples that take long to build")
    ap.add_argument("--jobs", type=int, default=2, help="tests at once (default 2)")
    args = ap.parse_args()
    if not shutil.which("node") or not os.path.isdir(os.path.join(HERE, "node_modules", "kubernetes-models")):
        print("run_tests.py: needs node and test/integration/k8s/node_modules "
              "(cd test/integration/k8s && npm ci; scripts/setup.sh does it)", file=sys.stderr)
        return 1
    if args.schemas_big:
        tests = [("schemas_big", schemas_big)]
    elif args.schemas:
        tests = [("schemas", schemas)]
    else:
        prefixes = ("slow_",) if args.slow_only else ("test_", "slow_") if args.slow else ("test_",)
        tests = [(n, f) for n, f in sorted(globals().items()) if n.startswith(prefixes) and callable(f)]
        tests = [(n, f) for n, f in tests if args.only in n]
    failed = []
    start = time.time()
    shared = tempfile.mkdtemp(prefix="flytec-k8s-builds-", dir=TMP_BASE)

    def one(name, fn):
        tmp = tempfile.mkdtemp(prefix=f"flytec-k8s-{name}-", dir=TMP_BASE)
        t0 = time.time()
        try:
            ctx = Context(args.flytec, tmp, shared)
            fn(ctx)
            if ctx.later:
                raise AssertionError("the data flow passed, but:\n" + "\n".join(ctx.later))
            line = f"PASS {name} ({time.time() - t0:.1f} s)"
        except Skip as e:
            line = f"SKIP {name}: {e}"
        except Exception as e:  # noqa: BLE001 - report every failure and go on
            with LOCK:
                failed.append(name)
            line = f"FAIL {name} ({time.time() - t0:.1f} s): {e}\n(kept {tmp})"
            tmp = None
        if tmp and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        with LOCK:
            print(line, flush=True)

    # The tests wait on processes most of the time: a few at once.
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for f in [pool.submit(one, n, fn) for n, fn in tests]:
            f.result()
    if not args.schemas and not args.schemas_big and not args.only:
        one("generated_manifests_valid", generated_manifests_valid)
        tests.append(("generated_manifests_valid", None))
    if not args.keep and not failed:
        shutil.rmtree(shared, ignore_errors=True)
    print(f"k8s: {len(tests) - len(failed)} of {len(tests)} passed or skipped in {time.time() - start:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
