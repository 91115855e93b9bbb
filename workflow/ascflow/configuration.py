"""The experiment config checked against its schema, in one sentence.

Snakemake's own ``validate`` fills in the schema's defaults, but its error is
a multi-line dump of the schema; :func:`check_config` runs first and names
the key, the value and what is allowed instead. :func:`coerce_to_schema`
types the values of nested overrides (``--config 'cnn={epochs: 2}'``, which
Snakemake passes on as the text ``'2'``) by the schema, where the text reads
unambiguously as the type asked for.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from ascflow.errors import AscflowError

_TYPE_NAMES = {
    "integer": "an integer",
    "number": "a number",
    "string": "a text",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of keys to values",
}


def _scalar(text: str, kind: str):
    """``text`` as ``kind`` (integer, number, boolean) if it reads as one, else unchanged."""
    import yaml

    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if kind == "boolean" and isinstance(value, bool):
        return value
    return text


def coerce_to_schema(value, schema: Mapping):
    """``value`` with text typed as the schema asks (recursively, in place for
    mappings and lists, which are also returned)."""
    kind = schema.get("type")
    if isinstance(value, str) and kind in ("integer", "number", "boolean"):
        return _scalar(value, kind)
    if isinstance(value, str) and value not in schema.get("enum", [value]):
        # An enum of mixed types (gpu: auto, true, false): the option the text reads as.
        options = {str(option).lower(): option for option in schema["enum"]}
        return options.get(value.lower(), value)
    if isinstance(value, dict):
        for key, item in value.items():
            if key in schema.get("properties", {}):
                value[key] = coerce_to_schema(item, schema["properties"][key])
    elif isinstance(value, list) and "items" in schema:
        value[:] = [coerce_to_schema(item, schema["items"]) for item in value]
    return value


def _allowed(error) -> str:
    """What the schema allows where ``error`` failed, as a phrase."""
    rule, limit, schema = error.validator, error.validator_value, error.schema
    if rule == "enum":
        return "one of " + ", ".join(json.dumps(option) for option in limit)
    if rule == "type":
        kinds = limit if isinstance(limit, list) else [limit]
        return " or ".join(_TYPE_NAMES.get(kind, str(kind)) for kind in kinds)
    kind = _TYPE_NAMES.get(schema.get("type"), "a value")
    bounds = {
        "minimum": "{kind} of at least {limit}",
        "maximum": "{kind} of at most {limit}",
        "exclusiveMinimum": "{kind} greater than {limit}",
        "exclusiveMaximum": "{kind} less than {limit}",
        "minItems": "a list of at least {limit} item(s)",
    }
    if rule in bounds:
        return bounds[rule].format(kind=kind, limit=limit)
    if rule == "required":
        return "a mapping with the keys " + ", ".join(limit)
    if rule == "not" and "const" in limit:
        return f"anything but {json.dumps(limit['const'])}"
    if rule == "additionalProperties":
        return "only the keys " + ", ".join(schema.get("properties", {}))
    return f"a value that satisfies the schema's {rule!r}"


def _key(path) -> str:
    parts = [f"[{part}]" if isinstance(part, int) else f".{part}" for part in path]
    return "".join(parts).lstrip(".") or "(the whole config)"


def check_config(config: Mapping, schema: Mapping) -> None:
    """Raise :class:`AscflowError` with one sentence for the first problem
    (the most specific one jsonschema reports)."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    error = best_match(Draft202012Validator(schema).iter_errors(config))
    if error is None:
        return
    if error.validator == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        unknown = ", ".join(sorted(key for key in error.instance if key not in known))
        place = _key(error.absolute_path)
        where = "at the top level" if place == "(the whole config)" else f"in {place}"
        raise AscflowError(f"config: unknown key {unknown} {where}; allowed: {', '.join(sorted(known))}.")
    raise AscflowError(
        f"config key {_key(error.absolute_path)}: {json.dumps(error.instance)} is not allowed; "
        f"it must be {_allowed(error)}."
    )
