"""`certify instance CONFIG --smallest-width [--seeds 0,1,2] [--resume] [--quiet] [--scheduler ADDR]`
for the two-layer ReLU net and for deep-fc / resnet: the smallest width at which a zero-loss
global minimizer is proved next to the Gauss-Newton search's point from the seeded initialization.

Both kinds go through this one driver; a :class:`WidthProblem` holds what differs (the per-seed
search function of numerics.instance.two_layer_width_search or .deep_width_search, its settings,
the parameter count P(m) and the journal identity). Per seed, doubling then bisection over m from
the smallest width with at least n parameters; at each width the search and, when it reached a
small float residual, the proof. Every width's result is appended to DIR/width_journal.jsonl as
soon as it is known (one JSON line, written in one append); ``--resume`` reads the journal back and
retraces the doubling and bisection without recomputing what it holds, so an interrupted run
loses nothing already proved. The journal's first line names its identity (a hash of the data,
the model kind, the depth, every width-search setting and ``[numerics]``); a journal of another identity is
refused (exit 2). Without ``--resume`` an existing journal is replaced. The driver owns every
seed's doubling and bisection (numerics.instance.smallest_width.WidthBisection) and submits each
WIDTH as a task of an executor: in process by default (the task runs when submitted, so the seeds
advance in turn), a dask.distributed client with ``--scheduler`` (numerics.empirical.sweep), where
the seeds' searches advance concurrently with one pending width per seed. Either way a width's
line is appended as soon as its task finishes, so an interruption loses only the widths then
running. `certify widths --certified` runs the same search (:func:`search_smallest_widths`).

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
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

import click
import numpy as np

from certify.errors import BadInput

JOURNAL_FILE = "width_journal.jsonl"
SUMMARY_FILE = "width_search.json"
MAX_WIDTH = 1 << 20
DEEP_MAX_WIDTH = 4096
HEADER_KEY = "header"


DEEP_KINDS = ("deep-fc", "resnet")


@dataclass(frozen=True)
class WidthProblem:
    """What differs between the two-layer and the deep width search.

    ``search(X, y, seed, *, max_width, known, on_point, on_width, progress, **options)`` returns
    ``(WidthSearch, {width: point})`` and ``at_width(X, y, width, seed, **options)`` one point
    (module-level functions, so a seed pickles as a dask task); a point has ``width``, ``seed``,
    ``certified``, ``search.residual_norm`` and ``as_dict()`` (its journal record)."""

    model: str
    depth: int | None
    search: Callable
    at_width: Callable
    options: Mapping
    start: int
    parameters: Callable[[float], int]
    identity: Mapping

    def identity_hash(self) -> str:
        """What a journal's results depend on (hashed)."""
        return hashlib.sha256(json.dumps(dict(self.identity), sort_keys=True).encode()).hexdigest()


def search_options(config) -> dict:
    inst = config.instance
    return {"max_iterations": inst.max_iterations, "solver": inst.solver, "cholesky_max_n": inst.cholesky_max_n,
            "device": inst.device}


def two_layer_problem(config, dataset) -> WidthProblem:
    from numerics.instance import two_layer_width_search as tws

    d = dataset.d
    return WidthProblem("two-layer-relu", None, tws.smallest_width_for_seed, tws.certify_at_width,
                        search_options(config), tws.smallest_useful_width(dataset.n, d), lambda m: m * d,
                        {"data": dataset.sha256, "instance": config.instance.model_dump(mode="json"),
                         "kind": config.model.kind, "numerics": config.numerics.model_dump(mode="json")})


def deep_problem(config, dataset) -> WidthProblem:
    """The deep-fc / resnet search (numerics.instance.deep_width_search, its fixed budget); the
    identity names the kind, depth, activation, c_res, budget, proof threshold and the numeric
    context (``[numerics]``, which decides how far the proof may escalate)."""
    from numerics.instance import deep_width_search as dws

    model = config.model
    if model.depth is None:
        raise BadInput("model.depth", None, "an integer >= 1 for a deep network")
    kind, depth = model.kind, int(model.depth)
    arch = {"activation": model.activation, "c_res": model.c_res if model.c_res is not None else 0.5}
    start = dws.smallest_useful_width(kind, dataset.d, depth, dataset.n, **arch)

    def parameters(m: float) -> int:
        return dws.architecture_at(kind, int(round(m)), dataset.d, depth, **arch).parameter_count

    options = {"kind": kind, "depth": depth, **arch, **dws.SEARCH_BUDGET}
    return WidthProblem(kind, depth, dws.seed_search, dws.point_at_width, options, start, parameters,
                        {"data": dataset.sha256, "kind": kind, "depth": depth, **arch,
                         "search": dict(dws.SEARCH_BUDGET), "proof_residual": dws.PROOF_RESIDUAL,
                         "numerics": config.numerics.model_dump(mode="json")})


