"""Reads results/<machine>/*.json: parse, refuse newer formats, migrate older ones, validate, and cross-check."""

import json
import math
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import fastjsonschema
import jsonschema

from benchlog.format.errors import ResultFileError
from benchlog.format.migrate import migrate
from benchlog.format.schema import (FORMAT_VERSION, INT64, MAX_DEPTH, MAX_FILE_BYTES, MAX_LATENCY_MS, MIN_LATENCY_MS, RUN_ID_PATTERN,
                     SCHEMAS)


@dataclass
class Machine:
    id: str
    doc: dict
    path: Path
    display: str = None  # the label, or "label · id" where two machines share a label (set by load_results)

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


@dataclass
class Results:
    machines: dict = field(default_factory=dict)
    runs: list = field(default_factory=list)
    roofs: list = field(default_factory=list)  # Run objects of kind "roof" (benchlog roof), oldest first
    problems: list = field(default_factory=list)
    files: int = 0  # result files read (valid or not)

    def runs_of(self, machine_id):
        return [r for r in self.runs if r.machine_id == machine_id]

    def roofs_of(self, machine_id):
        return [r.doc for r in self.roofs if r.machine_id == machine_id]

    def run(self, machine_id, run_id):
        for r in self.runs_of(machine_id):
            if r.id == run_id:
                return r
        return None


class _BadNumber:
    """Stands in for a number a result file may not hold (NaN, Infinity, beyond 64 bits) until its field is named."""

    def __init__(self, text):
        self.text = text if len(text) <= 24 else f"{text[:12]}…({len(text)} characters)"


def _parse_int(text):
    value = int(text) if len(text) <= 20 else None  # never convert a 5,000-digit integer
    return value if value is not None and -INT64 - 1 <= value <= INT64 else _BadNumber(text)


def _parse_float(text):
    value = float(text)
    return value if math.isfinite(value) else _BadNumber(text)


def parse_json(path, data):
    """The JSON value in `data` (bytes); every way it can be unusable becomes a ResultFileError naming the field."""
    try:
        doc = json.loads(data.decode("utf-8"), parse_int=_parse_int, parse_float=_parse_float,
                         parse_constant=_BadNumber)
    except UnicodeDecodeError as exc:
        raise ResultFileError(path, None, f"is not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ResultFileError(path, None, f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                                          "it may be truncated") from None
    except RecursionError:
        raise ResultFileError(path, None, f"nests deeper than {MAX_DEPTH} levels") from None
    where = _deeper_than(doc, MAX_DEPTH)
    if where is not None:
        raise ResultFileError(path, where or None, f"nests deeper than {MAX_DEPTH} levels")
    for where, value in _walk(doc):
        if isinstance(value, _BadNumber):
            raise ResultFileError(path, where or "(top level)",
                                  f"must be a finite number within 64 bits, got {value.text}")
        if isinstance(value, str):
            _check_visible(path, where, value)
    return doc


# Characters that do not show, or that reorder what shows: with one, a label can pass as another machine's
# ("Xeon" + U+200B) or a note can read backwards. Line breaks and tabs are allowed (notes have them).
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}
INVISIBLE_EXTRA = {"\u034f", "\u115f", "\u1160", "\u3164", "\uffa0"}  # grapheme joiner, Hangul fillers


ASCII_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # the ASCII controls (Cc) but tab and line feed


def invisible_character(text):
    """(position, character) of the first character in `text` that does not show, or None."""
    if text.isascii():  # most text in a result file: one regex search instead of a lookup per character
        found = ASCII_INVISIBLE.search(text)
        return (found.start(), found.group()) if found else None
    for i, char in enumerate(text):
        if char not in "\n\t" and (unicodedata.category(char) in INVISIBLE_CATEGORIES or char in INVISIBLE_EXTRA):
            return i, char
    return None


def _check_visible(path, where, text):
    found = invisible_character(text)
    if found:
        i, char = found
        name = unicodedata.name(char, "a control character")
        raise ResultFileError(path, where or "(top level)", f"holds an invisible character, U+{ord(char):04X} "
                              f"({name}), at character {i + 1}: text in a result file must read as it looks")


