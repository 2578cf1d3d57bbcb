"""`benchlog validate`: check every result file and report one line per problem."""

from pathlib import Path

from benchlog.format.load import load_results


def validate(results_dir, out):
    """Print each problem as `path: field: message`; return the number of problems."""
    root = Path(results_dir)
    if not root.is_dir():
        print(f"{root}: not a folder (give the results folder, e.g. results/)", file=out)
        return 1
    results = load_results(root)
    for problem in results.problems:
        print(problem, file=out)
    print(f"{results.files} files checked: {len(results.machines)} machines, {len(results.runs)} runs, {len(results.roofs)} roofs, "
          f"{len(results.problems)} problems", file=out)
    return len(results.problems)
