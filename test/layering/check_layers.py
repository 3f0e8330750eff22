#!/usr/bin/env python3
"""Checks the project's layering (docs/architecture.md): each library includes only the
libraries below it. Scans the `#include "..."` lines of every source and header under the
library folders and prints each include that breaks a rule; exits 1 if there is one.

    check_layers.py [SOURCE_ROOT]
"""
import os
import re
import sys

# Library folders, most specific first, and what each may include besides itself.
# Generated headers (the ANTLR parser, flyte_ir.pb.h) belong to the folder that
# generates them.
LAYERS = [
    ("support", []),
    ("ir/diag", ["support"]),
    ("ir", ["support", "ir/diag"]),
    ("frontend", ["support", "ir/diag", "ir", "stdlib", "grammar"]),
    ("stdlib", ["support"]),
    ("passes", ["support", "ir/diag", "ir"]),
    ("graph", ["support", "ir/diag", "ir"]),
    ("cpptask", ["support", "ir/diag", "ir"]),
    ("backends/local/runtime", ["support", "ir"]),
    ("driver", ["support", "ir/diag", "ir", "frontend", "stdlib", "passes", "graph", "cpptask"]),
    ("backends/local", ["support", "ir/diag", "ir", "passes", "cpptask", "driver",
                        "backends/local/runtime"]),
    ("backends/slurm", ["support", "ir/diag", "ir", "passes", "driver"]),
    ("backends/k8s", ["support", "ir/diag", "ir", "passes", "driver"]),
    ("tools", ["support", "ir/diag", "ir", "frontend", "stdlib", "passes", "graph", "cpptask", "driver",
               "backends/local", "backends/slurm", "backends/k8s"]),
]
GENERATED = {"FlyteParser.h": "grammar", "FlyteLexer.h": "grammar", "FlyteBaseVisitor.h": "grammar",
             "FlyteVisitor.h": "grammar", "flyte_ir.pb.h": "ir"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of(path):
    for name, _ in LAYERS:
        if path == name or path.startswith(name + "/"):
            return name
    return None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    root = os.path.abspath(root)
    allowed = dict(LAYERS)
    problems, checked = [], 0
    for name, _ in LAYERS:
        top = os.path.join(root, name)
        for dirpath, _, files in os.walk(top):
            for f in files:
                if not f.endswith((".cpp", ".h", ".def")):
                    continue
                path = os.path.relpath(os.path.join(dirpath, f), root)
                if layer_of(path) != name:
                    continue  # a more specific layer owns it
                checked += 1
                for n, line in enumerate(open(os.path.join(root, path), errors="replace"), 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    target = m.group(1)
                    to = GENERATED.get(target) or layer_of(target)
                    if to is None or to == name or to in allowed[name]:
                        continue
                    problems.append("%s:%d: %s may not include '%s' (%s)" % (path, n, name, target, to))
    for p in problems:
        print(p)
    print("%d files checked, %d layering violations" % (checked, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