def width_problem(config, dataset) -> WidthProblem:
    return deep_problem(config, dataset) if config.model.kind in DEEP_KINDS else two_layer_problem(config, dataset)


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
        raise BadInput("--resume", str(path), "a journal of the same data, model (kind, depth), search "
                       "settings and [numerics] (this one was written for other data, model or settings; run "
                       "without --resume to start over)")
    known: dict[int, dict[int, bool]] = {}
    for rec in records.values():
        known.setdefault(int(rec["seed"]), {})[int(rec["width"])] = bool(rec["certified"])
    return log, known, records


def _record(pt) -> dict:
    return {"key": f"{pt.seed}:{pt.width}", **pt.as_dict()}


def width_task(at_width: Callable, X, y, width: int, seed: int, options: dict, keep_point: bool):
    """One width of one seed as an executor task (a module-level function of plain data, so it
    pickles): the journal record and, when ``keep_point`` (in process), the point itself."""
    pt = at_width(X, y, width, seed, **options)
    return _record(pt), (pt if keep_point else None)


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

    def on_record(self, rec: dict) -> None:
        if self.bar is not None:
            self.bar.console.print(f"  seed {rec['seed']} width {rec['width']}: "
                                   f"{'certified' if rec['certified'] else 'not-certified'} "
                                   f"(search residual {float(rec['search_residual_float']):.1e})")


# ------------------------------------------------------------------------ the search
def run_seeds(problem: WidthProblem, dataset, seeds, max_width: int, known, log, executor, bar: _Progress,
              in_process: bool):
    """Every seed's doubling and bisection, driven here: each width is one ``width_task`` on
    ``executor`` (one pending per seed) and its record is appended to ``log`` as soon as the task
    finishes. Returns ({seed: WidthSearch}, {(seed, width): point} computed here, in process)."""
    from numerics.instance.deep_gauss_newton import float_inputs
    from numerics.instance.smallest_width import WidthBisection, advance_searches

    X, y = np.asarray(dataset.X, dtype=np.float64), np.asarray(dataset.y, dtype=np.float64)
    options = {**problem.options, "inputs": float_inputs(X)}
    if in_process:
        options["progress"] = bar.on_residual
    top = max(problem.start, int(max_width))
    searches = {s: WidthBisection(problem.start, top, known=known.get(s, {})) for s in seeds}
    points = {}

    def submit(seed: int, m: int):
        bar.on_width(seed, m)
        return executor.submit(width_task, problem.at_width, X, y, m, seed, options, in_process)

    def finished(seed: int, m: int, result) -> bool:
        rec, pt = result
        log.append(rec)
        if pt is not None:
            points[(seed, m)] = pt
        bar.on_record(rec)
        return bool(rec["certified"])

    advance_searches(searches, submit, finished)
    return {s: b.result for s, b in searches.items()}, points


def _executor(scheduler: str | None):
    """(executor, client): in process without a scheduler (client None), else dask's."""
    from numerics.empirical.sweep import InProcessExecutor, executor_for_scheduler

    if not scheduler:
        return InProcessExecutor(), None
    try:
        return executor_for_scheduler(scheduler)
    except ValueError as exc:
        raise BadInput("--scheduler", scheduler, str(exc)) from None


@dataclass(frozen=True)
class WidthSearchRun:
    """What :func:`search_smallest_widths` found: the problem, each seed's search, the points
    computed in this process, the journal's records by key and the largest width allowed."""

    problem: WidthProblem
    searches: Mapping
    points: Mapping
    records: Mapping
    max_width: int


def search_smallest_widths(config, dataset, out, seeds, max_width: int | None, resume: bool, scheduler,
                           quiet: bool) -> WidthSearchRun:
    """The journaled search of every seed (module docstring), writing DIR/width_journal.jsonl."""
    problem = width_problem(config, dataset)
    max_width = (DEEP_MAX_WIDTH if problem.depth is not None else MAX_WIDTH) if max_width is None else int(max_width)
    outp = Path(out)
    if outp.exists() and not outp.is_dir():
        raise BadInput("--out", str(outp), "a directory path (it exists and is a file)")
    executor, client = _executor(scheduler)
    try:
        log, known, _ = open_journal(outp, problem.identity_hash(), resume)
        with _Progress(quiet) as bar:
            searches, points = run_seeds(problem, dataset, seeds, max_width, known, log, executor, bar,
                                         in_process=client is None)
    finally:
        if client is not None:
            client.close()
    return WidthSearchRun(problem, searches, points, log.load(), max_width)


