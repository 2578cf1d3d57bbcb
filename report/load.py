"""Reads results/<machine>/*.json: parse, refuse newer formats, migrate older ones, validate, and cross-check."""

import json
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema

from .errors import ResultFileError
from .migrate import migrate
from .schema import FORMAT_VERSION, SCHEMAS


@dataclass
class Machine:
    id: str
    doc: dict
    path: Path

    @property
    def label(self):
        return self.doc["label"]

    @property
    def cpu(self):
        return self.doc["cpu"]

    @property
    def transcribed(self):
        return self.doc.get("source", {}).get("kind") == "transcribed"


@dataclass
class Run:
    id: str
    doc: dict
    path: Path

    @property
    def machine_id(self):
        return self.doc["machine_id"]

    @property
    def variants(self):
        return self.doc["variants"]

    @property
    def transcribed(self):
        return self.doc["source"]["kind"] == "transcribed"

    @property
    def label(self):
        if self.doc.get("label"):
            return self.doc["label"]
        quick = " · quick" if self.doc["workload"].get("quick") else ""
        incomplete = "" if self.doc["complete"] else " · incomplete"
        return f"{self.doc['started_at'][:10]} · {self.doc['model']['name']}{quick}{incomplete}"


@dataclass
class Results:
    machines: dict = field(default_factory=dict)
    runs: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    def runs_of(self, machine_id):
        return [r for r in self.runs if r.machine_id == machine_id]

    def run(self, machine_id, run_id):
        for r in self.runs_of(machine_id):
            if r.id == run_id:
                return r
        return None


def read_document(path, kind):
    """Parse one file and bring it to the current format; raise ResultFileError naming the file and field."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultFileError(path, None, f"cannot be read ({exc.__class__.__name__}: {exc})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResultFileError(path, None, f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                                          "it may be truncated") from None
    if not isinstance(doc, dict):
        raise ResultFileError(path, None, f"must hold a JSON object, not {_type_name(doc)}")
    version = doc.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ResultFileError(path, "format_version", f"must be a whole number >= 1, got {_show(version)}")
    if version > FORMAT_VERSION:
        raise ResultFileError(path, "format_version",
                              f"{version} is newer than this benchlog reads ({FORMAT_VERSION}); "
                              "upgrade benchlog (git pull, then the README's set-up) to read it")
    if version < FORMAT_VERSION:
        doc = migrate(doc)
    errors = schema_problems(path, doc, kind)
    if errors:
        raise ResultFileError.group(errors)
    return fill_defaults(doc, SCHEMAS[kind])


def fill_defaults(value, schema):
    """Give every optional field its empty value (None, [], {}), so readers need no `.get` and typos still fail."""
    if isinstance(value, dict) and "properties" in schema:
        for name, sub in schema["properties"].items():
            if name not in value:
                value[name] = _empty(sub)
            value[name] = fill_defaults(value[name], sub)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        value[:] = [fill_defaults(item, schema["items"]) for item in value]
    return value


def _empty(schema):
    kind = schema.get("type")
    if kind == "object" or (kind is None and "properties" in schema):
        return {}
    if kind == "array":
        return []
    return None


def schema_problems(path, doc, kind):
    """Every schema violation of `doc`, as ResultFileErrors sorted by field."""
    validator = jsonschema.Draft202012Validator(SCHEMAS[kind])
    errors = [_to_problem(path, e) for e in validator.iter_errors(doc)]
    return sorted(errors, key=lambda e: e.field or "")


def _to_problem(path, error):
    where = _field_path(error.absolute_path)
    kind = error.validator
    if kind == "required":
        missing = [f for f in error.validator_value if f not in error.instance]
        name = missing[0] if missing else "?"
        return ResultFileError(path, _join(where, name), "is missing (required)")
    if kind == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return ResultFileError(path, _join(where, extra[0] if extra else "?"), "is not a known field")
    if kind == "type":
        wanted = error.validator_value
        wanted = " or ".join(map(TYPE_WORDS.get, wanted)) if isinstance(wanted, list) else TYPE_WORDS[wanted]
        got = "null" if error.instance is None else f"{_type_name(error.instance)} {_show(error.instance)}"
        return ResultFileError(path, where or "(top level)", f"must be {wanted}, got {got}")
    if kind in ("enum", "const"):
        allowed = error.validator_value if kind == "enum" else [error.validator_value]
        return ResultFileError(path, where, f"must be one of {', '.join(map(_show, allowed))}, "
                                            f"got {_show(error.instance)}")
    if kind == "pattern":
        return ResultFileError(path, where, f"{_show(error.instance)} must be lower-case letters, digits, "
                                            "'.', '_' or '-' (it names a folder and a page)")
    return ResultFileError(path, where, error.message)


TYPE_WORDS = {"number": "a number", "integer": "a whole number", "string": "a string", "object": "an object",
              "array": "a list", "boolean": "true or false", "null": "null"}


def _field_path(parts):
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _join(where, name):
    return f"{where}.{name}" if where else name


def _type_name(value):
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _show(value):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def load_results(results_dir):
    """Load every machine and run under `results_dir`; bad files become `problems` and are left out."""
    results = Results()
    root = Path(results_dir)
    if not root.is_dir():
        return results
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        _load_machine_folder(folder, results)
    return results


def _load_machine_folder(folder, results):
    machine_path = folder / "machine.json"
    if not machine_path.exists():
        results.problems.append(ResultFileError(machine_path, None, "is missing; every results/<machine>/ "
                                                "folder needs one (benchlog run writes it)"))
        return
    try:
        machine = Machine(folder.name, read_document(machine_path, "machine"), machine_path)
        _check_claim(machine_path, machine.doc["machine_id"])
    except ResultFileError as exc:
        results.problems.extend(exc.problems)
        return
    results.machines[machine.id] = machine
    for path in sorted(folder.glob("*.json")):
        if path.name != "machine.json":
            _load_run(path, machine, results)


def _load_run(path, machine, results):
    try:
        doc = read_document(path, "run")
        _check_claim(path, doc["machine_id"])
        cpu = doc.get("cpu_model")
        if cpu is not None and cpu != machine.cpu["model"]:
            raise ResultFileError(path, "cpu_model", f"{_show(cpu)} differs from {_show(machine.cpu['model'])} in "
                                  f"{machine.path}: two CPUs claim machine id '{machine.id}'; "
                                  "move this run to its own machine id")
        _check_unique_variants(path, doc["variants"])
    except ResultFileError as exc:
        results.problems.extend(exc.problems)
        return
    results.runs.append(Run(path.stem, doc, path))
    results.runs.sort(key=lambda r: (r.machine_id, r.doc["started_at"], r.id))


def _check_claim(path, claimed):
    folder = Path(path).parent
    if claimed != folder.name:
        raise ResultFileError(path, "machine_id", f"says '{claimed}' but the file is in {folder}/; "
                                                  "the folder name is the machine id")


def _check_unique_variants(path, variants):
    seen = set()
    for i, variant in enumerate(variants):
        if variant["id"] in seen:
            raise ResultFileError(path, f"variants[{i}].id", f"'{variant['id']}' appears twice in this run")
        seen.add(variant["id"])
