#!/usr/bin/env python3
"""Writes one workflow of N task calls for the `flytec check` benchmark: each node
depends on the previous one and on one pseudo-random earlier node.

    bench/gen_nodes.py 100000 > /tmp/nodes.flyte
"""
import sys


def main():
    n = int(sys.argv[1])
    out = [
        'task step(x: int, y: int = 0) -> int { shell "echo $(({x} + {y})) > {o}" }',
        "",
        "workflow big(seed: int) -> int {",
        "    let n0 = step(x = seed)",
    ]
    for i in range(1, n):
        other = (i * 7919) % i if i > 1 else 0
        out.append(f"    let n{i} = step(x = n{i - 1}, y = n{other})")
    out.append(f"    return n{n - 1}")
    out.append("}")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
