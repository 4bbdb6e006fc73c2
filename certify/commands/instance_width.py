"""`certify instance CONFIG --smallest-width [--seeds 0,1,2] [--resume] [--quiet] [--scheduler ADDR]`
for the two-layer ReLU net: the smallest width at which a zero-loss global minimizer is proved next
to the Gauss-Newton search's point from the seeded initialization.

Per seed, doubling then bisection over m from the smallest width with m d >= n
(numerics.instance.two_layer_width_search); at each width the search and, when it reached a small
float residual, the proof. Every width's result is appended to DIR/width_journal.jsonl as soon as
it is known (one JSON line, written in one append); ``--resume`` reads the journal back and
retraces the doubling and bisection without recomputing what it holds, so an interrupted run
loses nothing already proved. Without ``--resume`` an existing journal is replaced. With
``--scheduler`` the seeds run as tasks on a dask.distributed cluster (the sweep machinery of
numerics.empirical.sweep); their widths reach the journal when a seed's task finishes.

Writes DIR/certificate.json: the instance certificate of the smallest certified width (the seed
nearest the median), re-checked by `certify check`, with the key ``width_search`` = ``{seeds:
[{seed, smallest_width, sqrt_m_distance, parameters, p_over_n, tried}], median_smallest_width,
p_over_n, theorem_width, ratio, ...}``; also DIR/width_search.json (the same object) and
weights.npz. When no width up to ``--max-width`` is certified for any seed, a certificate of kind
``instance-width-search`` that claims nothing (exit 1).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import click
import numpy as np

from certify.errors import BadInput

JOURNAL_FILE = "width_journal.jsonl"
SUMMARY_FILE = "width_search.json"
MAX_WIDTH = 1 << 20
HEADER_KEY = "header"


def search_options(config) -> dict:
    inst = config.instance
    return {"max_iterations": inst.max_iterations, "solver": inst.solver, "cholesky_max_n": inst.cholesky_max_n,
            "device": inst.device}


def journal_identity(config, dataset) -> str:
    """What a journal's results depend on: the data and the search settings (hashed)."""
    ident = {"data": dataset.sha256, "instance": config.instance.model_dump(mode="json"),
             "kind": config.model.kind}
    return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()


def open_journal(out: Path, identity: str, resume: bool):
    """The RunLog of DIR/width_journal.jsonl and the results it holds ({seed: {width: certified}}
    and the records by key). Without ``resume`` a previous journal is removed first."""
    from numerics.empirical.sweep import RunLog

    path = out / JOURNAL_FILE
    if not resume and path.exists():
        path.unlink()
    log = RunLog(path)
    try:
        records = log.load()
    except ValueError as exc:
        raise BadInput("--resume", str(path), str(exc)) from None
    header = records.pop(HEADER_KEY, None)
    if header is None:
        if records:
            raise BadInput("--resume", str(path), "a journal written by `certify instance --smallest-width`")
        out.mkdir(parents=True, exist_ok=True)
        log.append({"key": HEADER_KEY, "identity": identity})
    elif header.get("identity") != identity:
        raise BadInput("--resume", str(path), "a journal of the same data and [instance] settings (this one "
                       "was written for other data or settings; run without --resume to start over)")
    known: dict[int, dict[int, bool]] = {}
    for rec in records.values():
        known.setdefault(int(rec["seed"]), {})[int(rec["width"])] = bool(rec["certified"])
    return log, known, records


def _record(pt) -> dict:
    return {"key": f"{pt.seed}:{pt.width}", **pt.as_dict()}


def seed_task(X, y, seed: int, max_width: int, known: dict, options: dict) -> list[dict]:
    """One seed's search as a sweep task (plain data in and out, so it pickles)."""
    from numerics.instance.two_layer_width_search import smallest_width_for_seed

    _, points = smallest_width_for_seed(X, y, seed, max_width=max_width, known=known, **options)
    return [_record(pt) for pt in points.values()]


