#!/usr/bin/python3
"""The NumPy and scikit-learn sides of the tensor kernels' benchmarks (bench/tensor/run.sh):
one epoch of full-batch softmax regression on 60000 x 784 float32 with 10 classes, doing
the same math as ml.softmax_regression ("softmax"), or scikit-learn's Lloyd k-means on
1,000,000 x 16 float32 with k = 8 and 20 iterations ("kmeans"). Times one run (after a
warm-up epoch for softmax; run.sh alternates it with the C++ side) and prints one JSON
object of seconds.

  numpy_bench.py softmax|kmeans"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.cluster import KMeans


def seconds(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def softmax_regression_epoch(x, y, w, lr):
    n, d = x.shape
    logits = x @ w[:d] + w[d]
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(n), y] -= 1.0
    g = np.empty_like(w)
    g[:d] = x.T @ p
    g[d] = p.sum(axis=0)
    w -= np.float32(lr / n) * g


def main():
    which = sys.argv[1]
    rng = np.random.default_rng(0)
    out = {"numpy": np.__version__, "sklearn": sklearn.__version__}
    if which == "softmax":
        x = rng.standard_normal((60000, 784), dtype=np.float32)
        y = rng.integers(0, 10, 60000)
        w = np.zeros((785, 10), np.float32)
        softmax_regression_epoch(x, y, w, 0.1)  # warm up
        out["seconds"] = seconds(lambda: softmax_regression_epoch(x, y, w, 0.1))
    elif which == "kmeans":
        xk = rng.standard_normal((1_000_000, 16), dtype=np.float32)
        km = KMeans(n_clusters=8, algorithm="lloyd", n_init=1, max_iter=20, tol=0, random_state=0)
        out["seconds"] = seconds(lambda: km.fit(xk))
        out["iterations"] = int(km.n_iter_)
    else:
        sys.exit(f"unknown benchmark {which!r}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
