"""Which runs answer for what: a run's workload (model, batch, sequence), the order pages list workloads in, and
per machine and workload the run that speaks for it (analysis/headline.py). Pure functions over loaded results."""

from benchlog.analysis import headline

# The TIL's workload: the comparison shows it first. The TIL's own tables state the model but not the batch or
# sequence length, so a transcribed run of this model with an unstated workload is shown with it.
TIL_MODEL = "distilbert-base-multilingual-cased"
TIL_WORKLOAD = (TIL_MODEL, 1, 128)


def workload_of(run):
    """(model, batch size, sequence length): what the comparison puts side by side."""
    w, model = run.doc["workload"], run.doc["model"]["name"]
    batch, seq = w.get("batch_size"), w.get("seq_len")
    if run.transcribed and batch is None and seq is None and model == TIL_MODEL:
        return TIL_WORKLOAD
    return (model, batch, seq)


def comparison_sections(results):
    """[(workload key, runs)], the TIL's workload first, then the others by how many machines ran them.
    Per machine and workload: every transcribed run (each is one table of its source) and the measured run that
    speaks for it (report/headline.py): a quick, noisy or incomplete run only where nothing better exists."""
    transcribed, measured = {}, {}
    for run in results.runs:
        key = (workload_of(run), run.machine_id)
        (transcribed if run.transcribed else measured).setdefault(key, []).append(run)
    sections = {}
    for (workload, _), runs in [*transcribed.items(), *((k, [headline.best_run(r)]) for k, r in measured.items())]:
        sections.setdefault(workload, []).extend(runs)
    # A workload only sweeps reached is a point of those sweeps: the sweeps' own section shows it, one chart set per
    # sweep rather than one per grid point.
    sections = {k: runs for k, runs in sections.items() if not all(in_sweep(r) for r in runs)}
    order = workload_order(sections, lambda k: len({r.machine_id for r in sections[k]}))
    return [(k, sorted(sections[k], key=lambda r: (r.machine_id, r.transcribed is False, r.id))) for k in order]


def in_sweep(run):
    return (run.doc.get("sweep") or {}).get("id") is not None


def workload_order(keys, machines):
    """The order pages list workloads in: the TIL's first, then by how many machines ran them (`machines(key)`),
    then by model and numbers."""
    return sorted(keys, key=lambda k: (k != TIL_WORKLOAD, -machines(k), _workload_order(k)))


def machine_workloads(results):
    """{machine id: [(workload key, the run that speaks for it)]}, workloads in the pages' order: the answer every
    page names for a machine on a workload (report/headline.py), measured or transcribed."""
    by = {}
    for run in results.runs:
        by.setdefault(run.machine_id, {}).setdefault(workload_of(run), []).append(run)
    counts = {}
    for workloads in by.values():
        for key in workloads:
            counts[key] = counts.get(key, 0) + 1
    return {machine_id: [(key, headline.best_run(workloads[key]))
                         for key in workload_order(workloads, counts.get)]
            for machine_id, workloads in sorted(by.items())}


def _workload_order(key):
    """Model name, then batch and sequence as numbers (sequence 16, 32, 64, 256, not 16, 256, 32)."""
    return (str(key[0]), *(v if isinstance(v, (int, float)) else -1 for v in key[1:]))


def headline_runs(results):
    """Per machine, the run of its first workload (the TIL's where it ran it) that speaks for it."""
    return [workloads[0][1] for workloads in machine_workloads(results).values()]
