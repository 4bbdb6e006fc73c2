"""`certify instance CONFIG --smallest-width` for deep-fc / resnet through the journal driver
(certify/commands/instance_width.py): one journal line per width, --resume without recomputation,
a journal of another model refused, --scheduler on a local dask cluster."""

from __future__ import annotations

import json

import pytest

from interruptions import interrupt_after

CONFIG = """
[data]
source = "sphere"
n = 8
d = 5
seed = 0
[model]
kind = "{kind}"
depth = {depth}
[train]
steps = 0
seed = 0
{extra}
"""


def _config(tmp_path, kind="deep-fc", depth=2, extra=""):
    p = tmp_path / f"{kind}-{depth}-{len(extra)}.toml"
    p.write_text(CONFIG.format(kind=kind, depth=depth, extra=extra))
    return p


def _search(run_cli, cfg, out, *extra):
    return run_cli("instance", cfg, "--out", out, "--smallest-width", "--max-width", "64", "--quiet", *extra)


def _journal(out):
    lines = [json.loads(x) for x in (out / "width_journal.jsonl").read_text().splitlines()]
    return lines[0], lines[1:]


def _cert(out):
    return json.loads((out / "certificate.json").read_text())


def test_deep_journal_has_one_line_per_width_tried(run_cli, tmp_path):
    out = tmp_path / "out"
    code, _, err = _search(run_cli, _config(tmp_path), out, "--seeds", "0,1")
    assert code == 0, err
    ws = _cert(out)["width_search"]
    header, records = _journal(out)
    assert header["key"] == "header" and len(header["identity"]) == 64
    tried = sorted((r["seed"], t["width"], t["certified"]) for r in ws["seeds"] for t in r["tried"])
    assert sorted((r["seed"], r["width"], r["certified"]) for r in records) == tried
    assert ws["kind"] == "deep-fc" and ws["depth"] == 2 and ws["journal"] == "width_journal.jsonl"
    by_key = {(r["seed"], r["width"]): r for r in records}
    for r in ws["seeds"]:
        rec = by_key[(r["seed"], r["smallest_width"])]
        # the deep parameter count: 5 m + m^2 + m (W1, W2, a) for deep-fc of depth 2
        m = r["smallest_width"]
        assert r["parameters"] == rec["parameters"] == 5 * m + m * m + m and r["parameters"] >= 8
        assert float(r["sqrt_m_distance"]["lo"]) <= float(r["sqrt_m_distance"]["hi"])
    assert json.loads((out / "width_search.json").read_text()) == ws


def test_interrupted_deep_search_resumes_without_redoing_widths(run_cli, tmp_path, monkeypatch):
    import numerics.instance.deep_width_search as dws

    cfg, out = _config(tmp_path), tmp_path / "out"
    real = dws.certify_at_width
    calls = []

    monkeypatch.setattr(dws, "certify_at_width", interrupt_after(3, real, calls))
    code, _, _ = _search(run_cli, cfg, out, "--seeds", "0,1")
    assert code != 0 and not (out / "certificate.json").exists()
    _, records = _journal(out)
    done = {(r["width"], r["seed"]) for r in records}
    assert done == set(calls) and len(done) == 3                  # every width proved so far is kept

    redone = []

    def counting(*args, **kwargs):
        redone.append(args[4:6])
        return real(*args, **kwargs)

    monkeypatch.setattr(dws, "certify_at_width", counting)
    code, _, err = _search(run_cli, cfg, out, "--seeds", "0,1", "--resume")
    assert code == 0, err
    resumed = _cert(out)["width_search"]
    chosen = (resumed["certificate_width"], resumed["certificate_seed"])
    if redone and redone[-1] == chosen and chosen in done:     # the certificate's own network is rebuilt
        redone.pop()
    assert redone and not done & set(redone)
    resumed_calls = len(redone)
    code, _, _ = _search(run_cli, cfg, tmp_path / "fresh", "--seeds", "0,1")
    fresh = _cert(tmp_path / "fresh")["width_search"]
    assert [r["tried"] for r in resumed["seeds"]] == [r["tried"] for r in fresh["seeds"]]
    assert resumed_calls + len(done) == sum(len(r["tried"]) for r in fresh["seeds"])


@pytest.mark.parametrize("kind, depth, extra", [("deep-fc", 3, ""), ("resnet", 2, ""),
                                               ("deep-fc", 2, "[numerics]\nbackend = \"arb\"")])
def test_resume_refuses_a_journal_of_another_depth_kind_or_numerics(run_cli, tmp_path, kind, depth, extra):
    out = tmp_path / "out"
    code, _, err = _search(run_cli, _config(tmp_path), out, "--seeds", "0")
    assert code == 0, err
    before = (out / "width_journal.jsonl").read_bytes()
    other = _config(tmp_path, kind=kind, depth=depth, extra=extra)
    code, _, err = _search(run_cli, other, out, "--seeds", "0", "--resume")
    assert code == 2 and "--resume" in err and "width_journal.jsonl" in err
    assert (out / "width_journal.jsonl").read_bytes() == before


def test_deep_resume_of_a_complete_journal_recomputes_only_the_certificate_point(run_cli, tmp_path, monkeypatch):
    import numerics.instance.deep_width_search as dws

    cfg, out = _config(tmp_path, kind="resnet"), tmp_path / "out"
    assert _search(run_cli, cfg, out, "--seeds", "0")[0] == 0
    first = _cert(out)["width_search"]
    real, calls = dws.certify_at_width, []
    monkeypatch.setattr(dws, "certify_at_width", lambda *a, **k: calls.append(a[4:6]) or real(*a, **k))
    code, _, err = _search(run_cli, cfg, out, "--seeds", "0", "--resume")
    assert code == 0, err
    assert calls == [(first["certificate_width"], 0)]
    assert _cert(out)["width_search"]["seeds"] == first["seeds"]
    code, _, err = run_cli("check", out / "certificate.json")
    assert code == 0, err


def test_resume_writes_no_certificate_when_the_rebuilt_point_is_not_proved(run_cli, tmp_path, monkeypatch):
    import dataclasses

    import numerics.instance.deep_width_search as dws

    cfg, out = _config(tmp_path, kind="resnet"), tmp_path / "out"
    assert _search(run_cli, cfg, out, "--seeds", "0")[0] == 0
    (out / "certificate.json").unlink()
    real = dws.certify_at_width
    monkeypatch.setattr(dws, "certify_at_width", lambda *a, **k: dataclasses.replace(real(*a, **k), proof=None))
    code, _, err = _search(run_cli, cfg, out, "--seeds", "0", "--resume")
    assert code == 1 and "above the proof threshold" in err
    assert not (out / "certificate.json").exists()


@pytest.mark.slow
def test_deep_seeds_run_on_a_dask_scheduler(run_cli, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    cfg = _config(tmp_path, kind="resnet")
    out_local, out_dask = tmp_path / "local", tmp_path / "dask"
    assert _search(run_cli, cfg, out_local, "--seeds", "0,1")[0] == 0
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as c:
        code, _, err = _search(run_cli, cfg, out_dask, "--seeds", "0,1", "--scheduler", c.scheduler_address)
    assert code == 0, err
    local, dask = _cert(out_local)["width_search"], _cert(out_dask)["width_search"]
    assert [r["tried"] for r in dask["seeds"]] == [r["tried"] for r in local["seeds"]]
    _, records = _journal(out_dask)
    assert len(records) == sum(len(r["tried"]) for r in dask["seeds"])
    code, _, err = run_cli("check", out_dask / "certificate.json")
    assert code == 0, err