def _walk(value, where=""):
    """(field path, value) of every value in a document already known to be shallow; a field's name is yielded
    as a value of its own, so names are checked like text."""
    yield where, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield _join(where, str(key)), key
            yield from _walk(item, _join(where, str(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{where}[{i}]")


def _deeper_than(doc, limit):
    """The field path of the first value nested deeper than `limit`, or None (iterative: no recursion limit)."""
    stack = [(doc, 1, "")]
    while stack:
        value, depth, where = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > limit:
                return where
            items = value.items() if isinstance(value, dict) else ((f"[{i}]", v) for i, v in enumerate(value))
            for key, item in items:
                sub = f"{where}{key}" if key.startswith("[") else _join(where, key)
                stack.append((item, depth + 1, sub))
    return None


def read_bytes(path):
    """The bytes of a regular file of at most MAX_FILE_BYTES: never opens a FIFO or device, never reads a flood."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise ResultFileError(path, None, f"cannot be read ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise ResultFileError(path, None, "is not a regular file (a FIFO, device or folder); only files are read")
    if info.st_size > MAX_FILE_BYTES:
        raise ResultFileError(path, None, f"is {info.st_size:,} bytes; a result file may hold at most "
                                          f"{MAX_FILE_BYTES:,}")
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ResultFileError(path, None, f"cannot be read ({exc.strerror})") from None
    if len(data) > MAX_FILE_BYTES:
        raise ResultFileError(path, None, f"holds more than {MAX_FILE_BYTES:,} bytes")
    return data


def read_document(path, kind):
    """Parse one file and bring it to the current format; raise ResultFileError naming the file and field."""
    doc = parse_json(path, read_bytes(path))
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
        try:
            doc = migrate(doc)
        except Exception as exc:  # an old file of any shape: a problem line, never a traceback
            raise ResultFileError(path, "format_version", f"{version}: the file does not have the shape of that "
                                  f"version and cannot be upgraded ({exc.__class__.__name__}: {exc})") from None
    errors = schema_problems(path, doc, kind)
    if errors:
        raise ResultFileError.group(errors)
    for field in ("started_at", "finished_at"):
        if doc.get(field) is not None:
            check_time(path, field, doc[field])
    return fill_defaults(doc, SCHEMAS[kind])


UTC_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z)?")
CLOCK_SKEW = timedelta(days=1)


def check_time(path, field, text):
    """A real UTC time (or, for a transcribed post, a date), not in the future beyond a day of clock skew: times
    order runs and pick the newest, so 'notadate' or '9999-…' must not win a slot."""
    try:
        if not UTC_TIME.fullmatch(text):
            raise ValueError
        when = datetime.fromisoformat(text.replace("Z", "+00:00") if "T" in text else text + "T00:00:00+00:00")
    except ValueError:
        raise ResultFileError(path, field, f"must be a UTC time such as 2026-12-02T18:42:07Z, got {_show(text)}") \
            from None
    if when > datetime.now(timezone.utc) + CLOCK_SKEW:
        raise ResultFileError(path, field, f"{_show(text)} is in the future")


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


_FAST = {}


def fast_valid(doc, kind):
    """True when `doc` is valid for the `kind` schema, checked by a validator fastjsonschema compiles from it
    (~25x faster than jsonschema: a 13-variant run in 0.3 ms instead of 8 ms, which is most of the load time of
    500 runs). False only means "ask jsonschema": its errors are the ones users read."""
    if kind not in _FAST:
        _FAST[kind] = fastjsonschema.compile(SCHEMAS[kind])
    try:
        _FAST[kind](doc)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def schema_problems(path, doc, kind):
    """Every schema violation of `doc`, as ResultFileErrors sorted by field."""
    if fast_valid(doc, kind):
        return []
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
    if "propertyNames" in error.schema_path:  # jsonschema reports a too-long field name as the name's own error
        return ResultFileError(path, where, f"has a field name of {len(str(error.instance)):,} characters; at most "
                                            f"{error.validator_value:,} are allowed")
    if kind in ("maxLength", "minLength"):
        return ResultFileError(path, where, f"is {len(error.instance):,} characters; the limit is "
                                            f"{'at most' if kind == 'maxLength' else 'at least'} "
                                            f"{error.validator_value:,}")
    if kind in ("maxItems", "maxProperties"):
        return ResultFileError(path, where, f"has {len(error.instance):,} entries; at most {error.validator_value:,} "
                                            "are allowed")
    if kind in ("minimum", "maximum") and error.schema.get("minimum") == MIN_LATENCY_MS and \
            error.schema.get("maximum") == MAX_LATENCY_MS:
        return ResultFileError(path, where, f"must be a latency from {MIN_LATENCY_MS:g} ms (1 µs) to "
                                            f"{MAX_LATENCY_MS:,.0f} ms (1 hour), got {_show(error.instance)}")
    if kind in ("minimum", "maximum", "exclusiveMinimum"):
        bound = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">"}[kind]
        return ResultFileError(path, where, f"must be {bound} {error.validator_value:g}, got {_show(error.instance)}")
    if kind == "pattern":
        return ResultFileError(path, where, f"{_show(error.instance)} must be lower-case letters, digits, "
                                            "'.', '_' or '-' (it names a folder and a page)")
    return ResultFileError(path, where, f"does not fit the format ({kind})")


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
    """Load every machine and run under `results_dir`; bad files become `problems` and are left out.

    Only regular files and folders inside `results_dir` are read. Anything else there (a hidden entry, a link that
    leaves the folder, a FIFO, a `*.JSON`, a stray file) is reported as a problem, never silently skipped."""
    results = Results()
    root = Path(results_dir)
    if not root.is_dir():
        return results
    for entry in sorted(root.iterdir()):
        if _usable(entry, root.resolve(), results, folder=True):
            _load_machine_folder(entry, root.resolve(), results)
    results.runs.sort(key=lambda r: (r.machine_id, r.doc["started_at"], r.id))
    results.roofs.sort(key=lambda r: (r.machine_id, r.doc["started_at"], r.id))
    # Two machines whose labels read alike (case, spacing, full-width forms, Cyrillic or Greek look-alikes) are
    # shown with their ids, so one can never pass as the other.
    skeletons = [label_skeleton(m.label) for m in results.machines.values()]
    for machine in results.machines.values():
        alike = skeletons.count(label_skeleton(machine.label)) > 1
        machine.display = f"{machine.label} · {machine.id}" if alike else machine.label
    return results


# Cyrillic and Greek letters that look like Latin ones (after case folding).
LOOK_ALIKES = str.maketrans("авсеһіјкмнорѕтухԁԛԝαβεηικμνορτυχ", "abcehijkmhopstyxdqwabenikmvoptux")


def label_skeleton(label):
    """What a label looks like to a reader: compatibility forms folded (NFKC), case folded, look-alike letters
    mapped to Latin, runs of spaces as one."""
    folded = unicodedata.normalize("NFKC", label).casefold().translate(LOOK_ALIKES)
    return " ".join(folded.split())


def _usable(entry, root, results, folder):
    """True for an entry to read; otherwise a problem line saying why it is not read."""
    def refuse(message):
        results.problems.append(ResultFileError(entry, None, message))
        return False

    if entry.name.startswith("."):
        return refuse("is hidden and is not read; rename or remove it")
    if entry.is_symlink():
        target = entry.resolve()
        if target != root and root not in target.parents:
            return refuse(f"is a link to {target}, outside {root}/; only files inside results/ are read")
    if folder:
        if entry.is_dir():
            return True
        if entry.suffix.lower() == ".json" and entry.is_file():
            return refuse("is not in a machine folder; move it to results/<machine-id>/")
        return refuse("is not a machine folder; results/ holds only results/<machine-id>/ folders")
    if entry.suffix != ".json":
        hint = " (the extension must be lower-case .json)" if entry.suffix.lower() == ".json" else ""
        return refuse(f"is not a result file{hint}; a machine folder holds machine.json and <run>.json files")
    if not RUN_ID.fullmatch(entry.stem):  # match() would let a trailing newline through
        return refuse("has a name that is not a plain run id (letters, digits, '.', '_', '-'; at most 151 "
                      "characters); rename it")
    return True


RUN_ID = re.compile(RUN_ID_PATTERN)


def _load_machine_folder(folder, root, results):
    machine_path = folder / "machine.json"
    entries = [e for e in sorted(folder.iterdir()) if _usable(e, root, results, folder=False)]
    results.files += len(entries)
    if not machine_path.exists() and not machine_path.is_symlink():
        results.problems.append(ResultFileError(machine_path, None, "is missing; every results/<machine>/ "
                                                "folder needs one (benchlog run writes it)"))
        return
    if machine_path not in entries:
        return
    try:
        machine = Machine(folder.name, read_document(machine_path, "machine"), machine_path)
        _check_claim(machine_path, machine.doc["machine_id"])
    except ResultFileError as exc:
        results.problems.extend(exc.problems)
        return
    results.machines[machine.id] = machine
    for path in entries:
        if path.name.startswith(ROOF_PREFIX):
            _load_roof(path, results)
        elif path.name != "machine.json":
            _load_run(path, machine, results)


ROOF_PREFIX = "roof-"


def _load_roof(path, results):
    try:
        doc = read_document(path, "roof")
        _check_claim(path, doc["machine_id"])
    except ResultFileError as exc:
        results.problems.extend(exc.problems)
        return
    results.roofs.append(Run(path.stem, doc, path))


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
