#!/usr/bin/env python3
"""Writes a workflow of N independent trivial shell tasks and one join task over all
of their results, for the local runtime benchmark (bench/local_bench.sh).

    bench/gen_fanout.py 200 > /tmp/fanout.flyte   # workflow `fanout`, no inputs
"""
import sys


def main():
    n = int(sys.argv[1])
    out = [
        'task t(i: int) -> int { shell """echo {i} > {o}""" }',
        'task join(xs: List<int>) -> int { shell """wc -c < {xs} > {o}""" }',
        "",
        "workflow fanout() -> int {",
    ]
    out += [f"    let a{k} = t(i = {k})" for k in range(n)]
    out.append("    return join(xs = [" + ", ".join(f"a{k}" for k in range(n)) + "])")
    out.append("}")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
