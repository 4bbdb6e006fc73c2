"""Sweeps of independent runs through a ``concurrent.futures.Executor``, logged one JSON line per run.

- Executor: in-process (``InProcessExecutor``, runs each task when submitted) by default; any
  ``concurrent.futures.Executor`` otherwise, e.g. ``dask.distributed.Client(address).get_executor()``
  (``executor_for_scheduler``). Tasks are plain functions of plain data, so they pickle.
- Log (``RunLog``): each finished run is one line ``{"key": ..., ...}\\n`` appended with a single
  ``write`` on an ``O_APPEND`` descriptor and ``fsync``-ed, so a line is either entirely in the file or
  not at all. On load a trailing partial line (a crash mid-write) is cut off; resuming skips every key
  already present, so nothing is lost or run twice.
- Interrupts (``KeyboardInterrupt``, or a task raising): the runs already finished stay in the log,
  pending futures are cancelled, the exception propagates.
- Progress: a rich bar with ETA, shown only when asked for and stderr is a terminal.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path


def run_key(**fields) -> str:
    """Canonical key of a run: its defining fields as compact sorted JSON."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"))


class RunLog:
    """Append-only JSON-lines log of finished runs, keyed by ``record["key"]``."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def load(self) -> dict[str, dict]:
        """Records by key. A trailing partial line is truncated away; a corrupt complete line is an error."""
        if not self.path.exists():
            return {}
        data = self.path.read_bytes()
        cut = data.rfind(b"\n") + 1
        if cut < len(data):
            with open(self.path, "r+b") as fh:
                fh.truncate(cut)
                fh.flush()
                os.fsync(fh.fileno())
            data = data[:cut]
        out: dict[str, dict] = {}
        for lineno, line in enumerate(data.splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"runs log {self.path}: line {lineno} is not valid JSON ({exc.msg}); "
                                 "allowed: one JSON object per line") from None
            if not isinstance(rec, dict) or "key" not in rec:
                raise ValueError(f"runs log {self.path}: line {lineno} has no 'key'; allowed: run records")
            out[rec["key"]] = rec
        return out

    def append(self, record: dict) -> None:
        """Append one record as one line, atomically with respect to readers and crashes (one write + fsync)."""
        line = (json.dumps(record, sort_keys=True, allow_nan=False, separators=(",", ":")) + "\n").encode()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            view = memoryview(line)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)


class InProcessExecutor(cf.Executor):
    """A ``concurrent.futures.Executor`` that runs each task in the calling thread when it is submitted."""

    def submit(self, fn, /, *args, **kwargs):
        fut: cf.Future = cf.Future()
        fut.set_running_or_notify_cancel()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - KeyboardInterrupt must reach the caller as is
            if not isinstance(exc, Exception):
                raise
            fut.set_exception(exc)
        return fut


def executor_for_scheduler(address: str):
    """``(executor, client)`` for a dask.distributed scheduler at ``address`` (close ``client`` when done)."""
    try:
        from dask.distributed import Client
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        raise ValueError(f"scheduler: got {address!r} but dask.distributed is not installed; "
                         "install the 'distributed' extra (pip install 'dl-certify[distributed]')") from exc
    try:
        client = Client(address, timeout=30)
    except (OSError, TimeoutError) as exc:
        raise ValueError(f"scheduler: could not connect to {address!r} ({exc}); "
                         "allowed: the address of a running dask scheduler, e.g. tcp://host:8786") from exc
    return client.get_executor(), client


@dataclass(frozen=True)
class Task:
    """One unit of work: ``fn(*args)`` returns a list of run records (each with a ``key``)."""

    fn: Callable
    args: tuple
    runs: int


def _progress(enabled: bool, total: int):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    console = Console(stderr=True)
    return Progress(TextColumn("sweep"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TextColumn("ETA"), TimeRemainingColumn(), console=console,
                    disable=not (enabled and console.is_terminal), transient=False), total


def run_sweep(tasks: Iterable[Task], *, log: RunLog | None = None, executor: cf.Executor | None = None,
              progress: bool = False, max_in_flight: int | None = None) -> list[dict]:
    """Run every task through ``executor`` and return all records; each is logged as soon as it arrives.

    ``max_in_flight`` bounds outstanding futures (default: all tasks for a real executor, one for the
    in-process executor, which finishes each task when it is submitted).
    """
    tasks = list(tasks)
    executor = executor or InProcessExecutor()
    if max_in_flight is None:
        max_in_flight = 1 if isinstance(executor, InProcessExecutor) else len(tasks)
    window = max(1, int(max_in_flight))
    bar, total = _progress(progress, sum(t.runs for t in tasks))
    records: list[dict] = []
    pending: set[cf.Future] = set()
    queue = list(reversed(tasks))
    with bar:
        job = bar.add_task("runs", total=total)
        try:
            while queue or pending:
                while queue and len(pending) < window:
                    t = queue.pop()
                    pending.add(executor.submit(t.fn, *t.args))
                done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                failure = None
                for fut in done:  # log every finished task before re-raising a failed one
                    if fut.exception() is not None:
                        failure = failure or fut.exception()
                        continue
                    for rec in fut.result():
                        if log is not None:
                            log.append(rec)
                        records.append(rec)
                        bar.advance(job)
                if failure is not None:
                    raise failure
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise
    return records
