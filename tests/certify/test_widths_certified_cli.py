"""`certify widths --certified`: the proved width beside the literature's requirements, through
the journaled search of `certify instance --smallest-width` (its journal in --out, --resume)."""

import json

import pytest

from interruptions import interrupt_after


def _config(tmp_path, depth=2, name="w.toml"):
    p = tmp_path / name
    p.write_text('[data]\nsource = "sphere"\nn = 8\nd = 4\n[model]\nkind = "resnet"\n'
                 f'depth = {depth}\n[empirical]\nenabled = false\n')
    return p


def _widths(run_cli, cfg, out, json_path, *extra):
    return run_cli("widths", cfg, "--certified", "--certified-seeds", "0,1", "--out", out, "--quiet",
                   "--json", json_path, *extra)


def _journal(out):
    return [json.loads(x) for x in (out / "width_journal.jsonl").read_text().splitlines()]


def test_certified_column(run_cli, tmp_path):
    code, out, err = run_cli("widths", _config(tmp_path), "--certified", "--certified-seeds", "0",
                             "--out", tmp_path / "o", "--json", tmp_path / "w.json")
    assert code == 0, err
    rep = json.loads((tmp_path / "w.json").read_text())
    cw = rep["certified"]
    m = cw["seeds"][0]["smallest_width"]
    assert cw["median_smallest_width"] == m and m is not None
    assert {t["width"]: t["certified"] for t in cw["seeds"][0]["tried"]}[m] is True
    assert cw["p_over_n"] >= 1          # P >= n is necessary
    assert "certified (instance)" in out
    header, *lines = _journal(tmp_path / "o")      # one journal line per width tried
    assert header["key"] == "header"
    assert sorted((r["width"], r["certified"]) for r in lines) == \
        sorted((t["width"], t["certified"]) for t in cw["seeds"][0]["tried"])


def test_interrupted_certified_widths_resume_without_redoing_a_width(run_cli, tmp_path, monkeypatch):
    import numerics.instance.deep_width_search as dws

    cfg, out = _config(tmp_path), tmp_path / "o"
    real, calls = dws.certify_at_width, []

    monkeypatch.setattr(dws, "certify_at_width", interrupt_after(3, real, calls))
    code, _, _ = _widths(run_cli, cfg, out, tmp_path / "a.json")
    assert code != 0 and not (tmp_path / "a.json").exists()
    done = {(r["width"], r["seed"]) for r in _journal(out)[1:]}
    assert done == set(calls) and len(done) == 3

    redone = []
    monkeypatch.setattr(dws, "certify_at_width", lambda *a, **k: redone.append(a[4:6]) or real(*a, **k))
    code, _, err = _widths(run_cli, cfg, out, tmp_path / "b.json", "--resume")
    assert code == 0, err
    assert redone and not done & set(redone)              # journaled widths are not evaluated again
    resumed = json.loads((tmp_path / "b.json").read_text())["certified"]
    monkeypatch.setattr(dws, "certify_at_width", real)
    code, _, err = _widths(run_cli, cfg, tmp_path / "fresh", tmp_path / "c.json")
    assert code == 0, err
    fresh = json.loads((tmp_path / "c.json").read_text())["certified"]
    assert resumed["median_smallest_width"] == fresh["median_smallest_width"] is not None
    assert [r["tried"] for r in resumed["seeds"]] == [r["tried"] for r in fresh["seeds"]]
    assert len(redone) + len(done) == sum(len(r["tried"]) for r in fresh["seeds"])


def test_widths_resume_the_journal_of_certify_instance(run_cli, tmp_path, monkeypatch):
    """One search, one journal: `certify widths --certified --resume` on the directory of
    `certify instance --smallest-width` evaluates no width and reports the same widths."""
    import numerics.instance.deep_width_search as dws

    cfg, out = _config(tmp_path), tmp_path / "o"
    code, _, err = run_cli("instance", cfg, "--out", out, "--smallest-width", "--seeds", "0,1", "--quiet")
    assert code == 0, err
    ws = json.loads((out / "width_search.json").read_text())
    calls = []
    real = dws.certify_at_width
    monkeypatch.setattr(dws, "certify_at_width", lambda *a, **k: calls.append(a[4:6]) or real(*a, **k))
    code, _, err = _widths(run_cli, cfg, out, tmp_path / "w.json", "--resume")
    assert code == 0, err
    assert calls == []
    cw = json.loads((tmp_path / "w.json").read_text())["certified"]
    assert [(r["seed"], r["smallest_width"], r["tried"]) for r in cw["seeds"]] == \
        [(r["seed"], r["smallest_width"], r["tried"]) for r in ws["seeds"]]


def test_resume_refuses_a_journal_of_another_identity(run_cli, tmp_path):
    out = tmp_path / "o"
    code, _, err = _widths(run_cli, _config(tmp_path), out, tmp_path / "a.json")
    assert code == 0, err
    before = (out / "width_journal.jsonl").read_bytes()
    code, _, err = _widths(run_cli, _config(tmp_path, depth=3, name="d3.toml"), out, tmp_path / "b.json", "--resume")
    assert code == 2 and "--resume" in err and str(out / "width_journal.jsonl") in err
    assert (out / "width_journal.jsonl").read_bytes() == before and not (tmp_path / "b.json").exists()


def test_resume_with_other_seeds_reuses_the_journal(run_cli, tmp_path):
    """The seeds are not part of the identity: seed 0's widths serve a later run on seeds 0 and 1."""
    out = tmp_path / "o"
    code, _, err = run_cli("widths", _config(tmp_path), "--certified", "--certified-seeds", "0", "--out", out,
                           "--quiet")
    assert code == 0, err
    first = _journal(out)
    code, _, err = _widths(run_cli, _config(tmp_path), out, tmp_path / "b.json", "--resume")
    assert code == 0, err
    assert _journal(out)[:len(first)] == first
    seeds = [r["seed"] for r in _journal(out)[len(first):]]
    assert seeds and set(seeds) == {1}


def test_bad_certified_seeds_exit_2(run_cli, tmp_path):
    code, _, err = run_cli("widths", _config(tmp_path), "--certified", "--certified-seeds", "a,b")
    assert code == 2 and "--certified-seeds" in err


@pytest.mark.parametrize("flag", [("--resume",), ("--max-width", "8"), ("--scheduler", "tcp://127.0.0.1:1")])
def test_search_options_without_certified_are_bad_input(run_cli, tmp_path, flag):
    code, _, err = run_cli("widths", _config(tmp_path), *flag, "--out", tmp_path / "o")
    assert code == 2 and flag[0] in err and "--certified" in err
    assert not (tmp_path / "o").exists()


def test_max_width_bounds_the_certified_search(run_cli, tmp_path):
    """No width above --max-width is tried; when none up to it certifies, the median is None
    and the table says so."""
    code, out, err = _widths(run_cli, _config(tmp_path), tmp_path / "o", tmp_path / "w.json", "--max-width", "3")
    assert code == 0, err
    cw = json.loads((tmp_path / "w.json").read_text())["certified"]
    tried = [t for r in cw["seeds"] for t in r["tried"]]
    assert tried and max(t["width"] for t in tried) <= 3 and cw["max_width"] == 3
    if not any(t["certified"] for t in tried):
        assert cw["median_smallest_width"] is None and "none found" in out
