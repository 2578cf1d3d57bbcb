"""The mutation score of the analysis and format code, from mutmut's results (`make mutants` runs both).

    python tests/mutation_score.py [--survivors]

Per module: mutants, killed (a test failed, or hung past mutmut's timeout), survived, no tests (no selected test
calls the function), and the score = killed / all. Mutants listed in tests/mutants-equivalent.txt (name, then why
the change cannot be observed) are counted apart, and the adjusted score leaves them out. --survivors prints the
name of every survivor that is not listed there.
"""

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KILLED = {1, 3, 24, -24, 36, 152, 255}  # 3: pytest's internal error; the others: timeouts (a hang is detected)
SURVIVED = {0}
NO_TESTS = {5, 33}
EQUIVALENT_FILE = ROOT / "tests/mutants-equivalent.txt"


def equivalent_names():
    names = {}
    for line in EQUIVALENT_FILE.read_text().splitlines() if EQUIVALENT_FILE.exists() else []:
        if line.strip() and not line.startswith("#"):
            name, _, why = line.partition(" ")
            names[name] = why.strip()
    return names


def main(argv):
    metas = sorted((ROOT / "mutants").glob("**/*.py.meta"))
    if not metas:
        sys.exit("no results under mutants/: run `make mutants` (or .venv/bin/mutmut run) first")
    equivalent = equivalent_names()
    counts, survivors = defaultdict(Counter), []
    for meta in metas:
        module = meta.relative_to(ROOT / "mutants").as_posix()[:-len(".meta")]
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            if name in equivalent and code in SURVIVED:
                kind = "equivalent"
            else:
                kind = ("killed" if code in KILLED else "survived" if code in SURVIVED else
                        "no tests" if code in NO_TESTS else "skipped" if code == 34 else "not checked")
            counts[module][kind] += 1
            if kind in ("survived", "no tests"):
                survivors.append(name)
    print(f"{'module':34} {'mutants':>8} {'killed':>7} {'survived':>9} {'no tests':>9} {'equiv.':>7} {'score':>7}")
    total = Counter()
    for module, c in sorted(counts.items()):
        total.update(c)
        print(_row(module, c))
    print(_row("all", total))
    adjusted = total["killed"] / max(1, sum(total.values()) - total["equivalent"] - total["skipped"])
    print(f"\nscore {_score(total):.1%} of all mutants; {adjusted:.1%} without the {total['equivalent']} listed as "
          f"equivalent in {EQUIVALENT_FILE.relative_to(ROOT)}")
    if total["not checked"]:
        print(f"{total['not checked']} mutants were not checked (an interrupted run): run `make mutants` again")
    if "--survivors" in argv:
        print("\n".join(["", "survivors:", *survivors]))
    return 0


def _score(c):
    return c["killed"] / max(1, sum(c.values()) - c["skipped"])


def _row(module, c):
    return (f"{module:34} {sum(c.values()):8} {c['killed']:7} {c['survived']:9} {c['no tests']:9} "
            f"{c['equivalent']:7} {_score(c):7.1%}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
