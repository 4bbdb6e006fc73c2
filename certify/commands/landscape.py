"""`certify landscape`: the nine benign landscapes of slide 17 at real sizes, with the global
optimality of the point gradient descent finds proved on the instance.

    certify landscape --list
    certify landscape maxcut --size n=2000 --out DIR
    certify landscape maxcut --graph edges.txt --out DIR          # one edge a line: i j [w], 0-based
    certify landscape quadratic-net --size n=200,d=30 --out DIR
    certify landscape phase-retrieval --data pr.npz --out DIR      # arrays named in --list

For the family's instance (seeded at ``--size``, or the user's ``--data`` / ``--graph``): gradient
descent from a seeded random start, the rigorous certificate of global optimality of its point
(``global_optimality = {status, value: [lo, hi], radius, method}``), the theorem's conditions
(:mod:`proofs.landscape_families`; ``--constants`` supplies NOT VERIFIED or unnamed constants,
which makes a verdict conditional on them), success rates of GD and PGD from random starts with
Clopper-Pearson intervals (float evidence), and the certified critical-point census at the size
the census can reach (``--no-census`` skips it).

Writes DIR/certificate.json (schema ``dl-certify/landscape-certificate/1``, sealed), report.md,
report.html and point.npy (the point certified). Exit 0 when the point's global optimality is
certified, 1 when it is not (or not applicable to the family), 2 on bad input (the message names
the option, the value, what is allowed; for ``--graph`` the line).

Python API: :func:`certify_landscape` returns the certificate dict.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import click

from certify.errors import BadInput

LANDSCAPE_SCHEMA_ID = "dl-certify/landscape-certificate/1"
MAIN_STEPS = 20000
"""Iteration budget of the descent whose point is certified (it stops earlier at its tolerance)."""


def _family(name: str):
    from numerics.landscape.families import family, family_names

    try:
        return family(name)
    except ValueError:
        raise BadInput("FAMILY", name, f"one of {', '.join(family_names())} (see certify landscape --list)") from None


def _parse_constants(text: str | None) -> dict:
    import math

    out: dict = {}
    if not text:
        return out
    for part in text.split(","):
        if "=" not in part:
            raise BadInput("--constants", text, "name=value pairs separated by commas, e.g. C_pr=2,delta_2r=0.1")
        k, v = (s.strip() for s in part.split("=", 1))
        try:
            x = float(v)
        except ValueError:
            raise BadInput("--constants", part, "a number after '='") from None
        if not (k.isidentifier() and math.isfinite(x) and x >= 0):
            raise BadInput("--constants", part, "an identifier = a finite number >= 0")
        out[k] = x
    return out


def _census_size(text: str | None) -> dict:
    """``"n=3"`` -> {"n": 3} (the census builders clamp to the sizes they support)."""
    out: dict = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        k, _, v = part.partition("=")
        if not (k.strip().isidentifier() and v.strip().isdigit() and 1 <= int(v) <= 64):
            raise BadInput("--census-size", text, "key=integer pairs, e.g. n=3 (the family's census size keys)")
        out[k.strip()] = int(v)
    return out


def _instance(fam, size_text, data: str | None, graph: str | None, seed: int):
    import numpy as np

    from numerics.landscape.families.family import parse_size

    try:
        size = parse_size(size_text, fam.sizes)
    except ValueError as exc:
        raise BadInput("--size", size_text, str(exc).split("; ", 1)[-1] if "; " in str(exc) else str(exc)) from None
    if graph is not None and data is not None:
        raise BadInput("--graph/--data", f"{graph}, {data}", "at most one of --graph and --data")
    if graph is not None:
        if fam.name != "maxcut":
            raise BadInput("--graph", graph, "only with the maxcut family (other families take --data FILE.npz)")
        from numerics.landscape.families.maxcut import from_graph
        from numerics.landscape.graphs import EdgeListError, read_edge_list
        try:
            g = read_edge_list(graph)
        except FileNotFoundError:
            raise BadInput("--graph", graph, "an existing edge-list file") from None
        except (UnicodeDecodeError, OSError) as exc:
            raise BadInput("--graph", graph, f"a readable UTF-8 text file ({exc})") from None
        except EdgeListError as exc:
            raise BadInput(f"--graph {graph}, line {exc.line}", exc.text, exc.reason) from None
        return from_graph(g, {"rank": size.get("rank")}), {"graph": os.path.basename(graph)}
    if data is not None:
        if fam.from_data is None:
            raise BadInput("--data", data, f"seeded instances only for {fam.name} (no user data format)")
        try:
            with np.load(data, allow_pickle=False) as z:
                arrays = {k: np.array(z[k]) for k in z.files}
        except FileNotFoundError:
            raise BadInput("--data", data, "an existing .npz file") from None
        except (OSError, ValueError) as exc:
            raise BadInput("--data", data, f"an .npz file of numeric arrays ({exc})") from None
        try:
            inst = fam.from_data(arrays, {k: v for k, v in size.items() if v is not None})
        except KeyError as exc:
            raise BadInput("--data", data, f"arrays {fam.data_keys} (missing {exc})") from None
        except ValueError as exc:
            raise BadInput("--data", data, str(exc)) from None
        return inst, {"data": os.path.basename(data)}
    try:
        return fam.build(size, seed), {}
    except ValueError as exc:
        raise BadInput("--size", size_text, str(exc)) from None


def _theorems(fam, inst, cert, constants: dict) -> list[dict]:
    from proofs.core import InstanceData
    from proofs.evaluation import evaluate_theorem
    from proofs.landscape_families import theorem_status
    from proofs.registry import get_theorem

    out = []
    params = {**fam.theorem_params(inst), **constants}
    for tid in fam.theorem_ids:
        data = InstanceData(X=None, y=None, params=dict(params), cache={"landscape": (fam, inst, cert)})
        ev = evaluate_theorem(get_theorem(tid), data, params)
        ev["landscape_status"] = theorem_status(ev)
        out.append(ev)
    return out


def certify_landscape(family: str, *, size: str | dict | None = None, data: str | None = None,
                      graph: str | None = None, seed: int = 0, runs: int | None = None, steps: int = 3000,
                      rel_tol: float = 1e-6, census: bool = True, empirical: bool = True,
                      constants: str | dict | None = None, census_size: str | None = None,
                      point=None) -> tuple[dict, "object"]:
    """Run the landscape pipeline; returns (unsealed certificate dict, the point found).

    With `point` (a recorded point, as `certify check` passes it) the search is skipped and the
    global optimality of that point is re-proved."""
    import numpy as np

    from certify.certificate import environment, tool_version
    from certify.certificate import json_safe
    from numerics.empirical.landscape_runs import descend, success_rates
    from numerics.landscape.families.census import run_census

    fam = _family(family)
    consts = constants if isinstance(constants, dict) else _parse_constants(constants)
    if not (isinstance(rel_tol, float) and 0 < rel_tol < 1):
        raise BadInput("--rel-tol", rel_tol, "a number in (0, 1)")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise BadInput("--steps", steps, "a positive integer")
    if runs is not None and (isinstance(runs, bool) or not isinstance(runs, int) or runs < 1):
        raise BadInput("--runs", runs, "a positive integer")
    inst, source = _instance(fam, size, data, graph, seed)
    t0 = time.perf_counter()
    if point is not None:
        x, info = np.asarray(point, dtype=np.float64), {}
        cert = fam.certify(inst, x, rel_tol)
    elif fam.solve is not None:
        x, info, cert = fam.solve(inst, seed, rel_tol)
    else:
        x, info = descend(fam, inst, fam.init(inst, np.random.default_rng(seed)), steps=MAIN_STEPS)
        cert = fam.certify(inst, x, rel_tol)
    seconds = time.perf_counter() - t0
    out = {
        "schema": LANDSCAPE_SCHEMA_ID, "kind": "landscape", "tool_version": tool_version(),
        "environment": environment(),
        "inputs": {"family": fam.name, "size": size if isinstance(size, (str, type(None))) else dict(size),
                   **source, "seed": seed, "rel_tol": rel_tol, "runs": runs, "steps": steps, "constants": consts,
                   "census": census, "census_size": census_size},
        "family": {"name": fam.name, "title": fam.title, "paper": fam.paper, "model": fam.model,
                   "manifold": fam.manifold},
        "instance": {"size": inst.size, "source": inst.source, "sha256": inst.digest(),
                     "planted": sorted(inst.planted) if inst.planted else []},
        "point": {**info, "sha256": point_sha256(x), "loss": fam.loss_grad(inst, x)[0],
                  "success_rule": fam.success_rule,
                  "success": bool(fam.success(inst, x, cert)), "seconds": round(seconds, 3)},
        "global_optimality": cert.as_dict(),
        "theorems": _theorems(fam, inst, cert, consts),
    }
    if empirical:
        nruns = runs if runs is not None else (5 if fam.name == "maxcut" else 20)
        out["empirical"] = success_rates(fam, inst, runs=nruns, steps=steps, seed=seed, reference=cert)
    entry, note = fam.census(_census_size(census_size))
    out["census"] = {"note": note, "sizes": fam.census_sizes}
    if census and entry is not None:
        out["census"].update(run_census(entry))
    out["verdict"] = "certified" if cert.status == "certified" else "not-certified"
    return json_safe(out), x


def point_sha256(x) -> str:
    """sha256 of the point as the float64 little-endian bytes written to point.npy."""
    import hashlib

    import numpy as np

    return hashlib.sha256(np.ascontiguousarray(x, dtype="<f8").tobytes()).hexdigest()


def family_table() -> list[dict]:
    """One row per family for ``--list``."""
    from numerics.landscape.families import family, family_names

    rows = []
    for name in family_names():
        f = family(name)
        rows.append({"name": name, "title": f.title, "paper": f.paper,
                     "sizes": ", ".join(f"{s.name}={s.default if s.default is not None else 'auto'}" for s in f.sizes),
                     "data": f.data_keys or "seeded only", "census": f.census_sizes,
                     "theorems": ", ".join(f.theorem_ids)})
    return rows


def write_landscape_outputs(cert: dict, point, outdir: Path) -> None:
    """certificate.json, report.md, report.html and point.npy, each written atomically."""
    import numpy as np

    from certify.certificate import write_json_atomic
    from certify.landscape_report import render_landscape_html, render_landscape_markdown

    outdir.mkdir(parents=True, exist_ok=True)
    texts = {"report.md": render_landscape_markdown(cert), "report.html": render_landscape_html(cert)}
    for name, text in texts.items():
        fd, tmp = tempfile.mkstemp(dir=outdir, prefix=f".{name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, outdir / name)
    fd, tmp = tempfile.mkstemp(dir=outdir, prefix=".point.", suffix=".npy")
    with os.fdopen(fd, "wb") as fh:
        np.save(fh, np.asarray(point, dtype=np.float64))
    os.replace(tmp, outdir / "point.npy")
    write_json_atomic(outdir / "certificate.json", cert)


@click.command("landscape")
@click.argument("family_name", metavar="FAMILY", required=False)
@click.option("--list", "list_", is_flag=True, help="List the families, their sizes and data formats.")
@click.option("--size", default=None, help="Sizes as key=value pairs, e.g. n=2000 or n=200,d=30 (see --list).")
@click.option("--data", type=click.Path(dir_okay=False), default=None, help="User data (.npz; arrays in --list).")
@click.option("--graph", type=click.Path(dir_okay=False), default=None,
              help="maxcut: edge list, one edge a line 'i j [w]' (0-based ids; '#' comments).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--runs", type=int, default=None, help="Random starts per method for the success rates "
              "(default 20; 5 for maxcut).")
@click.option("--steps", type=int, default=3000, show_default=True, help="Iterations per empirical run.")
@click.option("--rel-tol", type=float, default=1e-6, show_default=True,
              help="Relative optimality gap accepted as certified (maxcut, rank-k).")
@click.option("--constants", default=None, help="Values of unnamed / NOT VERIFIED constants, e.g. C_pr=2 "
              "(verdicts then rest on them).")
@click.option("--census/--no-census", default=True, show_default=True,
              help="Run the critical-point census (at the family's small default size, or --census-size).")
@click.option("--census-size", default=None, help="Size of the census instance, e.g. n=3 (clamped to what the "
              "family's census builder supports; larger sizes may take minutes).")
@click.option("--empirical/--no-empirical", default=True, show_default=True,
              help="GD/PGD success rates from random starts (float evidence).")
@click.option("--out", type=click.Path(file_okay=False), default="out", show_default=True)
def command(family_name, list_, size, data, graph, seed, runs, steps, rel_tol, constants, census, census_size,
            empirical, out) -> None:
    """Benign landscapes at real sizes: GD's point proved globally optimal on the instance."""
    from certify.fp_environment import checked_environment

    checked_environment()   # exit 2 in a flush-to-zero / directed-rounding process, before computing
    from certify.certificate import seal

    if list_:
        for row in family_table():
            click.echo(f"{row['name']:18s} {row['title']} [{row['paper']}]")
            click.echo(f"{'':18s} sizes: {row['sizes']}; data: {row['data']}; census: {row['census']}")
        return
    if family_name is None:
        raise BadInput("FAMILY", None, "a family name, or --list to see them")
    cert, point = certify_landscape(family_name, size=size, data=data, graph=graph, seed=seed, runs=runs,
                                    steps=steps, rel_tol=rel_tol, census=census, empirical=empirical,
                                    constants=constants, census_size=census_size)
    cert = seal(cert)
    outdir = Path(out)
    write_landscape_outputs(cert, point, outdir)
    g = cert["global_optimality"]
    value = f" value in [{float(g['value'][0]):.10g}, {float(g['value'][1]):.10g}]" if g.get("value") else ""
    radius = f", radius <= {float(g['radius']):.3g}" if g.get("radius") else ""
    click.echo(f"{cert['family']['name']}: global optimality {g['status']}{value}{radius}")
    for t in cert["theorems"]:
        click.echo(f"  {t['id']}: {t['landscape_status']}")
    if "empirical" in cert:
        e = cert["empirical"]
        click.echo("  success rates (float evidence): " + "; ".join(
            f"{m.upper()} {e[m]['successes']}/{e[m]['runs']} [{e[m]['interval'][0]:.2f}, {e[m]['interval'][1]:.2f}]"
            for m in ("gd", "pgd")))
    c = cert["census"]
    click.echo(f"  census: {c.get('local_minima_global', 'not run')} ({c['note']})")
    click.echo(f"wrote {outdir}/certificate.json, {outdir}/report.md, {outdir}/report.html, {outdir}/point.npy")
    sys.exit(0 if cert["verdict"] == "certified" else 1)
