"""Generate numerics/arith/data/taylor_tables.json: the certified piecewise Taylor tables of the
proved elementary functions (docs/elementary_enclosures.md, "Regenerating the tables").

Run from the repository root:  python scripts/generate_taylor_tables.py
Each piece's coefficients are the Taylor coefficients at its center rounded to floats; its
remainder bounds (R0, R1) are proved with Arb by numerics.arith.taylor_certificate.certify_piece.
The file is written atomically (temporary file, then os.replace).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from numerics.arith.taylor_certificate import build_table  # noqa: E402

# name: (step, jmin, jmax, degree); pieces j*step +- step/2 (docs/elementary_enclosures.md)
TABLES = {
    "arcsin": (2.0 ** -8, 0, 182, 6),     # [0, 0.7129]: covers sqrt(1/2) for the arccos reduction
    "tanh": (2.0 ** -4, 0, 305, 9),       # [0, 19.09]; beyond 19, tanh x in [1 - 2**-53, 1]
    "erf": (2.0 ** -4, 0, 96, 9),         # [0, 6.03]; beyond 6, erf x in [1 - 2**-53, 1]
    "exp": (2.0 ** -3, 0, 0, 9),          # exp(t), |t| <= 1/16; exp(x) = exp(k/8) exp(t)
    "expm1": (2.0 ** -5, -16, 16, 8),     # [-1/2 - 1/64, 1/2 + 1/64]
    "log": (2.0 ** -6, 48, 96, 8),        # mantissas in [3/4 - 1/128, 3/2 + 1/128]
    "log1p": (2.0 ** -6, -32, 32, 8),     # [-1/2 - 1/128, 1/2 + 1/128]
    "sin": (2.0 ** -5, 0, 26, 8),         # [0, 0.83]: reduced arguments |r| <= pi/4 + tiny
    "cos": (2.0 ** -5, 0, 26, 8),
}


def _dumps(out: dict) -> str:
    """JSON with one piece per line (floats as Python reprs, which round-trip exactly)."""
    lines = ["{", f'"format": {json.dumps(out["format"])},',
             f'"certificate": {json.dumps(out["certificate"])},', '"tables": {']
    names = list(out["tables"])
    for n, name in enumerate(names):
        t = out["tables"][name]
        head = {k: v for k, v in t.items() if k != "pieces"}
        lines.append(f"{json.dumps(name)}: {json.dumps(head)[:-1]}, \"pieces\": [")
        for i, p in enumerate(t["pieces"]):
            lines.append(json.dumps(p) + ("," if i + 1 < len(t["pieces"]) else ""))
        lines.append("]}" + ("," if n + 1 < len(names) else ""))
    lines += ["}", "}"]
    return "\n".join(lines) + "\n"


def main() -> None:
    out = {"format": "dl-certify/taylor-tables/1",
           "certificate": "numerics.arith.taylor_certificate.certify_piece, Arb 256 bits",
           "tables": {name: build_table(name, *spec) for name, spec in TABLES.items()}}
    path = ROOT / "numerics" / "arith" / "data" / "taylor_tables.json"
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(_dumps(out))
    os.replace(tmp, path)
    print(f"wrote {path} ({sum(len(t['pieces']) for t in out['tables'].values())} pieces)")


if __name__ == "__main__":
    main()
