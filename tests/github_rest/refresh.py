"""Vendor the few GitHub REST operations the product and tests/fake_github.py use.

GitHub publishes its REST description as OpenAPI (github/rest-api-description, also on npm as
``@octokit/openapi``). Only the operations listed in ``OPERATIONS`` are kept, reduced to what a
fake must honour: path and query parameters, the request body's required fields and property
types, and for each documented status the response's top-level required fields and property
types (``$ref``s resolved, ``allOf`` merged, ``oneOf``/``anyOf`` united).

Refresh (needs npm, nothing else)::

    cd "$(mktemp -d)" && npm pack @octokit/openapi && tar xzf octokit-openapi-*.tgz
    python tests/github_rest/refresh.py package/generated/api.github.com.deref.json \\
        "$(node -p 'require("./package/package.json").version')"

then run ``pytest tests/test_fake_github_conformance.py``: a field GitHub renamed, a status it
no longer documents, a required field the fake lacks all fail there.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "operations.json"

OPERATIONS = [
    ("GET", "/repos/{owner}/{repo}"),
    ("GET", "/repos/{owner}/{repo}/branches/{branch}"),
    ("GET", "/repos/{owner}/{repo}/branches/{branch}/protection"),
    ("GET", "/repos/{owner}/{repo}/rules/branches/{branch}"),
    ("GET", "/repos/{owner}/{repo}/issues"),
    ("POST", "/repos/{owner}/{repo}/issues"),
    ("GET", "/repos/{owner}/{repo}/actions/secrets/public-key"),
    ("GET", "/repos/{owner}/{repo}/actions/secrets/{secret_name}"),
    ("PUT", "/repos/{owner}/{repo}/actions/secrets/{secret_name}"),
    ("DELETE", "/repos/{owner}/{repo}/actions/secrets/{secret_name}"),
    ("GET", "/repos/{owner}/{repo}/dependabot/secrets/public-key"),
    ("GET", "/repos/{owner}/{repo}/dependabot/secrets/{secret_name}"),
    ("PUT", "/repos/{owner}/{repo}/dependabot/secrets/{secret_name}"),
    ("DELETE", "/repos/{owner}/{repo}/dependabot/secrets/{secret_name}"),
    ("GET", "/repos/{owner}/{repo}/environments/{environment_name}/secrets/public-key"),
    ("GET", "/repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}"),
    ("PUT", "/repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}"),
    ("DELETE", "/repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}"),
    ("GET", "/orgs/{org}/actions/secrets/public-key"),
    ("GET", "/orgs/{org}/actions/secrets/{secret_name}"),
    ("PUT", "/orgs/{org}/actions/secrets/{secret_name}"),
    ("DELETE", "/orgs/{org}/actions/secrets/{secret_name}"),
    ("GET", "/orgs/{org}/actions/secrets/{secret_name}/repositories"),
    ("GET", "/orgs/{org}/dependabot/secrets/public-key"),
    ("GET", "/orgs/{org}/dependabot/secrets/{secret_name}"),
    ("PUT", "/orgs/{org}/dependabot/secrets/{secret_name}"),
    ("DELETE", "/orgs/{org}/dependabot/secrets/{secret_name}"),
    ("GET", "/orgs/{org}/dependabot/secrets/{secret_name}/repositories"),
    ("GET", "/orgs/{org}/repos"),
    ("GET", "/users/{username}/repos"),
]


def _types(schema: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    kind = schema.get("type")
    if isinstance(kind, list):
        found.update(kind)
    elif isinstance(kind, str):
        found.add(kind)
    if schema.get("nullable"):
        found.add("null")
    for key in ("oneOf", "anyOf", "allOf"):
        for alt in schema.get(key, []):
            found |= _types(alt)
    if not found and "properties" in schema:
        found.add("object")
    return found


def _flatten(schema: dict[str, Any]) -> tuple[dict[str, set[str]], set[str], dict[str, set[str]]]:
    """(property -> types, required, property -> enum values) of an object schema."""
    props: dict[str, set[str]] = {}
    enums: dict[str, set[str]] = {}
    required = set(schema.get("required", []))
    for name, sub in schema.get("properties", {}).items():
        props.setdefault(name, set()).update(_types(sub) or {"any"})
        if "enum" in sub:
            enums.setdefault(name, set()).update(str(v) for v in sub["enum"])
    for part in schema.get("allOf", []):
        p, r, e = _flatten(part)
        for k, v in p.items():
            props.setdefault(k, set()).update(v)
        for k, v in e.items():
            enums.setdefault(k, set()).update(v)
        required |= r
    alternatives = schema.get("oneOf", []) + schema.get("anyOf", [])
    if alternatives and all("properties" in a or "allOf" in a for a in alternatives):
        shared: set[str] | None = None
        for alt in alternatives:
            p, r, e = _flatten(alt)
            for k, v in p.items():
                props.setdefault(k, set()).update(v)
            for k, v in e.items():
                enums.setdefault(k, set()).update(v)
            shared = r if shared is None else shared & r
        required |= shared or set()
    return props, required, enums


def _body(schema: dict[str, Any] | None) -> dict[str, Any]:
    if schema is None:
        return {"kind": "empty"}
    kind = "object"
    if schema.get("type") == "array":
        kind, schema = "array", schema.get("items", {})
    props, required, enums = _flatten(schema)
    out: dict[str, Any] = {
        "kind": kind,
        "required": sorted(required),
        "properties": {k: sorted(v) for k, v in sorted(props.items())},
    }
    if enums:
        out["enums"] = {k: sorted(v) for k, v in sorted(enums.items())}
    return out


def _json_schema(part: dict[str, Any]) -> dict[str, Any] | None:
    content = part.get("content") or {}
    media = content.get("application/json") or next(iter(content.values()), None)
    return None if media is None else media.get("schema")


def vendor(description: dict[str, Any]) -> dict[str, Any]:
    operations = {}
    for method, path in OPERATIONS:
        op = description["paths"][path][method.lower()]
        params = op.get("parameters", [])
        request = op.get("requestBody")
        operations[f"{method} {path}"] = {
            "operationId": op["operationId"],
            "path_params": [p["name"] for p in params if p["in"] == "path"],
            "query_params": sorted(p["name"] for p in params if p["in"] == "query"),
            "request": None if request is None else _body(_json_schema(request)),
            "responses": {code: _body(_json_schema(r)) for code, r in sorted(op["responses"].items())},
        }
    return operations


def main(argv: list[str]) -> int:
    source, version = Path(argv[1]), argv[2]
    description = json.loads(source.read_text(encoding="utf-8"))
    doc = {
        "source": f"@octokit/openapi {version}, generated/{source.name} (GitHub REST {description['info']['version']})",
        "refresh": "python tests/github_rest/refresh.py DESCRIPTION.json VERSION (see its docstring)",
        "operations": vendor(description),
    }
    OUT.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {len(doc['operations'])} operations to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
