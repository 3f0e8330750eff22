"""Checks flytec's --diagnostics=json output for Inputs/two_errors.flyte."""
import json
import sys

with open(sys.argv[1], encoding="utf-8") as f:
    diags = json.load(f)
assert isinstance(diags, list), diags
assert len(diags) == 2, diags
keys = {"severity", "code", "message", "file", "line", "column", "end_line", "end_column", "notes"}
for d in diags:
    assert keys <= set(d), sorted(d)
    assert d["severity"] == "error", d
    assert d["file"].endswith("two_errors.flyte"), d
    for k in ("line", "column", "end_line", "end_column"):
        assert isinstance(d[k], int) and d[k] >= 1, (k, d)
    assert isinstance(d["notes"], list), d

first, second = diags
assert first["code"] == "E0001", first
assert first["message"] == "expected ')' to close the parameter list", first
assert (first["line"], first["column"]) == (2, 14), first
assert len(first["notes"]) == 1, first
note = first["notes"][0]
assert note["severity"] == "note", note
assert note["message"] == "to match this '('", note
assert (note["line"], note["column"], note["end_line"], note["end_column"]) == (2, 7, 2, 8), note

assert second["code"] == "E0002", second
assert second["message"].startswith("malformed literal '12x'"), second
assert (second["line"], second["column"], second["end_line"], second["end_column"]) == (3, 24, 3, 27), second
assert second["notes"] == [], second
print("ok")
