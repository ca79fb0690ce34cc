"""Checks crates/web/openapi.json and real responses of the server against it.

Usage: openapi_check.py OPENAPI.json RESPONSES.json, where RESPONSES is a list of
  {"method": "get", "path": "/api/v1/articles/{key}", "uri": "...", "status": 200,
   "content_type": "application/json", "body": <JSON or null>}
as the test received them. The document must be valid OpenAPI 3.1; each response's status
must be documented for its operation with its content type, and a JSON body must validate
against the schema documented for it. Exits 1 listing every problem.
"""

import json
import sys

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate


def resolve(doc, node):
    while isinstance(node, dict) and "$ref" in node and len(node) == 1:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        node = doc
        for part in ref[2:].split("/"):
            node = node[part]
    return node


def media_type(declared, content_type):
    """The declared media type matching a response's Content-Type (`image/*` matches images)."""
    essence = content_type.split(";")[0].strip()
    if essence in declared:
        return essence
    for name in declared:
        if name.endswith("/*") and essence.startswith(name[:-1]):
            return name
    return None


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    validate(doc)
    with open(sys.argv[2], encoding="utf-8") as f:
        responses = json.load(f)
    problems = []
    checked = 0
    for r in responses:
        where = f"{r['method'].upper()} {r['uri']} -> {r['status']}"
        operation = doc["paths"].get(r["path"], {}).get(r["method"])
        if operation is None:
            problems.append(f"{where}: {r['method'].upper()} {r['path']} is not documented")
            continue
        documented = operation["responses"].get(str(r["status"]))
        if documented is None:
            problems.append(f"{where}: status {r['status']} is not documented")
            continue
        documented = resolve(doc, documented)
        declared = documented.get("content")
        if r["status"] == 304 or not declared:
            checked += 1
            continue
        name = media_type(declared, r["content_type"] or "")
        if name is None:
            problems.append(f"{where}: content type {r['content_type']!r} is not one of {sorted(declared)}")
            continue
        schema = declared[name].get("schema")
        if r["body"] is not None and schema is not None:
            root = dict(schema)
            root["components"] = doc["components"]
            validator = Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)
            for error in validator.iter_errors(r["body"]):
                path = "/".join(str(p) for p in error.absolute_path)
                problems.append(f"{where}: at /{path}: {error.message}")
        checked += 1
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"openapi_check: the document is valid OpenAPI 3.1; {checked} responses match it")


if __name__ == "__main__":
    main()
