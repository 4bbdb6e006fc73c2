"""The certificate: what `certify run` proved about a configuration, as JSON.

Schema id `dl-certify/certificate/1`. Interval endpoints are decimal strings (Python's `repr` of
the float) that round-trip exactly.

`content_sha256` hashes the canonical JSON of everything else. It detects *accidental*
corruption (a truncated copy, an editor that rewrote a number) and nothing more: anyone can
recompute it after an edit, so it proves nothing about who wrote the file. What makes a
certificate trustworthy is `certify check`, which re-proves every verdict and compares every
recorded enclosure with the recomputed one (certify/agreement.py), and `certify check
--independent`, which replays the two-layer claims in a separate small checker
(docs/independent_checker.md).

Reading is strict (:func:`load_certificate`): a JSON object with a repeated key (the later copy
would silently win in a dict) or a NaN / Infinity token (not JSON) is bad input naming the
field, and a schema this version does not know gets a message saying so.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import tempfile
from pathlib import Path
from typing import Any

from certify.errors import BadInput

SCHEMA_ID = "dl-certify/certificate/1"


def tool_version() -> str:
    try:
        from importlib.metadata import version

        return version("dl-certify")
    except Exception:  # pragma: no cover - running from a source tree without metadata
        return "0+unknown"


def environment() -> dict:
    """Versions and platform, and the floating-point environment probed now
    (certify/fp_environment.py: BadInput, exit 2, when it would make an enclosure wrong)."""
    import numpy
    import sympy

    from certify.fp_environment import checked_environment

    env = {**checked_environment(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "numpy": numpy.__version__,
        "sympy": sympy.__version__,
    }
    try:
        import flint

        env["python-flint"] = flint.__version__
    except Exception:  # pragma: no cover
        env["python-flint"] = None
    mod = sys.modules.get("torch")
    env["torch"] = getattr(mod, "__version__", None) if mod is not None else _dist_version("torch")
    return env


def _dist_version(name: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:
        return None


def canonical_json(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode()


def content_hash(cert: dict) -> str:
    body = {k: v for k, v in cert.items() if k != "content_sha256"}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def integrity_problems(cert: dict) -> list[str]:
    """[] when the recorded content_sha256 matches the certificate's content."""
    recorded = cert.get("content_sha256")
    if recorded is None:
        return ["content_sha256 missing"]
    if recorded != content_hash(cert):
        return ["content_sha256 does not match the certificate's content (the file was edited)"]
    return []


def integrity_warning(cert: dict, verb: str) -> str | None:
    """A report banner when the certificate is unsealed or was edited after `verb` wrote it."""
    if cert.get("content_sha256") is None:
        return f"This certificate carries no content_sha256: it was not sealed by `{verb}`."
    if integrity_problems(cert):
        return (f"This certificate was edited after `{verb}` wrote it (content_sha256 does not match its "
                "content). Do not trust it; run `certify check` on it.")
    return None


def seal(cert: dict) -> dict:
    cert = dict(cert)
    cert["content_sha256"] = content_hash(cert)
    return cert


def write_json_atomic(path: Path, obj: Any) -> None:
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(obj, fh, indent=2, sort_keys=False, allow_nan=False)
            fh.write("\n")
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a certificate is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# schema id -> "module:function(cert, directory) -> certify.agreement.Agreement" that recomputes a
# certificate of that kind and compares it with the recorded one
CHECKERS = {
    SCHEMA_ID: "certify.run_check:check_run_certificate",
    "dl-certify/saddle-certificate/1": "certify.commands.saddle:check_saddle_certificate",
    "dl-certify/landscape-certificate/1": "certify.landscape_check:check_landscape_certificate",
    "dl-certify/critical-point/1": "certify.critical_check:check_critical_certificate",
}
# certificates of schema SCHEMA_ID with a `kind` field (written by other verbs than `run`)
KIND_CHECKERS = {
    "instance": "certify.commands.instance:check_instance_certificate",
    "instance-width-search": "certify.commands.deep_instance:check_width_search_certificate",
}


