"""Checks flytec's --diagnostics=sarif output for Inputs/two_errors.flyte."""
import json
import sys

with open(sys.argv[1], encoding="utf-8") as f:
    log = json.load(f)
assert log["version"] == "2.1.0", log.get("version")
assert len(log["runs"]) == 1, log["runs"]
run = log["runs"][0]
driver = run["tool"]["driver"]
assert driver["name"] == "flytec", driver["name"]

codes = ["E0001", "E0002", "E0101", "E0102", "E0103", "E0104", "E0105", "E0106",
         "E0201", "E0202", "E0203", "E0301", "E0302", "E0303", "E0304", "E0305",
         "E0306", "E0307", "E0401", "E0402", "E0403", "E0501", "E0502", "E0503",
         "E0504", "E0601", "E0602", "E0603", "E0604", "W0001", "W0002", "W0003", "W0004", "W0005"]
rule_ids = [r["id"] for r in driver["rules"]]
missing = [c for c in codes if c not in rule_ids]
assert not missing, missing
assert len(rule_ids) == len(set(rule_ids)), rule_ids

results = run["results"]
assert [r["ruleId"] for r in results] == ["E0001", "E0002"], results
for r in results:
    assert r["level"] == "error", r
    assert r["message"]["text"], r
    loc = r["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].endswith("two_errors.flyte"), loc
    if "ruleIndex" in r:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"], r
region0 = results[0]["locations"][0]["physicalLocation"]["region"]
assert (region0["startLine"], region0["startColumn"]) == (2, 14), region0
region1 = results[1]["locations"][0]["physicalLocation"]["region"]
assert (region1["startLine"], region1["startColumn"]) == (3, 24), region1
assert results[1]["message"]["text"].startswith("malformed literal '12x'"), results[1]
print("ok")
