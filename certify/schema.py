"""The certificate's JSON Schema (certificate.schema.json) and a validator for the subset it uses.

`validate(instance, schema)` implements the JSON Schema 2020-12 keywords listed in
`SUPPORTED_KEYWORDS` (no dependency on the `jsonschema` package); a schema that uses any other
keyword is rejected rather than half-checked. `certificate_problems(cert)` adds the checks a
schema cannot express: every interval has lo <= hi, every endpoint string round-trips exactly to
its float, a theorem is `certified` exactly when all its hypotheses hold, and the certificate's
verdict agrees with its theorems.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from certify.errors import BadInput

SUPPORTED_KEYWORDS = frozenset({
    # applicators and assertions this validator implements
    "type", "const", "enum", "pattern", "minLength", "minimum", "maximum", "minItems",
    "items", "properties", "required", "additionalProperties", "$ref", "anyOf", "allOf", "oneOf",
    # annotations (no effect on validity)
    "$schema", "$id", "$defs", "$comment", "title", "description",
})

_JSON_TYPES = {
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "string": lambda x: isinstance(x, str),
    "integer": lambda x: isinstance(x, int) and not isinstance(x, bool)
    or isinstance(x, float) and math.isfinite(x) and x == int(x),
    "number": lambda x: isinstance(x, (int, float)) and not isinstance(x, bool),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
}


@lru_cache(maxsize=1)
def _schema_text() -> str:
    return resources.files("certify").joinpath("certificate.schema.json").read_text(encoding="utf-8")


def certificate_schema() -> dict:
    """The certificate's JSON Schema (a fresh copy)."""
    return json.loads(_schema_text())


def schema_text() -> str:
    return _schema_text()


def _pointer(path: tuple) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path) if path else "(root)"


def _resolve(ref: str, root: dict) -> dict:
    if not ref.startswith("#/"):
        raise ValueError(f"$ref {ref!r}: only local references '#/...' are supported")
    node: Any = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            raise ValueError(f"$ref {ref!r} does not resolve")
        node = node[part]
    return node


def check_schema_keywords(schema: Any, path: tuple = ()) -> None:
    """Raise ValueError when `schema` uses a keyword this validator does not implement."""
    if isinstance(schema, bool):
        return
    if not isinstance(schema, dict):
        raise ValueError(f"schema at {_pointer(path)}: expected an object or boolean")
    for k, v in schema.items():
        if k not in SUPPORTED_KEYWORDS:
            raise ValueError(f"schema at {_pointer(path)}: keyword {k!r} is not supported by certify.schema")
        if k in ("items", "additionalProperties"):
            check_schema_keywords(v, path + (k,))
        elif k in ("properties", "$defs"):
            for name, sub in v.items():
                check_schema_keywords(sub, path + (k, name))
        elif k in ("anyOf", "allOf", "oneOf"):
            for i, sub in enumerate(v):
                check_schema_keywords(sub, path + (k, i))