def checker_for(cert: dict):
    """The recomputation routine for this certificate's kind (BadInput when there is none)."""
    import importlib

    target = CHECKERS.get(cert.get("schema"))
    if target is None:
        raise BadInput("CERT.schema", cert.get("schema"), unknown_schema_message(cert.get("schema"), tuple(CHECKERS)))
    if cert.get("schema") == SCHEMA_ID and "kind" in cert:
        target = KIND_CHECKERS.get(cert["kind"])
        if target is None:
            raise BadInput("CERT.kind", cert["kind"], f"absent (a `certify run` certificate) or one of "
                           f"{', '.join(map(repr, KIND_CHECKERS))}")
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)


class _Pairs(dict):
    """A JSON object as parsed, remembering keys that occurred more than once."""

    repeated: tuple[str, ...] = ()


def _pairs(items: list[tuple[str, Any]]) -> _Pairs:
    out = _Pairs(items)
    if len(out) != len(items):
        seen: set[str] = set()
        out.repeated = tuple(k for k, _ in items if k in seen or seen.add(k))
    return out


class _NonFinite(str):
    """A NaN / Infinity / -Infinity token: Python's json accepts them, JSON does not."""


def _field(path: tuple) -> str:
    out = "CERT"
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def _strict_problem(node: Any, path: tuple = ()) -> tuple[str, Any, str] | None:
    """(field, value, what is allowed) for the first repeated key or non-finite number."""
    if isinstance(node, _NonFinite):
        return _field(path), str(node), "a finite JSON number (NaN and Infinity are not JSON)"
    if isinstance(node, dict):
        repeated = getattr(node, "repeated", ())
        if repeated:
            return (_field(path + (repeated[0],)), "a key that occurs more than once",
                    "each key once per object (a later copy would silently replace the first)")
        children = node.items()
    elif isinstance(node, list):
        children = enumerate(node)
    else:
        return None
    for k, v in children:
        found = _strict_problem(v, path + (k,))
        if found is not None:
            return found
    return None


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def parse_certificate_json(text: str, name: str = "CERT") -> Any:
    """Parse JSON strictly: repeated keys and NaN / Infinity tokens are BadInput naming the field."""
    try:
        obj = json.loads(text, object_pairs_hook=_pairs, parse_constant=_NonFinite)
    except json.JSONDecodeError as exc:
        raise BadInput(name, name, f"valid JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise BadInput(name, name, "JSON nested less than the interpreter's recursion limit") from None
    found = _strict_problem(obj)
    if found is not None:
        raise BadInput(*found)
    return _plain(obj)


def unknown_schema_message(schema: Any, known: tuple[str, ...]) -> str:
    """What to say about a certificate whose schema this version cannot read."""
    family = isinstance(schema, str) and schema.startswith("dl-certify/")
    mine = tool_version()
    if family:
        return (f"a schema this dl-certify ({mine}) can check: {', '.join(map(repr, known))}. This certificate "
                "was written by another version of dl-certify (see its tool version; check it with that "
                "version) or by a verb whose certificates `certify check` does not recompute yet")
    return f"a dl-certify certificate ({', '.join(map(repr, known))}); this file is not one"


def load_certificate(path: str | Path, schemas: tuple[str, ...] = (SCHEMA_ID,)) -> dict:
    """Read a certificate strictly; malformed, ambiguous or foreign JSON is bad input (exit 2)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput("CERT", str(path), "an existing certificate.json written by `certify run`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput("CERT", str(path), f"a readable UTF-8 JSON file ({exc})") from None
    try:
        cert = parse_certificate_json(text)
    except BadInput as exc:
        if exc.field == "CERT":
            raise BadInput("CERT", str(path), exc.allowed) from None
        raise
    if not isinstance(cert, dict) or "schema" not in cert:
        raise BadInput("CERT.schema", None if not isinstance(cert, dict) else cert.get("schema"),
                       f"a dl-certify certificate with schema {SCHEMA_ID!r}")
    if cert["schema"] not in schemas:
        raise BadInput("CERT.schema", cert["schema"], unknown_schema_message(cert["schema"], schemas))
    return cert


def json_safe(x):
    """Plain JSON values: exact sympy numbers and Verdicts become strings, numpy scalars floats."""
    import numpy as np

    from numerics.arith.verdict import Verdict

    if isinstance(x, dict):
        return {str(k): json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [json_safe(v) for v in x]
    if isinstance(x, Verdict):
        return x.value
    if isinstance(x, (bool, str, int)) or x is None:
        return x
    if isinstance(x, (float, np.floating)):
        return repr(float(x)) if not np.isfinite(x) else float(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.ndarray):
        return json_safe(x.tolist())
    return str(x)