# ------------------------------------------------------------------------ progress
class _Progress:
    """A rich status line: seed, current width, search residual (silent when quiet)."""

    def __init__(self, quiet: bool):
        self.bar = None
        if quiet:
            return
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                            console=Console(stderr=True), transient=False)
        self.task = self.bar.add_task("smallest certified width", total=None)
        self.seed = self.width = None

    def __enter__(self):
        if self.bar is not None:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def _show(self, text: str) -> None:
        if self.bar is not None:
            self.bar.update(self.task, description=f"seed {self.seed} width {self.width}: {text}")

    def on_width(self, seed: int, width: int) -> None:
        self.seed, self.width = seed, width
        self._show("search")

    def on_residual(self, iteration: int, residual: float) -> None:
        self._show(f"iteration {iteration}, residual {residual:.2e}")

    def on_point(self, pt) -> None:
        if self.bar is not None:
            self.bar.console.print(f"  seed {pt.seed} width {pt.width}: "
                                   f"{'certified' if pt.certified else 'not-certified'} "
                                   f"(search residual {pt.search.residual_norm:.1e})")


# ------------------------------------------------------------------------ the search
def run_seeds(dataset, seeds, max_width: int, known, log, options: dict, scheduler, bar: _Progress):
    """Every seed's search; returns ({seed: WidthSearch}, {(seed, width): point} computed here)."""
    from numerics.instance.smallest_width import smallest_certified_width
    from numerics.instance.two_layer_width_search import smallest_useful_width, smallest_width_for_seed

    X, y = np.asarray(dataset.X, dtype=np.float64), np.asarray(dataset.y, dtype=np.float64)
    points = {}
    if scheduler:
        from numerics.empirical.sweep import Task, executor_for_scheduler, run_sweep

        try:
            executor, client = executor_for_scheduler(scheduler)
        except ValueError as exc:
            raise BadInput("--scheduler", scheduler, str(exc)) from None
        try:
            run_sweep([Task(seed_task, (X, y, s, max_width, known.get(s, {}), options), 1) for s in seeds],
                      log=log, executor=executor)
        finally:
            client.close()
        known = {s: {int(r["width"]): bool(r["certified"]) for r in log.load().values()
                     if r.get("key") != HEADER_KEY and int(r["seed"]) == s} for s in seeds}
        start = smallest_useful_width(dataset.n, dataset.d)
        searches = {s: smallest_certified_width(_not_journaled, start, max(start, max_width), known=known[s])
                    for s in seeds}
        return searches, points
    searches = {}
    for s in seeds:
        def on_point(pt):
            log.append(_record(pt))
            points[(pt.seed, pt.width)] = pt
            bar.on_point(pt)

        searches[s], _ = smallest_width_for_seed(X, y, s, max_width=max_width, known=known.get(s, {}),
                                                 on_point=on_point, on_width=lambda m, s=s: bar.on_width(s, m),
                                                 progress=bar.on_residual, **options)
    return searches, points


def _not_journaled(m: int) -> bool:
    raise RuntimeError(f"width {m} is missing from the journal after its seed's task finished")


def width_search_record(dataset, searches: dict, records: dict, theorem_m, max_width: int) -> dict:
    """The certificate's ``width_search`` object."""
    per_seed = []
    for seed, search in searches.items():
        m = search.smallest
        rec = {"seed": seed, "smallest_width": m, "sqrt_m_distance": None, "parameters": None, "p_over_n": None,
               "tried": search.as_dict()["tried"]}
        if m is not None:
            j = records.get(f"{seed}:{m}", {})
            rec.update(sqrt_m_distance=j.get("sqrt_m_distance"), parameters=m * dataset.d,
                       p_over_n=m * dataset.d / dataset.n)
        per_seed.append(rec)
    found = [r["smallest_width"] for r in per_seed if r["smallest_width"] is not None]
    median = None
    if found and len(found) == len(per_seed):
        med = float(np.median(found))
        median = int(med) if med.is_integer() else med
    return {"model": "two-layer-relu", "n": dataset.n, "d": dataset.d, "seeds": per_seed,
            "median_smallest_width": median,
            "p_over_n": None if median is None else median * dataset.d / dataset.n,
            "theorem_width": theorem_m,
            "ratio": None if median is None or theorem_m is None else theorem_m / median,
            "max_width": max_width, "journal": JOURNAL_FILE,
            "note": "each smallest_width is a certified width; certification is not known to be monotone in m, "
                    "so a narrower width may also certify (every tried width is listed)"}


