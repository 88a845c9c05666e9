"""GitHub's REST description, the few operations vendored in tests/github_rest/operations.json:
route matching on the still-encoded path, and request/response checks the fake applies to
every exchange (see tests/github_rest/refresh.py for where the file comes from)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

OPERATIONS_FILE = Path(__file__).resolve().parent / "github_rest" / "operations.json"
# Statuses GitHub may answer on any operation, documented or not: bad credentials, missing
# permission or rate limits (403/429), not found, validation, server faults.
GENERIC_STATUSES = {"401", "403", "404", "422", "429", "500", "502", "503", "504"}
_JSON_TYPES = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "object": dict,
    "array": list,
}


@cache
def operations() -> dict[str, dict[str, Any]]:
    ops: dict[str, dict[str, Any]] = json.loads(OPERATIONS_FILE.read_text(encoding="utf-8"))["operations"]
    return ops


@dataclass(frozen=True)
class Match:
    operation: str  # "GET /repos/{owner}/{repo}"
    params: dict[str, str]  # decoded path parameters


def _pattern(template: str) -> re.Pattern[str]:
    # One parameter is one path segment: a branch "feature/x" must arrive as feature%2Fx.
    return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)))


def match(method: str, raw_path: str, templates: list[str]) -> Match | None:
    """The operation among ``templates`` that ``method raw_path`` calls; literal segments win
    over parameters (``secrets/public-key`` is not a secret named public-key)."""
    found = []
    for template in templates:
        hit = _pattern(template).fullmatch(raw_path)
        if hit and f"{method} {template}" in operations():
            literal = len(re.sub(r"\{\w+\}", "", template))
            found.append((literal, template, hit))
    if not found:
        return None
    _, template, hit = max(found, key=lambda f: f[0])
    return Match(f"{method} {template}", {k: unquote(v) for k, v in hit.groupdict().items()})


def _type_ok(value: Any, types: list[str]) -> bool:
    if "any" in types:
        return True
    if value is None:
        return "null" in types
    for name in types:
        kind = _JSON_TYPES.get(name)
        if kind is None or (isinstance(value, bool) and name != "boolean"):
            continue
        if isinstance(value, kind):
            return True
    return False


def problems(schema: dict[str, Any] | None, data: Any, *, extra_ok: bool = False) -> list[str]:
    """What in ``data`` does not follow a vendored body description (top level)."""
    if schema is None:
        return [] if data in (None, {}) else ["a body where the description has none"]
    if schema["kind"] == "empty":
        return [] if data is None else ["a body where the description has none"]
    items = data if schema["kind"] == "array" else [data]
    if not isinstance(items, list):
        return [f"expected a JSON array, got {type(data).__name__}"]
    found = []
    for item in items:
        if not isinstance(item, dict):
            found.append(f"expected a JSON object, got {type(item).__name__}")
            continue
        found += [f"required field {name!r} missing" for name in schema["required"] if name not in item]
        for name, value in item.items():
            types = schema["properties"].get(name)
            if types is None:
                if not extra_ok:
                    found.append(f"field {name!r} is not in the description")
            elif not _type_ok(value, types):
                found.append(f"field {name!r} is {type(value).__name__}, the description says {types}")
            elif name in schema.get("enums", {}) and isinstance(value, str) and value not in schema["enums"][name]:
                found.append(f"field {name!r} = {value!r} is not one of {schema['enums'][name]}")
    return found


def request_problems(operation: str, query: dict[str, list[str]], body: Any) -> list[str]:
    op = operations()[operation]
    found = [f"query parameter {q!r} is not in the description" for q in query if q not in op["query_params"]]
    if op["request"] is None:
        return found + ([] if body in (None, {}) else ["a request body the operation does not take"])
    return found + problems(op["request"], body)


def response_problems(operation: str, status: int, data: Any) -> list[str]:
    op = operations()[operation]
    code = str(status)
    if code not in op["responses"]:
        return [] if code in GENERIC_STATUSES else [f"status {code} is not documented for {operation}"]
    return problems(op["responses"][code], data)
