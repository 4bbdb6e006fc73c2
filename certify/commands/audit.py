"""`certify audit`: where does autograd leave the Clarke subdifferential of a PyTorch program?

    certify audit model.py [--seed 0] [--directions 8] [--json out.json]

``model.py`` is the user's own Python file (it is run, as ``python model.py`` would be; it is
a program the user asks to audit, not configuration text).  It must define either

* ``model`` (a ``torch.nn.Module``), ``inputs`` (a tensor or a tuple of tensors) and
  ``loss_fn`` (output -> scalar): derivatives with respect to the model's parameters; or
* ``fn`` (tensor -> scalar) and ``x`` (a tensor): derivatives with respect to ``x``.

Prints the verdict (autograd's gradient in the Clarke subdifferential: yes / NO /
undecided, see numerics.nonsmooth.audit) and every kink reached exactly where autograd's
local derivative differs from the Kakade-Lee selection.  Exit 0 when autograd's gradient
is shown to lie in the Clarke subdifferential, 1 when it is outside or undecided, 2 on bad
input.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from certify.errors import BadInput

REQUIRED = "a Python file defining `model`, `inputs`, `loss_fn` (a torch.nn.Module audit) or `fn`, `x`"


def _load_target(path: str) -> dict:
    import runpy

    p = Path(path)
    if not p.is_file() or p.suffix != ".py":
        raise BadInput("FILE", path, REQUIRED)
    namespace = runpy.run_path(str(p), run_name="certify_audit_target")
    if all(k in namespace for k in ("model", "inputs", "loss_fn")):
        return {"target": namespace["model"], "inputs": namespace["inputs"], "loss_fn": namespace["loss_fn"]}
    if all(k in namespace for k in ("fn", "x")):
        return {"target": namespace["fn"], "inputs": namespace["x"], "loss_fn": None}
    raise BadInput("FILE", path, REQUIRED + f"; found {sorted(k for k in namespace if not k.startswith('_'))}")


def audit_report(path: str, seed: int = 0, directions: int = 8) -> dict:
    """The JSON-ready report of ``certify audit`` (raises BadInput on bad input)."""
    import torch

    from numerics.nonsmooth import NotQualified, UnsupportedOperation
    from numerics.nonsmooth.audit import audit

    t = _load_target(path)
    if t["loss_fn"] is not None and not isinstance(t["target"], torch.nn.Module):
        raise BadInput("model", type(t["target"]).__name__, "a torch.nn.Module")
    try:
        r = audit(t["target"], t["inputs"], t["loss_fn"], directions=directions,
                  generator=torch.Generator().manual_seed(seed))
    except (UnsupportedOperation, NotQualified) as exc:
        raise BadInput("FILE", path, f"a program within the qualification condition: {exc}") from None

    def as_list(g):
        if isinstance(g, dict):
            return {k: v.reshape(-1).tolist() for k, v in g.items()}
        return g.reshape(-1).tolist()

    return {
        "file": path,
        "autograd_in_clarke": r.autograd_in_clarke,
        "distance": r.distance,
        "tolerance": r.tol,
        "sample_size": len(r.clarke_sample),
        "sample_complete": r.sample_complete,
        "ties": r.trace.ties if r.trace is not None else 0,
        "kinks": [{"primitive": s.primitive, "call": s.index, "location": s.location, "operand": s.operand,
                   "elements": list(s.elements), "autograd_local": list(s.autograd_local),
                   "selected_local": list(s.selected_local), "ties": s.ties} for s in r.sites],
        "autograd": as_list(r.autograd),
        "subgradient": as_list(r.subgradient),
        "summary": r.summary(),
        "seed": seed,
    }


@click.command("audit")
@click.argument("file", metavar="FILE", type=str)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random directions.")
@click.option("--directions", type=click.IntRange(1, 256), default=8, show_default=True,
              help="Kakade-Lee subgradients sampled for the hull test.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), default=None,
              help="Also write the report as JSON to this file.")
def command(file: str, seed: int, directions: int, json_path: str | None) -> None:
    """Audit autograd's gradient of the program in FILE against the Clarke subdifferential."""
    report = audit_report(file, seed, directions)
    click.echo(report["summary"])
    if json_path:
        with open(json_path, "w", encoding="utf-8") as fh:
            json.dump(report, fh, indent=2)
        click.echo(f"wrote {json_path}")
    sys.exit(0 if report["autograd_in_clarke"] is True else 1)
