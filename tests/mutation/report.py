"""Print `make mutation`'s score per file of mentorapp/matching/ and every surviving mutant.

Reads what `mutmut run` left in mutants/ (a .meta file of exit codes per mutated file).
A mutant is killed when the tests fail against it (or time out, or crash); it survives
when they pass. Survivors listed in mutation-survivors.txt (beside pyproject.toml) are
known equivalent mutants, with why; any other survivor is printed as NEW: a gap in the
tests to close, or an equivalent mutant to add to that file with its reason.

Exits 1 when a file scores under 90% or a survivor is not listed, 0 otherwise.
"""

from __future__ import annotations

import ast
import difflib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MUTATED = ROOT / "mutants" / "mentorapp" / "matching"
LISTED = ROOT / "mutation-survivors.txt"
TARGET = 90.0

SURVIVED, NO_TESTS, NOT_CHECKED = {0}, {5, 33}, {None, 2, 34}


def listed_survivors() -> dict[str, str]:
    """Mutant name -> why it is equivalent, from mutation-survivors.txt."""
    reasons = {}
    for line in LISTED.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, why = line.partition(" ")
            reasons[name] = why.strip()
    return reasons


def functions(source: str) -> dict[str, str]:
    """Every function of a mutated file by name: the original and each mutant."""
    lines = source.splitlines()
    return {
        node.name: "\n".join(lines[node.lineno - 1 : node.end_lineno])
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def changed_line(found: dict[str, str], mutant: str) -> str:
    """The mutant's change, as `- before   + after` (its first changed lines)."""
    function = mutant.rsplit(".", 1)[1]
    original = function.rsplit("__mutmut_", 1)[0] + "__mutmut_orig"
    if function not in found or original not in found:
        return "(source not found)"
    before, after = found[original].splitlines()[1:], found[function].splitlines()[1:]
    diff = list(difflib.unified_diff(before, after, lineterm="", n=0))[2:]
    removed = next((line[1:].strip() for line in diff if line.startswith("-")), "")
    added = next((line[1:].strip() for line in diff if line.startswith("+")), "")
    return f"- {removed}   + {added}"


def main() -> int:
    metas = sorted(MUTATED.glob("*.py.meta"))
    if not metas:
        print("No results in mutants/: run `make mutation` first.")
        return 1
    listed = listed_survivors()
    rows, survivors, failed = [], [], False
    for meta in metas:
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        if not codes:
            continue
        found = functions(meta.with_suffix("").read_text(encoding="utf-8"))
        alive = sorted(k for k, v in codes.items() if v in SURVIVED | NO_TESTS)
        unchecked = sum(1 for v in codes.values() if v in NOT_CHECKED)
        killed = len(codes) - len(alive) - unchecked
        score = 100.0 * killed / len(codes)
        failed |= score < TARGET or unchecked > 0
        rows.append(
            (meta.name.removesuffix(".meta"), len(codes), killed, len(alive), unchecked, score)
        )
        for name in alive:
            how = "no test runs it" if codes[name] in NO_TESTS else "survived"
            survivors.append((name, how, changed_line(found, name)))

    print(f"{'file':<14}{'mutants':>9}{'killed':>8}{'alive':>7}{'unrun':>7}{'score':>9}")
    for file, total, killed, alive, unchecked, score in rows:
        mark = "" if score >= TARGET else f"   < {TARGET:.0f}%"
        print(f"{file:<14}{total:>9}{killed:>8}{alive:>7}{unchecked:>7}{score:>8.1f}%{mark}")

    new = [s for s in survivors if s[0] not in listed]
    print(
        f"\nSurviving mutants: {len(survivors)} ({len(survivors) - len(new)} listed as equivalent"
        f" in {LISTED.name}, {len(new)} new)"
    )
    for name, how, change in survivors:
        tag = "equivalent" if name in listed else f"NEW, {how}"
        print(f"  {name}  [{tag}]\n      {change}")
        if name in listed:
            print(f"      why: {listed[name]}")
    stale = sorted(set(listed) - {s[0] for s in survivors})
    if stale:
        print(f"\nListed in {LISTED.name} but killed or gone now (remove them): {', '.join(stale)}")
    return 1 if failed or new else 0


if __name__ == "__main__":
    sys.exit(main())
