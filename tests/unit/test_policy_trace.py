"""The policy trace covers every numbered clause and names only tests that exist."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRACE = (ROOT / "docs" / "policy-trace.md").read_text()
GROUP_POLICY = (ROOT.parent / "shared" / "policies" / "seetec-group-compliments-and-complaints-policy.txt")
CLAUSE = re.compile(r"^(\d+\.\d+\.\d+|1\.0)\s", re.M)  # clauses; two-part numbers are section headings
TEST_NAME = re.compile(r"`(?:test_)?([a-z][a-z0-9]*(?:_[a-z0-9]+){3,})(?:\[[^\]`]*\])?`")


def defined_tests() -> set[str]:
    names = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        names.update(re.findall(r"^\s*def test_(\w+)", path.read_text(), re.M))
    return names


def traced_clauses() -> set[str]:
    traced = set()
    for row in re.findall(r"^\| ([\d.\-– ,]+?) \|", TRACE, re.M):
        for part in re.split(r"[, ]+", row.strip()):
            traced.update(_expand(part))
    return traced


def _expand(part: str) -> set[str]:
    if "-" not in part and "–" not in part:
        return {part}
    first, last = re.split(r"[-–]", part)
    prefix, start, end = first.rsplit(".", 1)[0], int(first.rsplit(".", 1)[1]), int(last.rsplit(".", 1)[1])
    return {f"{prefix}.{n}" for n in range(start, end + 1)}


def test_every_numbered_clause_of_the_group_policy_has_a_row_in_the_trace():
    clauses = set(CLAUSE.findall(GROUP_POLICY.read_text()))
    assert clauses, "no clauses found in the group policy"
    assert sorted(clauses - traced_clauses(), key=lambda c: [int(x) for x in c.split(".")]) == []


def test_the_trace_covers_the_seetec_training_policy():
    assert "# Part 2 — Seetec Training policy" in TRACE
    for rule in ("Acknowledge", "20 working days", "30 working days", "interim", "PSRD", "appeal", "survey",
                 "third part", "mediation", "unacceptable behaviour"):
        assert rule.lower() in TRACE.lower(), rule


def test_every_test_named_in_the_trace_exists():
    last_cells = [row.rstrip().rstrip("|").rsplit("|", 1)[-1] for row in TRACE.splitlines() if row.startswith("|")]
    named = {m.group(1) for cell in last_cells for m in TEST_NAME.finditer(cell)}
    tests = defined_tests()
    looks_like_tests = {n for n in named if n.count("_") >= 4}
    missing = sorted(n for n in looks_like_tests if n not in tests and n.removeprefix("test_") not in tests)
    assert len(looks_like_tests) > 100
    assert missing == []
