#!/usr/bin/python3
"""matmul -> relu -> softmax on N x N float32 (default 4096): one executable whose three
tasks hand the tensors over in memory (pipeline/one.flyte) against three executables run
one after the other, each reading its input from the .npy file the previous one wrote
(pipeline/{matmul,relu,softmax}.flyte). Both start from the same a.npy and b.npy and
end with the softmax published as .npy; the build is excluded. The two sides alternate,
REPS times each, and the medians are printed with the load average; the results are
checked equal.

  bench/tensor/pipeline.py FLYTEC [N] [REPS]
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np


def run(exe, args, runs):
    out = subprocess.run([exe, *args, "--run-dir", runs, "--no-cache"], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)["y"]


def main():
    flytec = os.path.abspath(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 4096
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pipeline")
    tmp = tempfile.mkdtemp(prefix="flytec-pipeline-")
    try:
        exe = {}
        for name in ("one", "matmul", "relu", "softmax"):
            exe[name] = os.path.join(tmp, name)
            subprocess.run([flytec, "build", os.path.join(here, name + ".flyte"), "-o", exe[name]],
                           check=True)
        rng = np.random.default_rng(0)
        a, b = os.path.join(tmp, "a.npy"), os.path.join(tmp, "b.npy")
        np.save(a, rng.standard_normal((n, n), dtype=np.float32))
        np.save(b, rng.standard_normal((n, n), dtype=np.float32))
        runs = os.path.join(tmp, "runs")
        times = {"one": [], "chained": []}
        load = [os.getloadavg()[0]]
        for _ in range(reps):
            shutil.rmtree(runs, ignore_errors=True)
            t = time.perf_counter()
            y_one = run(exe["one"], ["--a", a, "--b", b], runs)
            times["one"].append(time.perf_counter() - t)
            t = time.perf_counter()
            m = run(exe["matmul"], ["--a", a, "--b", b], runs)
            r = run(exe["relu"], ["--x", m], runs)
            y_chained = run(exe["softmax"], ["--x", r], runs)
            times["chained"].append(time.perf_counter() - t)
            load.append(os.getloadavg()[0])
            same = np.array_equal(np.load(y_one), np.load(y_chained))
        med = {k: sorted(v)[len(v) // 2] for k, v in times.items()}
        print(json.dumps({"n": n, "reps": reps, "times_s": times, "median_s": med,
                          "chained_over_one": med["chained"] / med["one"], "same_result": same,
                          "load_average": load}))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
