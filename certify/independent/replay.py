"""`certify check --independent CERT`: read a two-layer certificate and replay its claims.

Entry point :func:`replay_certificate`; the claims of a `certify run` certificate are in
:mod:`.two_layer_run`, those of a `certify instance` certificate in :mod:`.instance_claims`.
Everything runs at :data:`PRECISION` bits of Arb, set and restored under this checker's own
process-wide lock (python-flint's precision is one global; the checker imports nothing from the
producer's numerics, so it does not share the producer's lock: Arb balls stay rigorous at any
precision, the lock only keeps this checker's runs in concurrent threads from changing each
other's precision).
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from flint import ctx

from certify.independent.claims import FALSE, REPLAYED, Claim, ReplayResult
from certify.independent.inputs import ReplayError, data_hash, load_data

PRECISION = 128
RUN_SCHEMA = "dl-certify/certificate/1"

__all__ = ["PRECISION", "ReplayError", "ReplayResult", "replay_certificate"]

_PRECISION_LOCK = threading.RLock()


@contextlib.contextmanager
def _precision(bits: int):
    with _PRECISION_LOCK:
        old = ctx.prec
        ctx.prec = bits
        try:
            yield
        finally:
            ctx.prec = old


def replay_certificate(cert: dict, directory: str | Path = ".") -> ReplayResult:
    """Replay every claim of a two-layer certificate this checker understands."""
    from certify.independent.instance_claims import replay_instance
    from certify.independent.two_layer_run import replay_run

    if not isinstance(cert, dict) or cert.get("schema") != RUN_SCHEMA:
        raise ReplayError("CERT.schema", cert.get("schema") if isinstance(cert, dict) else None,
                          f"{RUN_SCHEMA!r}: a certificate of `certify run` or `certify instance`")
    kind = cert.get("kind")
    if kind not in (None, "instance"):
        raise ReplayError("CERT.kind", kind, "absent (`certify run`) or 'instance'")
    result = ReplayResult()
    with _precision(PRECISION):
        X, y = load_data(cert, directory)
        recorded = (cert.get("data") or {}).get("sha256")
        digest = data_hash(X, y)
        result.add(Claim("data.sha256", "the data are the certified rows and labels",
                         REPLAYED if digest == recorded else FALSE, f"sha256 {digest[:16]}..."))
        if kind == "instance":
            replay_instance(result, cert, X, y, directory)
        else:
            replay_run(result, cert, X, y)
    if len(result.claims) <= 1:
        raise ReplayError("CERT", "no two-layer claim", "a certificate with two-layer theorems "
                          "(dzps2019-*) or an instance certificate")
    return result
