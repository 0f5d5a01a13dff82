"""A small JSON Schema (2020-12) validator for the keywords sync/schema uses, so the schema
test runs where the `jsonschema` package is not installed. Returns the list of violations."""

from __future__ import annotations

import re
from typing import Any

_TYPES: dict[str, Any] = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}
_KNOWN = {
    "$schema", "$id", "$defs", "title", "description", "format", "type", "enum", "const",
    "required", "properties", "additionalProperties", "items", "prefixItems", "minItems",
    "maxItems", "minimum", "maximum", "pattern", "anyOf", "allOf", "if", "then", "else", "$ref",
}  # fmt: skip


def violations(schema: Any, value: Any, root: Any = None, at: str = "$") -> list[str]:
    root = schema if root is None else root
    if schema is True:
        return []
    if schema is False:
        return [f"{at}: no value is allowed here"]
    unknown = set(schema) - _KNOWN
    assert not unknown, f"schema_lite does not implement {unknown}"
    out: list[str] = []
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        out += violations(root["$defs"][name], value, root, at)
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[t](value) for t in types):
            return [*out, f"{at}: {value!r} is not of type {types}"]
    if "enum" in schema and not any(_same(value, e) for e in schema["enum"]):
        out.append(f"{at}: {value!r} is not one of {schema['enum']}")
    if "const" in schema and not _same(value, schema["const"]):
        out.append(f"{at}: {value!r} is not {schema['const']!r}")
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            if key not in value:
                out.append(f"{at}: {key!r} is required")
        properties = schema.get("properties", {})
        for key, sub in value.items():
            if key in properties:
                out += violations(properties[key], sub, root, f"{at}.{key}")
            elif "additionalProperties" in schema:
                out += violations(schema["additionalProperties"], sub, root, f"{at}.{key}")
    if isinstance(value, list):
        prefix = schema.get("prefixItems", [])
        for i, sub in enumerate(value):
            if i < len(prefix):
                out += violations(prefix[i], sub, root, f"{at}[{i}]")
            elif "items" in schema:
                out += violations(schema["items"], sub, root, f"{at}[{i}]")
        if len(value) < schema.get("minItems", 0):
            out.append(f"{at}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            out.append(f"{at}: more than {schema['maxItems']} items")
    if _TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            out.append(f"{at}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            out.append(f"{at}: {value} > {schema['maximum']}")
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        out.append(f"{at}: {value!r} does not match {schema['pattern']}")
    if "anyOf" in schema and all(violations(s, value, root, at) for s in schema["anyOf"]):
        out.append(f"{at}: matches none of anyOf")
    for sub in schema.get("allOf", ()):
        out += violations(sub, value, root, at)
    if "if" in schema:
        branch = "then" if not violations(schema["if"], value, root, at) else "else"
        if branch in schema:
            out += violations(schema[branch], value, root, at)
    return out


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b
