#!/usr/bin/env python3
"""Writes a large, valid .flyte program for the parser benchmark.

The text is byte-for-byte what bench/parse_bench.cpp generates in memory (same
pseudo-random generator, same templates), so that `flytec check` on this file shows the
benchmark's input is a valid program:

    bench/gen_workflow.py --lines 100000 -o /tmp/big.flyte
    build/bin/flytec check /tmp/big.flyte        # no diagnostics, exit 0

Each unit holds a struct, an enum, an alias, six tasks (annotations, shell raw
strings), a pipeline workflow (destructuring, field access, `for`, `if`/`else if`,
lists, maps) and a long chain workflow of `let`s mixing calls with named arguments,
arithmetic, branches, maps over lists and struct values. Units are added until the
file has at least the requested number of lines.
"""

import argparse
import sys

MASK64 = (1 << 64) - 1


class Rng:
    """A 64-bit LCG (Knuth's MMIX constants); parse_bench.cpp has the same one."""

    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) & MASK64
        return self.state >> 33

    def below(self, n):
        return self.next() % n


def unit_text(i, rng):
    """One unit: declarations whose names end in `i`."""
    out = []
    w = out.append
    w(f"/// Settings for stage {i}.\n")
    w(f"struct Config{i} {{\n")
    w("    name: string,\n")
    w("    threshold: float,\n")
    w("    sizes: List<int>,\n")
    w("    labels: Map<string, int>,\n")
    w("    timeout: duration,\n")
    w("    mem: size,\n")
    w("}\n\n")
    w(f"enum Mode{i} {{ fast, slow, balanced }}\n\n")
    w(f"type Shards{i} = List<Tensor<f32, [N, D]>>;\n\n")

    w(f"/// Splits the raw data of stage {i} into a training and a test set.\n")
    w(f'@cache(version = "{i}")\n')
    w(f"@retries({rng.below(4)})\n")
    w(f"@timeout({1 + rng.below(59)}m)\n")
    w(f"@resources(cpu = {1 + rng.below(8)}, mem = {1 + rng.below(16)}Gi)\n")
    w(f"task prepare{i}(raw: File, holdout: float = 0.2, seed: int = {i}) -> (train: File, test: File) {{\n")
    w('    shell """\n')
    w("        python3 prep.py --in {raw} --holdout {holdout} --seed {seed} \\\n")
    w("            --train {train} --test {test}\n")
    w('    """\n')
    w("}\n\n")

    w(f"@resources(cpu = 4, mem = {1 + rng.below(64)}Gi, gpu = 1)\n")
    w('@accelerator("nvidia-h100")\n')
    w("@interruptible\n")
    w(f"@checkpoint(every = {1 + rng.below(30)}m)\n")
    w(f"task train{i}(data: File, epochs: int, lr: float, mode: Mode{i} = \"fast\") -> (model: File, loss: float) {{\n")
    w('    shell """\n')
    w("        python3 train.py --data {data} --epochs {epochs} --lr {lr} --mode {mode} \\\n")
    w("            --model {model} --loss {loss}\n")
    w('    """\n')
    w("}\n\n")

    w(f"task score{i}(model: File, data: File) -> float {{\n")
    w('    shell """\n')
    w("        python3 score.py --model {model} --data {data} > {o}\n")
    w('    """\n')
    w("}\n\n")

    w(f"task merge{i}(scores: List<float>) -> float {{\n")
    w('    shell """python3 merge.py {scores} > {o}"""\n')
    w("}\n\n")

    w(f"@timeout({1 + rng.below(900)}s)\n")
    w(f"task step{i}(a: int, b: float) -> int {{\n")
    w('    shell """\n')
    w("        python3 step.py --a {a} --b {b} > {o}\n")
    w('    """\n')
    w("}\n\n")

    w(f"task collect{i}(values: List<int>, weights: Map<string, float>) -> int {{\n")
    w('    shell "python3 collect.py {values} {weights} > {o}"\n')
    w("}\n\n")

    w(f"task configure{i}(cfg: Config{i}, base: int) -> int {{\n")
    w('    shell "python3 configure.py {cfg} {base} > {o}"\n')
    w("}\n\n")

    # A pipeline: destructuring, field access, a map over a list, if / else if / else.
    w(f"@failure_policy(continue)\n")
    w(f"workflow pipeline{i}(raw: File, epochs: int = {1 + rng.below(100)}, lr: float = 0.0{1 + rng.below(9)}) -> (best: float, all: List<float>) {{\n")
    w(f"    let (train, test) = prepare{i}(raw = raw, holdout = 0.{1 + rng.below(9)})\n")
    w(f"    let first = train{i}(data = train, epochs = epochs, lr = lr)\n")
    w(f'    let second = train{i}(data = train, epochs = epochs * 2 + 1, lr = lr / 2.0, mode = "slow")\n')
    w(f"    let s1 = score{i}(model = first.model, data = test)\n")
    w(f"    let s2 = score{i}(model = second.model, data = test)\n")
    w(f"    @concurrency({1 + rng.below(16)})\n")
    w(f"    let sweep = for r in [lr, lr * 10.0, lr / 10.0] {{\n")
    w(f"        let m = train{i}(data = train, epochs = epochs, lr = r)\n")
    w(f"        score{i}(model = m.model, data = test)\n")
    w("    }\n")
    w(f"    let best = if s1 > s2 and s1 >= 0.5 {{\n")
    w("        s1\n")
    w("    } else if s2 > 0.9 or first.loss < second.loss {\n")
    w("        s2\n")
    w("    } else {\n")
    w(f"        merge{i}(scores = sweep)\n")
    w("    }\n")
    w("    return (best = best, all = sweep)\n")
    w("}\n\n")

    # A long chain of bindings, each using the one before.
    w(f"/// A long chain of small steps for stage {i}.\n")
    w(f"workflow chain{i}(start: int, scale: float = 1.5) -> (total: int, ratio: float) {{\n")
    w(f"    let x0 = step{i}(a = start, b = scale)\n")
    n_steps = 20 + rng.below(21)
    for k in range(1, n_steps + 1):
        p = f"x{k - 1}"
        a = 1 + rng.below(1000)
        b = 1 + rng.below(100)
        f = f"{rng.below(10)}.{rng.below(100)}"
        kind = rng.below(8)
        if kind == 0:
            w(f"    let x{k} = step{i}(a = {p} + {a}, b = scale)\n")
        elif kind == 1:
            w(f"    let x{k} = step{i}(a = {p} * {b} - {a}, b = scale * {f}) // scaled\n")
        elif kind == 2:
            w(f"    let x{k} = if {p} > {a} {{ step{i}(a = {p} - {a}, b = scale) }} else {{ {p} + {b} }}\n")
        elif kind == 3:
            w(f"    let x{k} = if {p} >= {a} and {p} != {b} {{\n")
            w(f"        let t{k} = step{i}(a = {p}, b = {f})\n")
            w(f"        t{k} + 1\n")
            w("    } else {\n")
            w(f"        {p} / 2\n")
            w("    }\n")
        elif kind == 4:
            w(f"    @concurrency({1 + rng.below(32)})\n")
            w(f"    let l{k} = for v in [{p}, {a}, {b}] {{\n")
            w(f"        step{i}(a = v, b = scale)\n")
            w("    }\n")
            w(f'    let x{k} = collect{i}(values = l{k}, weights = {{"lo": 0.5, "hi": {f}}})\n')
        elif kind == 5:
            w(f"    let x{k} = configure{i}(\n")
            w(f"        cfg = Config{i} {{\n")
            w(f'            name = "run-{k}",\n')
            w(f"            threshold = {f},\n")
            w(f"            sizes = [{p}, {a}, {b}],\n")
            w(f'            labels = {{"a": {a}, "b": {b}}},\n')
            w(f"            timeout = {b}s,\n")
            w(f"            mem = {a}Mi,\n")
            w("        },\n")
            w(f"        base = {p},\n")
            w("    )\n")
        elif kind == 6:
            w(f"    @retries({rng.below(5)})\n")
            w(f"    let x{k} = step{i}(\n")
            w(f"        a = ({p} + {a}) * {b} - -{b},\n")
            w(f"        b = scale + {f},\n")
            w("    )\n")
        else:
            w(f"    /* keep {p} in range */\n")
            w(f"    let x{k} = step{i}(a = -{a} + {p} * 2 - ({b} / 3), b = -1.5)\n")
    w(f"    return (total = x{n_steps}, ratio = scale * 2.0)\n")
    w("}\n\n")

    if i % 10 == 0:
        w(f'@schedule(cron = "{rng.below(60)} {rng.below(24)} * * *")\n')
        w(f'launch nightly{i} = pipeline{i}(raw = "/data/stage{i}.csv", epochs = {1 + rng.below(50)});\n\n')
    return "".join(out)


def generate(lines, seed=1):
    """The program: a header, then units until there are at least `lines` lines."""
    rng = Rng(seed)
    parts = ["/// A generated program for the parser benchmark.\n",
             "module bench.generated;\n\n"]
    count = sum(p.count("\n") for p in parts)
    i = 0
    while count < lines:
        u = unit_text(i, rng)
        parts.append(u)
        count += u.count("\n")
        i += 1
    return "".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=100000, help="at least this many lines")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--output", default="-", help="output file ('-': stdout)")
    args = ap.parse_args()
    text = generate(args.lines, args.seed)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)


if __name__ == "__main__":
    main()
