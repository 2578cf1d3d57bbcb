"""Reading one result file: bytes within the size limit, JSON without NaN, huge numbers, deep nesting or invisible
characters, the format version (newer refused, older migrated), the schema, the times; then the defaults filled in.
Every way a file can be unusable is a ResultFileError naming the file and the field."""

import json
import math
import os
import re
import stat
import unicodedata
from datetime import datetime, timedelta, timezone

from benchlog.format.errors import ResultFileError
from benchlog.format.migrate import migrate
from benchlog.format.problems import join_path, shown, type_name, schema_problems
from benchlog.format.schema import FORMAT_VERSION, INT64, MAX_DEPTH, MAX_FILE_BYTES, SCHEMAS


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
            yield join_path(where, str(key)), key
            yield from _walk(item, join_path(where, str(key)))
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
                sub = f"{where}{key}" if key.startswith("[") else join_path(where, key)
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
        raise ResultFileError(path, None, f"must hold a JSON object, not {type_name(doc)}")
    version = doc.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ResultFileError(path, "format_version", f"must be a whole number >= 1, got {shown(version)}")
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
        raise ResultFileError(path, field, f"must be a UTC time such as 2026-12-02T18:42:07Z, got {shown(text)}") \
            from None
    if when > datetime.now(timezone.utc) + CLOCK_SKEW:
        raise ResultFileError(path, field, f"{shown(text)} is in the future")


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