def _chosen_seed(ws: dict):
    found = [(r["seed"], r["smallest_width"]) for r in ws["seeds"] if r["smallest_width"] is not None]
    if not found:
        return None
    target = ws["median_smallest_width"] if ws["median_smallest_width"] is not None else min(m for _, m in found)
    return min(found, key=lambda sm: (abs(sm[1] - target), sm[0]))


def run_smallest_width(config, dataset, out, seeds, max_width: int | None, resume: bool, scheduler,
                       quiet: bool) -> None:
    from certify.commands.instance_record import theorem_width, write_instance_certificate
    from certify.commands.instance_points import InstancePoint
    from certify.certificate import write_json_atomic
    from numerics.instance.two_layer_width_search import certify_at_width
    from proofs.lazy_global_minimizer import TwoLayerPoint

    max_width = MAX_WIDTH if max_width is None else int(max_width)
    outp = Path(out)
    if outp.exists() and not outp.is_dir():
        raise BadInput("--out", str(outp), "a directory path (it exists and is a file)")
    options = search_options(config)
    width_info = theorem_width(dataset, config)
    width_info.pop("_lambda0_float", None)
    log, known, _ = open_journal(outp, journal_identity(config, dataset), resume)
    with _Progress(quiet) as bar:
        searches, points = run_seeds(dataset, seeds, max_width, known, log, options, scheduler, bar)
    records = log.load()
    ws = width_search_record(dataset, searches, records, width_info.get("m"), max_width)
    chosen = _chosen_seed(ws)
    if chosen is None:
        _write_nothing_certified(config, dataset, outp, ws)
        return
    seed, m = chosen
    pt = points.get((seed, m)) or certify_at_width(dataset.X, dataset.y, m, seed, **options)
    net = TwoLayerPoint(pt.search.W, pt.a, pt.W0, "search-from-initialization")
    point = InstancePoint(net, pt.proof, None, {"start": "initialization", "seed": seed, **pt.search.as_dict()})
    ws["certificate_seed"], ws["certificate_width"] = seed, m
    outp, _ = write_instance_certificate(dataset, config, [point], {**width_info}, outp, extra={"width_search": ws})
    write_json_atomic(outp / SUMMARY_FILE, ws)
    per_seed = ", ".join(f"{r['seed']}: {r['smallest_width']}" for r in ws["seeds"])
    click.echo(f"smallest certified width per seed: {per_seed}; "
               f"median {ws['median_smallest_width']}, p/n = {ws['p_over_n']}, theorem width {ws['theorem_width']}")
    click.echo(f"verdict: {pt.proof.status} at m = {m} (seed {seed}); wrote {outp}/certificate.json, "
               f"{SUMMARY_FILE}, {JOURNAL_FILE}, weights.npz")
    sys.exit(0 if pt.proof.certified else 1)


def _write_nothing_certified(config, dataset, outp: Path, ws: dict) -> None:
    from certify.certificate import seal, write_json_atomic
    from certify.pipeline import certificate_header, final_arrays, write_outputs

    cert = seal({**certificate_header(config, dataset), "kind": "instance-width-search", "verdict": "not-certified",
                 "theorems": [], "width_search": ws})
    write_outputs(cert, outp, final_arrays(config, dataset))
    write_json_atomic(outp / SUMMARY_FILE, ws)
    click.echo(f"no width up to {ws['max_width']} was certified; wrote {outp}/certificate.json")
    sys.exit(1)
