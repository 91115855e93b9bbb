"""The experiment config checked against its schema, in one sentence.

Snakemake's own ``validate`` fills in the schema's defaults, but its error is
a multi-line dump of the schema; :func:`check_config` runs first and names
the key, the value and what is allowed instead. :func:`coerce_to_schema`
types the values of nested overrides (``--config 'cnn={epochs: 2}'``, which
Snakemake passes on as the text ``'2'``) by the schema, where the text reads
unambiguously as the type asked for. :func:`load_config` gives the config a
run works with outside Snakemake (the benchmark's runs), merged and
completed with the schema's defaults as Snakemake does.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path

from ascflow.errors import AscflowError

#: The config's JSON schema (YAML), beside the package in the workflow's folder.
SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "config.schema.yaml"

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
    if kind == "number" and isinstance(value, str):
        try:  # YAML 1.1 reads 1e-3 (no dot) as text
            return float(value)
        except ValueError:
            return text
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


def on_command_line(*path: str | int) -> str:
    """How ``--config`` sets the key at ``path``, as a clause for a message:
    Snakemake's ``--config`` refuses ``cnn.epochs=3`` and takes a nested key
    as a YAML mapping (``--config 'cnn={epochs: ...}'``). Nothing for a key
    inside a list, which is set as its whole list."""
    if not path or any(isinstance(part, int) for part in path):
        return ""
    value = "..."
    for key in reversed(path[1:]):
        value = f"{{{key}: {value}}}"
    setting = f"{path[0]}={value}" if len(path) == 1 else f"'{path[0]}={value}'"
    return f" (on the command line: --config {setting})"


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
        f"it must be {_allowed(error)}{on_command_line(*error.absolute_path)}."
    )


def complete(config: dict, schema: Mapping) -> dict:
    """``config`` with the schema's defaults filled in where keys are
    missing, recursively and in place, as Snakemake's ``validate`` does
    (a section's default ``{}`` is filled in, then its keys' defaults, and
    each mapping of a list, such as a convolution of ``cnn.conv_layers``,
    gets its item schema's defaults)."""
    for key, section in schema.get("properties", {}).items():
        if key not in config and "default" in section:
            config[key] = copy.deepcopy(section["default"])
        if isinstance(config.get(key), dict):
            complete(config[key], section)
        elif isinstance(config.get(key), list) and isinstance(section.get("items"), Mapping):
            for item in config[key]:
                if isinstance(item, dict):
                    complete(item, section["items"])
    return config


def merge(base: dict, update: Mapping) -> dict:
    """``update`` merged into ``base`` in place, as Snakemake merges a second
    ``--configfile``: mappings key by key, anything else replaced."""
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def load_config(
    paths: list[str | Path], overrides: Mapping | None = None, schema_path: str | Path = SCHEMA
) -> dict:
    """The config a run with ``--configfile PATH...`` (then ``overrides``)
    works with, without Snakemake: merged in order, checked against the
    schema in one sentence, and completed with its defaults."""
    import yaml

    config: dict = {}
    for path in paths:
        merge(config, yaml.safe_load(Path(path).read_text()) or {})
    merge(config, overrides or {})
    schema = yaml.safe_load(Path(schema_path).read_text())
    coerce_to_schema(config, schema)
    check_config(config, schema)
    return complete(config, schema)