def _equal(a, b) -> bool:
    """JSON equality (1 == 1.0, but True != 1)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    return a == b and type(a) in (int, float, str, type(None)) and type(b) in (int, float, str, type(None))


def validate(instance: Any, schema: Any, root: Any = None, path: tuple = ()) -> list[str]:
    """The violations of `schema` by `instance`, each as 'JSON pointer: what is wrong'."""
    root = schema if root is None else root
    if schema is True:
        return []
    if schema is False:
        return [f"{_pointer(path)}: no value is allowed here"]
    errors: list[str] = []
    at = _pointer(path)
    if "$ref" in schema:
        errors += validate(instance, _resolve(schema["$ref"], root), root, path)
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_JSON_TYPES[t](instance) for t in types):
            return errors + [f"{at}: expected {' or '.join(types)}, got {_json_type(instance)}"]
    if "const" in schema and not _equal(instance, schema["const"]):
        errors.append(f"{at}: expected {json.dumps(schema['const'])}, got {_short(instance)}")
    if "enum" in schema and not any(_equal(instance, e) for e in schema["enum"]):
        errors.append(f"{at}: expected one of {', '.join(json.dumps(e) for e in schema['enum'])}, got {_short(instance)}")
    if isinstance(instance, str):
        if "pattern" in schema and re.search(schema["pattern"], instance) is None:
            errors.append(f"{at}: {_short(instance)} does not match {schema['pattern']}")
        if "minLength" in schema and len(instance) < schema["minLength"]:
            errors.append(f"{at}: shorter than {schema['minLength']} characters")
    if isinstance(instance, (int, float)) and not isinstance(instance, bool):
        if "minimum" in schema and instance < schema["minimum"]:
            errors.append(f"{at}: {instance} < minimum {schema['minimum']}")
        if "maximum" in schema and instance > schema["maximum"]:
            errors.append(f"{at}: {instance} > maximum {schema['maximum']}")
    if isinstance(instance, list):
        if "minItems" in schema and len(instance) < schema["minItems"]:
            errors.append(f"{at}: fewer than {schema['minItems']} items")
        if "items" in schema:
            for i, x in enumerate(instance):
                errors += validate(x, schema["items"], root, path + (i,))
    if isinstance(instance, dict):
        for name in schema.get("required", []):
            if name not in instance:
                errors.append(f"{at}: required key {name!r} is missing")
        props = schema.get("properties", {})
        for name, value in instance.items():
            if name in props:
                errors += validate(value, props[name], root, path + (name,))
            elif "additionalProperties" in schema:
                errors += validate(value, schema["additionalProperties"], root, path + (name,))
    for sub in schema.get("allOf", []):
        errors += validate(instance, sub, root, path)
    if "anyOf" in schema:
        branches = [validate(instance, sub, root, path) for sub in schema["anyOf"]]
        if all(branches):
            errors.append(f"{at}: matches none of the allowed forms ({'; '.join(b[0] for b in branches)})")
    if "oneOf" in schema:
        n_ok = sum(not validate(instance, sub, root, path) for sub in schema["oneOf"])
        if n_ok != 1:
            errors.append(f"{at}: must match exactly one allowed form, matches {n_ok}")
    return errors


def _json_type(x) -> str:
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _JSON_TYPES[name](x):
            return name
    return type(x).__name__


def _short(x) -> str:
    text = json.dumps(x, ensure_ascii=False) if _json_type(x) != type(x).__name__ else repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


# ------------------------------------------------------------------ checks beyond the schema


def _endpoint_problem(s, where: str) -> str | None:
    if s is None:
        return None
    try:
        x = float(s)
    except (TypeError, ValueError):
        return f"{where}: {s!r} is not a decimal number"
    if math.isnan(x):
        return f"{where}: NaN is not an endpoint"
    if repr(x) != s:
        return f"{where}: {s!r} does not round-trip (the float it denotes is written {repr(x)!r})"
    return None


def _interval_problems(iv: dict, where: str) -> list[str]:
    out = [p for p in (_endpoint_problem(iv.get("lo"), f"{where}/lo"), _endpoint_problem(iv.get("hi"), f"{where}/hi"))
           if p]
    if not out and iv.get("lo") is not None and iv.get("hi") is not None and float(iv["lo"]) > float(iv["hi"]):
        out.append(f"{where}: lo {iv['lo']} > hi {iv['hi']} (an empty interval)")
    if (iv.get("lo") is None) != (iv.get("hi") is None):
        out.append(f"{where}: one endpoint is null and the other is not")
    return out


def certificate_problems(cert: Any) -> list[str]:
    """Schema violations, then the consistency checks the schema cannot express."""
    schema = certificate_schema()
    problems = validate(cert, schema)
    if problems:
        return problems
    for ti, t in enumerate(cert["theorems"]):
        where = f"/theorems/{ti} ({t['id']})"
        for kind in ("quantities", "constants"):
            for name, iv in t[kind].items():
                problems += _interval_problems(iv, f"{where}/{kind}/{name}")
        for hi, h in enumerate(t["hypotheses"]):
            ev = h.get("evidence")
            if isinstance(ev, dict):
                for k, v in ev.items():
                    if isinstance(v, dict) and {"lo", "hi"} <= set(v):
                        problems += _interval_problems(v, f"{where}/hypotheses/{hi}/evidence/{k}")
        all_hold = all(h["verdict"] == "holds" for h in t["hypotheses"])
        if (t["status"] == "certified") != all_hold:
            problems.append(f"{where}: status {t['status']!r} but "
                            f"{'every hypothesis holds' if all_hold else 'not every hypothesis holds'}")
    all_certified = all(t["status"] == "certified" for t in cert["theorems"])
    if (cert["verdict"] == "certified") != all_certified:
        problems.append(f"/verdict: {cert['verdict']!r} but "
                        f"{'every theorem is certified' if all_certified else 'not every theorem is certified'}")
    ids = [t["id"] for t in cert["theorems"]]
    if len(set(ids)) != len(ids):
        problems.append("/theorems: a theorem id appears twice")
    return problems


def require_valid_certificate(cert: Any, path: str = "CERT") -> dict:
    """`cert` when it satisfies the schema and the consistency checks; BadInput (exit 2) otherwise."""
    problems = certificate_problems(cert)
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise BadInput("CERT", str(path), f"a certificate matching schema dl-certify/certificate/1 "
                                          f"(`certify schema`): {shown}")
    return cert
