#!/usr/bin/python3
"""Writes the golden .npy files of the tensor kernels' unit tests: inputs and the values
NumPy computes for them, and tensor.random's first values from an independent Python
implementation of Philox4x32-10 and of the mapping documented in
backends/local/runtime/tensor/Philox.h. Run from anywhere; it writes beside itself:

    /usr/bin/python3 test/unit/tensor/golden/make_golden.py   (Debian's python3-numpy)
"""
import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261129)


def save(name, array):
    np.save(os.path.join(HERE, name + ".npy"), np.ascontiguousarray(array))


# Philox4x32-10 (Salmon et al., SC 2011), written from the paper's constants.
M0, M1 = 0xD2511F53, 0xCD9E8D57
W0, W1 = 0x9E3779B9, 0xBB67AE85
MASK = 0xFFFFFFFF


def philox4x32_10(ctr, key):
    c0, c1, c2, c3 = ctr
    k0, k1 = key
    for _ in range(10):
        p0 = M0 * c0
        p1 = M1 * c2
        c0, c1, c2, c3 = ((p1 >> 32) ^ c1 ^ k0) & MASK, p1 & MASK, ((p0 >> 32) ^ c3 ^ k1) & MASK, p0 & MASK
        k0 = (k0 + W0) & MASK
        k1 = (k1 + W1) & MASK
    return c0, c1, c2, c3


def words(seed, stream, i):
    s = seed & 0xFFFFFFFFFFFFFFFF
    return philox4x32_10((i & MASK, i >> 32, stream, 0), (s & MASK, s >> 32))


def uniform(seed, i, stream=0):
    return np.float32((words(seed, stream, i)[0] >> 8) * 2.0**-24)


def normal(seed, i, stream=0):
    w = words(seed, stream, i)
    u1 = ((w[0] >> 8) + 1) * 2.0**-24
    u2 = (w[1] >> 8) * 2.0**-24
    return np.float32(math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2))


# The published known-answer vector of Random123 (kat_vectors: philox4x32 10, zeros).
assert philox4x32_10((0, 0, 0, 0), (0, 0)) == (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)

for seed in (0, 42):
    save(f"random_normal_seed{seed}", np.array([normal(seed, i) for i in range(16)], np.float32))
    save(f"random_uniform_seed{seed}", np.array([uniform(seed, i) for i in range(16)], np.float32))

# matmul: odd sizes, f32 and f64 (the product in float64, rounded once).
a = rng.standard_normal((7, 13)).astype(np.float32)
b = rng.standard_normal((13, 5)).astype(np.float32)
save("matmul_a_f32", a)
save("matmul_b_f32", b)
save("matmul_c_f32", (a.astype(np.float64) @ b.astype(np.float64)).astype(np.float32))
a64 = rng.standard_normal((6, 9))
b64 = rng.standard_normal((9, 11))
save("matmul_a_f64", a64)
save("matmul_b_f64", b64)
save("matmul_c_f64", a64 @ b64)

# Elementwise maps over 37 values (not a multiple of any vector width).
x = np.linspace(-6, 6, 37).astype(np.float32)
save("unary_x", x)
save("sigmoid_y", (1 / (1 + np.exp(-x.astype(np.float64)))).astype(np.float32))
save("tanh_y", np.tanh(x.astype(np.float64)).astype(np.float32))
save("exp_y", np.exp(x.astype(np.float64)).astype(np.float32))
save("log_y", np.log(np.abs(x.astype(np.float64)) + 0.5).astype(np.float32))

# softmax: random rows, a row of huge values, a constant row.
s = rng.standard_normal((5, 9)).astype(np.float32)
s[3] = np.float32(1e4) + np.arange(9, dtype=np.float32)
s[4] = 7.0
sd = s.astype(np.float64)
e = np.exp(sd - sd.max(axis=1, keepdims=True))
save("softmax_x", s)
save("softmax_y", (e / e.sum(axis=1, keepdims=True)).astype(np.float32))

# Least squares: 40 x 3, a known fit plus noise.
lx = rng.standard_normal((40, 3)).astype(np.float32)
ly = (lx.astype(np.float64) @ np.array([1.5, -2.0, 0.25]) + 0.01 * rng.standard_normal(40)).astype(np.float32)
save("lstsq_x", lx)
save("lstsq_y", ly)
save("lstsq_w", np.linalg.lstsq(lx.astype(np.float64), ly.astype(np.float64), rcond=None)[0].astype(np.float32))

# load_npy of every supported dtype.
for dt in ("float32", "float64", "int32", "int64", "uint8", "bool"):
    save(f"dtype_{dt}", (np.arange(6).reshape(2, 3) % 2 == 0) if dt == "bool" else np.arange(6, dtype=dt).reshape(2, 3))
