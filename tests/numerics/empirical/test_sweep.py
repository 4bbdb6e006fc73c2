"""Sweeps: one JSON line per run, resumable after an interrupt, and the dask executor path."""

import json

import numpy as np
import pytest

from numerics.empirical import two_layer_experiments as tle
from numerics.empirical.sweep import InProcessExecutor, RunLog, Task, run_sweep

WIDTHS, SEEDS = [8, 16, 32], [0, 1]


def _data():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(8, 3))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return X, rng.uniform(-1, 1, 8)


def _run(path=None, resume=False, executor=None, **kw):
    X, y = _data()
    return tle.run_two_layer_experiments(X, y, lambda0=0.05, step_size=0.2, widths=WIDTHS, seeds=SEEDS, steps=20,
                                         runs_path=path, resume=resume, executor=executor, **kw)


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def _keys(path):
    return [r["key"] for r in _lines(path)]


def test_log_has_one_line_per_run_and_summary_is_json(tmp_path):
    path = tmp_path / "runs.jsonl"
    out = _run(path)
    assert out["runs"] == len(WIDTHS) * len(SEEDS) == len(_keys(path)) == len(set(_keys(path)))
    json.dumps(out, allow_nan=False)
    assert {(r["width"], r["seed"]) for r in _lines(path)} == {(w, s) for w in WIDTHS for s in SEEDS}


def _interrupting(fail_width, exc):
    original = tle.train_width_group

    def task(spec, X, y, H):
        if spec["width"] == fail_width:
            raise exc
        return original(spec, X, y, H)

    return task


@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyboardInterrupt()])
def test_interrupted_sweep_resumes_without_loss_or_duplicates(tmp_path, monkeypatch, exc):
    reference = _run()
    path = tmp_path / "runs.jsonl"
    monkeypatch.setattr(tle, "train_width_group", _interrupting(16, exc))
    with pytest.raises(type(exc)):
        _run(path)
    first = _keys(path)
    assert len(first) == len(SEEDS)  # width 8 finished and was logged before the failure
    monkeypatch.undo()
    calls = []
    original = tle.train_width_group
    monkeypatch.setattr(tle, "train_width_group", lambda spec, *a: calls.append(spec["width"]) or original(spec, *a))
    resumed = _run(path, resume=True)
    assert sorted(calls) == [16, 32]  # finished runs were skipped
    keys = _keys(path)
    assert len(keys) == len(set(keys)) == len(WIDTHS) * len(SEEDS)
    assert keys[: len(first)] == first
    assert resumed["movement_slope"] == reference["movement_slope"]
    assert resumed["curves"] == reference["curves"]


def test_truncated_trailing_line_is_dropped_and_rerun(tmp_path):
    path = tmp_path / "runs.jsonl"
    _run(path)
    lines = path.read_bytes().splitlines(keepends=True)
    lost = json.loads(lines[-1])["key"]
    path.write_bytes(b"".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])  # crash mid-write
    assert lost not in RunLog(path).load()
    assert path.read_bytes().endswith(b"\n")
    out = _run(path, resume=True)
    keys = _keys(path)
    assert out["runs"] == len(keys) == len(set(keys)) == len(WIDTHS) * len(SEEDS) and lost in keys


def test_resume_false_starts_anew_and_corrupt_line_is_an_error(tmp_path):
    path = tmp_path / "runs.jsonl"
    _run(path)
    _run(path)
    assert len(_keys(path)) == len(WIDTHS) * len(SEEDS)
    path.write_text('{"key": "a"}\nnot json\n{"key": "b"}\n')
    with pytest.raises(ValueError, match="line 2"):
        RunLog(path).load()


def test_run_sweep_logs_finished_tasks_before_raising(tmp_path):
    log = RunLog(tmp_path / "log.jsonl")

    def ok(k):
        return [{"key": k}]

    def bad():
        raise RuntimeError("task failed")

    with pytest.raises(RuntimeError, match="task failed"):
        run_sweep([Task(ok, ("a",), 1), Task(bad, (), 1), Task(ok, ("c",), 1)], log=log, executor=InProcessExecutor())
    assert list(log.load()) == ["a"]


def test_dask_local_cluster_executor_matches_in_process(tmp_path):
    distributed = pytest.importorskip("dask.distributed", reason="dask.distributed is not installed")
    reference = _run()
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            out = _run(tmp_path / "runs.jsonl", executor=client.get_executor())
    assert out["runs"] == reference["runs"]
    assert out["curves"] == reference["curves"]
    assert len(_keys(tmp_path / "runs.jsonl")) == len(WIDTHS) * len(SEEDS)
