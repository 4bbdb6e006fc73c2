"""The certificate: what `certify run` proved about a configuration, as JSON.

Schema id `dl-certify/certificate/1`. Interval endpoints are decimal strings (Python's `repr` of
the float) that round-trip exactly. `content_sha256` hashes the canonical JSON of everything
else, so any edit of the file is detected by `certify check` even before recomputation.
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
    import numpy
    import sympy

    env = {
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


# schema id -> "module:function" that recomputes a certificate of that kind and returns mismatches
CHECKERS = {
    SCHEMA_ID: "certify.pipeline:check_certificate",
    "dl-certify/saddle-certificate/1": "certify.commands.saddle:check_saddle_certificate",
}


def checker_for(cert: dict):
    """The recomputation routine for this certificate's kind (BadInput when there is none)."""
    import importlib

    target = CHECKERS.get(cert.get("schema"))
    if target is None:
        raise BadInput("CERT.schema", cert.get("schema"), f"one of {', '.join(map(repr, CHECKERS))}")
    module, name = target.split(":")
    fn = getattr(importlib.import_module(module), name, None)
    if fn is None:
        raise BadInput("CERT.schema", cert.get("schema"), "a certificate kind that `certify check` can recompute")
    return fn


def load_certificate(path: str | Path, schemas: tuple[str, ...] = (SCHEMA_ID,)) -> dict:
    """Read a certificate; malformed or foreign JSON is bad input (exit 2)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput("CERT", str(path), "an existing certificate.json written by `certify run`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput("CERT", str(path), f"a readable UTF-8 JSON file ({exc})") from None
    try:
        cert = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput("CERT", str(path), f"valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(cert, dict) or "schema" not in cert:
        raise BadInput("CERT.schema", None if not isinstance(cert, dict) else cert.get("schema"),
                       f"a dl-certify certificate with schema {SCHEMA_ID!r}")
    if cert["schema"] not in schemas:
        raise BadInput("CERT.schema", cert["schema"], " or ".join(map(repr, schemas)))
    return cert
