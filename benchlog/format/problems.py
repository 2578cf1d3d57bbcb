"""What is wrong with a document, in words a user can act on: the schema's errors as one line each naming the file
and the field. The fast validator (fastjsonschema) decides whether a file is valid; jsonschema words the errors."""

import json

import fastjsonschema
import jsonschema

from benchlog.format.errors import ResultFileError
from benchlog.format.schema import MAX_LATENCY_MS, MIN_LATENCY_MS, SCHEMAS


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
        return ResultFileError(path, join_path(where, name), "is missing (required)")
    if kind == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return ResultFileError(path, join_path(where, extra[0] if extra else "?"), "is not a known field")
    if kind == "type":
        wanted = error.validator_value
        wanted = " or ".join(map(TYPE_WORDS.get, wanted)) if isinstance(wanted, list) else TYPE_WORDS[wanted]
        got = "null" if error.instance is None else f"{type_name(error.instance)} {shown(error.instance)}"
        return ResultFileError(path, where or "(top level)", f"must be {wanted}, got {got}")
    if kind in ("enum", "const"):
        allowed = error.validator_value if kind == "enum" else [error.validator_value]
        return ResultFileError(path, where, f"must be one of {', '.join(map(shown, allowed))}, "
                                            f"got {shown(error.instance)}")
    if "propertyNames" in error.schema_path:  # jsonschema reports a too-long field name as the name's own error
        return ResultFileError(path, where, f"has a field name of {len(str(error.instance)):,} characters; at most "
                                            f"{error.validator_value:,} are allowed")
    if kind in ("maxLength", "minLength"):
        return ResultFileError(path, where, f"is {len(error.instance):,} characters; the limit is "
                                            f"{'at most' if kind == 'maxLength' else 'at least'} "
                                            f"{error.validator_value:,}")
    if kind == "oneOf" and all(list(o) == ["required"] for o in error.validator_value):
        names = [o["required"][0] for o in error.validator_value]
        return ResultFileError(path, where, f"must hold exactly one of {', '.join(names)}")
    if kind in ("minItems", "maxItems") and error.schema.get("minItems") == error.schema.get("maxItems"):
        return ResultFileError(path, where, f"has {len(error.instance):,} entries; it must have "
                                            f"{error.validator_value:,}")
    if kind in ("maxItems", "maxProperties"):
        return ResultFileError(path, where, f"has {len(error.instance):,} entries; at most {error.validator_value:,} "
                                            "are allowed")
    if kind in ("minimum", "maximum") and error.schema.get("minimum") == MIN_LATENCY_MS and \
            error.schema.get("maximum") == MAX_LATENCY_MS:
        return ResultFileError(path, where, f"must be a latency from {MIN_LATENCY_MS:g} ms (1 µs) to "
                                            f"{MAX_LATENCY_MS:,.0f} ms (1 hour), got {shown(error.instance)}")
    if kind in ("minimum", "maximum", "exclusiveMinimum"):
        bound = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">"}[kind]
        return ResultFileError(path, where, f"must be {bound} {error.validator_value:g}, got {shown(error.instance)}")
    if kind == "pattern":
        return ResultFileError(path, where, f"{shown(error.instance)} must be lower-case letters, digits, "
                                            "'.', '_' or '-' (it names a folder and a page)")
    return ResultFileError(path, where, f"does not fit the format ({kind})")


TYPE_WORDS = {"number": "a number", "integer": "a whole number", "string": "a string", "object": "an object",
              "array": "a list", "boolean": "true or false", "null": "null"}


def _field_path(parts):
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def join_path(where, name):
    return f"{where}.{name}" if where else name


def type_name(value):
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def shown(value):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."