def width_search_record(problem: WidthProblem, dataset, searches: dict, records: dict, theorem_m,
                        max_width: int) -> dict:
    """The certificate's ``width_search`` object (``theorem_m``: the theorem's width when it is a
    number, else the deep theorem's width hypothesis, and ``ratio`` is None)."""
    per_seed = []
    for seed, search in searches.items():
        m = search.smallest
        rec = {"seed": seed, "smallest_width": m, "sqrt_m_distance": None, "parameters": None, "p_over_n": None,
               "tried": search.as_dict()["tried"]}
        if m is not None:
            j = records.get(f"{seed}:{m}", {})
            rec.update(sqrt_m_distance=j.get("sqrt_m_distance"), parameters=problem.parameters(m),
                       p_over_n=problem.parameters(m) / dataset.n)
        per_seed.append(rec)
    found = [r["smallest_width"] for r in per_seed if r["smallest_width"] is not None]
    median = None
    if found and len(found) == len(per_seed):
        med = float(np.median(found))
        median = int(med) if med.is_integer() else med
    numeric = isinstance(theorem_m, (int, float))
    out = {"model": problem.model, "n": dataset.n, "d": dataset.d, "seeds": per_seed,
           "median_smallest_width": median,
           "p_over_n": None if median is None else problem.parameters(median) / dataset.n,
           "theorem_width": theorem_m,
           "ratio": None if median is None or not numeric else theorem_m / median,
           "max_width": max_width, "journal": JOURNAL_FILE,
           "note": "each smallest_width is a certified width; certification is not known to be monotone in m, "
                   "so a narrower width may also certify (every tried width is listed)"}
    if problem.depth is not None:
        out.update(kind=problem.model, depth=problem.depth)
    return out


def _chosen_seed(ws: dict):
    found = [(r["seed"], r["smallest_width"]) for r in ws["seeds"] if r["smallest_width"] is not None]
    if not found:
        return None
    target = ws["median_smallest_width"] if ws["median_smallest_width"] is not None else min(m for _, m in found)
    return min(found, key=lambda sm: (abs(sm[1] - target), sm[0]))


def run_smallest_width(config, dataset, out, seeds, max_width: int | None, resume: bool, scheduler,
                       quiet: bool) -> None:
    from certify.certificate import write_json_atomic

    deep = config.model.kind in DEEP_KINDS
    width_info = None
    if not deep:
        from certify.commands.instance_record import theorem_width

        width_info = theorem_width(dataset, config)
        width_info.pop("_lambda0_float", None)
    run = search_smallest_widths(config, dataset, out, seeds, max_width, resume, scheduler, quiet)
    problem, outp, points = run.problem, Path(out), run.points
    ws = width_search_record(problem, dataset, run.searches, run.records, None if deep else width_info.get("m"),
                             run.max_width)
    chosen = _chosen_seed(ws)
    if chosen is None:
        _write_nothing_certified(config, dataset, outp, ws)
        return
    seed, m = chosen
    pt = points.get((seed, m)) or problem.at_width(dataset.X, dataset.y, m, seed, **problem.options)
    if pt.proof is None:      # the journal said certified; the rebuilt search fell short of the proof
        click.echo(f"width {m}, seed {seed} is certified in {JOURNAL_FILE}, but the search rebuilt at that width "
                   f"stopped at residual {pt.search.residual_norm:.1e}, above the proof threshold: no certificate "
                   "written (run without --resume to recompute the journal)", err=True)
        sys.exit(1)
    ws["certificate_seed"], ws["certificate_width"] = seed, m
    if deep:
        from certify.commands.deep_instance import theorem_width as deep_theorem_width, write_search_certificate

        ws["theorem_width"] = deep_theorem_width(dataset, config, m)
        outp = write_search_certificate(config, dataset, outp, pt, ws)
    else:
        outp = _write_two_layer_certificate(config, dataset, outp, pt, ws, width_info)
    write_json_atomic(outp / SUMMARY_FILE, ws)
    per_seed = ", ".join(f"{r['seed']}: {r['smallest_width']}" for r in ws["seeds"])
    tw = ws["theorem_width"]["message"] or ws["theorem_width"]["verdict"] if deep else ws["theorem_width"]
    click.echo(f"smallest certified width per seed: {per_seed}; "
               f"median {ws['median_smallest_width']}, p/n = {ws['p_over_n']}, theorem width {tw}")
    click.echo(f"verdict: {pt.proof.status} at m = {m} (seed {seed}); wrote {outp}/certificate.json, "
               f"{SUMMARY_FILE}, {JOURNAL_FILE}, weights.npz")
    sys.exit(0 if pt.proof.certified else 1)


def _write_two_layer_certificate(config, dataset, outp: Path, pt, ws: dict, width_info: dict) -> Path:
    from certify.commands.instance_points import InstancePoint
    from certify.commands.instance_record import write_instance_certificate
    from proofs.lazy_global_minimizer import TwoLayerPoint

    net = TwoLayerPoint(pt.search.W, pt.a, pt.W0, "search-from-initialization")
    point = InstancePoint(net, pt.proof, None, {"start": "initialization", "seed": pt.seed, **pt.search.as_dict()})
    outp, _ = write_instance_certificate(dataset, config, [point], {**width_info}, outp, extra={"width_search": ws})
    return outp


def _write_nothing_certified(config, dataset, outp: Path, ws: dict) -> None:
    from certify.certificate import seal, write_json_atomic
    from certify.pipeline import certificate_header, final_arrays, write_outputs

    cert = seal({**certificate_header(config, dataset), "kind": "instance-width-search", "verdict": "not-certified",
                 "theorems": [], "width_search": ws})
    write_outputs(cert, outp, final_arrays(config, dataset))
    write_json_atomic(outp / SUMMARY_FILE, ws)
    click.echo(f"no width up to {ws['max_width']} was certified; wrote {outp}/certificate.json")
    sys.exit(1)
