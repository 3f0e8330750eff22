"""Fails when a diagnostic code has no `// expected-… {{CODE` test under a lit folder.

usage: code_coverage.py DiagnosticCodes.def TEST_ROOT [EXEMPT_CODE ...]
"""
import pathlib
import re
import sys

codes = re.findall(r"^DIAG\((\w+),", pathlib.Path(sys.argv[1]).read_text(), re.M)
exempt = set(sys.argv[3:])
seen = set()
verify = re.compile(r"expected-(?:error|warning)(?:@[+-]?\d+)?\s*\{\{\s*([EW]\d{4})")
for path in pathlib.Path(sys.argv[2]).rglob("*.flyte"):
    text = path.read_text(errors="replace")
    if "--verify" not in text:
        continue
    seen.update(verify.findall(text))
missing = [c for c in codes if c not in seen and c not in exempt]
if not codes:
    sys.exit("no codes found in " + sys.argv[1])
if missing:
    sys.exit("codes without a --verify test: " + ", ".join(missing))
print(f"{len(codes) - len(exempt)} codes covered by --verify tests")
