#!/usr/bin/env python3
"""Writes a workflow of in-process arithmetic nodes in layers, for the scheduler
overhead benchmark (bench/local_bench.sh): NODES nodes in layers of WIDTH; node i of a
layer reads nodes i and (i + 1) % WIDTH of the layer before. The first layer reads the
workflow input n (x = n + n); later layers alternate `a + b` and `a / b`, so with n >= 1
every layer holds one value (2n, 4n, 1, 2, 1, 2, ...) and nothing overflows or divides by
zero. The workflow `layered` returns the sum of the last layer, WIDTH - 1 more nodes. The same shape is built by bench/tbb_flow_bench.cpp.

    bench/gen_layered.py 100000 100 > /tmp/layered.flyte
    bench/gen_layered.py 1 1 > /tmp/one.flyte       # one node: the baseline
"""
import sys


def main():
    nodes, width = int(sys.argv[1]), int(sys.argv[2])
    layers = max(1, nodes // width)
    out = ["workflow layered(n: int) -> int {"]
    for i in range(width):
        out.append(f"    let x0_{i} = n + n")
    for layer in range(1, layers):
        op = "+" if layer % 2 == 1 else "/"
        for i in range(width):
            a, b = f"x{layer - 1}_{i}", f"x{layer - 1}_{(i + 1) % width}"
            out.append(f"    let x{layer}_{i} = {a} {op} {b}")
    last = layers - 1
    out.append("    return " + " + ".join(f"x{last}_{i}" for i in range(width)))
    out.append("}")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
