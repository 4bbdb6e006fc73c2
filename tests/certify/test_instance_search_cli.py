"""`certify instance` with the Gauss-Newton search (the default) and `--smallest-width` for the
two-layer net: records, exit codes, the journal, resume after an interruption, `certify check`."""

from __future__ import annotations

import json

import numpy as np
import pytest

from interruptions import interrupt_after

CONFIG = """
[data]
{data}

[model]
kind = "two-layer-relu"
{width}

[train]
steps = {steps}
seed = 3
{train}
{extra}"""

SPHERE = 'source = "sphere"\nn = 24\nd = 4\nseed = 1'


@pytest.fixture
def config_file(tmp_path):
    def make(width=None, steps: int = 40, extra: str = "", data: str = SPHERE, train: str = ""):
        p = tmp_path / "cfg.toml"
        p.write_text(CONFIG.format(data=data, width="" if width is None else f"width = {width}", steps=steps,
                                   train=train, extra=extra))
        return p
    return make


def _cert(out):
    return json.loads((out / "certificate.json").read_text())


def test_default_search_refines_the_trained_point_and_is_certified(run_cli, config_file, tmp_path):
    out = tmp_path / "out"
    code, _, err = run_cli("instance", config_file(width=200), "--out", out)
    cert = _cert(out)
    inst = cert["instance"]
    assert code == 0 and inst["status"] == "certified", inst["reason"]
    assert [p["point"] for p in cert["instance_points"]] == ["search-from-trained"]
    s = inst["search"]
    assert s["start"] == "trained" and s["iterations"] >= 1 and s["converged"]
    # residual before (the trained point's) and after are recorded; the proof's enclosure of the
    # residual at the proposed point agrees with the search's float value
    assert float(s["start_residual_norm_float"]) > 1e-3 > float(s["residual_norm_float"])
    assert float(inst["residual_norm"]["lo"]) <= 2 * float(s["residual_norm_float"]) + 1e-15
    assert inst["training"]["steps"] == 40
    code, _, err = run_cli("check", out / "certificate.json")
    assert code == 0, err


def test_start_init_and_search_none(run_cli, config_file, tmp_path):
    code, _, _ = run_cli("instance", config_file(width=200, extra='[instance]\nstart = "init"\n'), "--out",
                         tmp_path / "a")
    cert = _cert(tmp_path / "a")
    assert code == 0 and [p["point"] for p in cert["instance_points"]] == ["search-from-initialization"]
    assert cert["instance"]["search"]["start"] == "initialization" and "training" not in cert["instance"]
    code, _, _ = run_cli("instance", config_file(width=200, extra='[instance]\nsearch = "none"\n'), "--out",
                         tmp_path / "b")
    cert = _cert(tmp_path / "b")
    assert [p["point"] for p in cert["instance_points"]] == ["initialization", "trained"]
    assert all("search" not in p for p in cert["instance_points"])
    assert code == (0 if cert["instance"]["status"] == "certified" else 1)


def test_loss_target_stops_gd_early(run_cli, config_file, tmp_path):
    cfg = config_file(width=400, steps=100000, train="loss_target = 0.5", extra='[instance]\nsearch = "none"\n')
    run_cli("instance", cfg, "--out", tmp_path / "o")
    tr = _cert(tmp_path / "o")["instance"]["training"]
    assert tr["stopped"] == "loss_target" and tr["steps"] < 100000
    assert float(tr["final_loss_float"]) <= 0.5


def test_failed_search_from_trained_falls_back_to_the_initialization(run_cli, config_file, tmp_path):
    # a zero-iteration search cannot reach the float floor from the trained point
    cfg = config_file(width=200, extra="[instance]\nmax_iterations = 0\n")
    code, _, _ = run_cli("instance", cfg, "--out", tmp_path / "o")
    inst = _cert(tmp_path / "o")["instance"]
    assert inst["point"] == "search-from-initialization"
    assert inst["search"]["after_failed_search"][0]["search"]["start"] == "trained"
    assert code == 1 and inst["status"] == "not-certified"


@pytest.mark.parametrize("extra,key", [('[instance]\nsearch = "newton"\n', "instance.search"),
                                       ('[instance]\nstart = "best"\n', "instance.start"),
                                       ('[instance]\nsolver = "lu"\n', "instance.solver")])
def test_bad_instance_settings_exit_2(run_cli, config_file, tmp_path, extra, key):
    code, _, err = run_cli("instance", config_file(width=50, extra=extra), "--out", tmp_path / "o")
    assert code == 2 and key in err
    assert not (tmp_path / "o").exists()


def test_bad_loss_target_exit_2(run_cli, config_file, tmp_path):
    code, _, err = run_cli("instance", config_file(width=50, train="loss_target = -1"), "--out", tmp_path / "o")
    assert code == 2 and "train.loss_target" in err


def test_option_combinations_exit_2(run_cli, config_file, tmp_path):
    cfg = config_file(width=50)
    code, _, err = run_cli("instance", cfg, "--out", tmp_path / "o", "--resume")
    assert code == 2 and "--resume" in err
    np.savez(tmp_path / "w.npz", W=np.ones((50, 4)), a=np.ones(50))
    code, _, err = run_cli("instance", cfg, "--out", tmp_path / "o", "--smallest-width", "--weights", tmp_path / "w.npz")
    assert code == 2 and "--smallest-width" in err
    code, _, err = run_cli("instance", cfg, "--out", tmp_path / "o", "--smallest-width", "--seeds", "0,x")
    assert code == 2 and "--seeds" in err
    assert not (tmp_path / "o").exists()


# ------------------------------------------------------------------------ --smallest-width
def test_smallest_width_search_certificate_journal_and_check(run_cli, config_file, tmp_path):
    out = tmp_path / "out"
    code, stdout, err = run_cli("instance", config_file(), "--out", out, "--smallest-width", "--seeds", "0,1,2",
                                "--quiet")
    assert code == 0, err
    assert err == ""                                  # --quiet: no progress
    cert = _cert(out)
    ws = cert["width_search"]
    assert [r["seed"] for r in ws["seeds"]] == [0, 1, 2]
    widths = [r["smallest_width"] for r in ws["seeds"]]
    assert all(w is not None and w * 4 >= 24 for w in widths)          # never below m d >= n
    assert ws["median_smallest_width"] == sorted(widths)[1]
    assert ws["p_over_n"] == pytest.approx(ws["median_smallest_width"] * 4 / 24)
    assert ws["ratio"] == pytest.approx(ws["theorem_width"] / ws["median_smallest_width"])
    for r in ws["seeds"]:
        tried = {t["width"]: t["certified"] for t in r["tried"]}
        assert tried[r["smallest_width"]] is True
        assert float(r["sqrt_m_distance"]["lo"]) <= float(r["sqrt_m_distance"]["hi"])
        # the width just below the answer was tried and failed (bisection to a gap of one)
        assert tried.get(r["smallest_width"] - 1) is False or r["smallest_width"] == 6
    # the certificate is the instance certificate of the chosen smallest width
    assert cert["instance"]["m"] == ws["certificate_width"] and cert["instance"]["status"] == "certified"
    assert json.loads((out / "width_search.json").read_text()) == ws
    lines = (out / "width_journal.jsonl").read_text().splitlines()
    assert len(lines) == 1 + sum(len(r["tried"]) for r in ws["seeds"])     # header + one line per width
    code, _, err = run_cli("check", out / "certificate.json")
    assert code == 0, err


def test_interrupted_width_search_resumes_without_redoing_widths(run_cli, config_file, tmp_path, monkeypatch):
    import numerics.instance.two_layer_width_search as tws

    out = tmp_path / "out"
    real = tws.certify_at_width
    calls = []

    monkeypatch.setattr(tws, "certify_at_width", interrupt_after(4, real, calls, key=slice(2, 4)))
    code, _, _ = run_cli("instance", config_file(), "--out", out, "--smallest-width", "--seeds", "0,1", "--quiet")
    assert code != 0 and not (out / "certificate.json").exists()
    journal = (out / "width_journal.jsonl").read_text().splitlines()
    assert len(journal) == 1 + 4                                   # every width proved so far is kept
    done = {(json.loads(x)["width"], json.loads(x)["seed"]) for x in journal[1:]}

    redone = []

    def counting(*args, **kwargs):
        redone.append((args[2], args[3]))
        return real(*args, **kwargs)

    monkeypatch.setattr(tws, "certify_at_width", counting)
    code, _, err = run_cli("instance", config_file(), "--out", out, "--smallest-width", "--seeds", "0,1", "--quiet",
                           "--resume")
    assert code == 0, err
    resumed = _cert(out)["width_search"]
    # the certificate's own point is rebuilt when its width came from the journal (the journal
    # holds results, not networks); no width of the search is proved twice
    chosen = (resumed["certificate_width"], resumed["certificate_seed"])
    if redone and redone[-1] == chosen and chosen in done:
        redone.pop()
    assert not done & set(redone)
    code, _, _ = run_cli("instance", config_file(), "--out", tmp_path / "fresh", "--smallest-width", "--seeds",
                         "0,1", "--quiet")
    fresh = _cert(tmp_path / "fresh")["width_search"]
    assert [r["tried"] for r in resumed["seeds"]] == [r["tried"] for r in fresh["seeds"]]


def test_resume_refuses_a_journal_of_other_settings(run_cli, config_file, tmp_path):
    out = tmp_path / "out"
    run_cli("instance", config_file(), "--out", out, "--smallest-width", "--seeds", "0", "--quiet")
    other = config_file(extra="[instance]\nmax_iterations = 7\n")
    code, _, err = run_cli("instance", other, "--out", out, "--smallest-width", "--seeds", "0", "--resume")
    assert code == 2 and "--resume" in err


def test_contradictory_duplicates_are_refused_before_any_search(run_cli, config_file, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((10, 3))
    X[4] = 2.0 * X[1]                      # the same unit row ...
    y = rng.choice([-1.0, 1.0], 10)
    y[4] = -y[1]                           # ... with the other label
    np.savez(tmp_path / "dup.npz", X=X, y=y)
    cfg = config_file(data=f'path = "{tmp_path / "dup.npz"}"')
    out = tmp_path / "out"
    code, _, err = run_cli("instance", cfg, "--out", out, "--smallest-width", "--quiet")
    assert code == 1 and "1 and 4" in err and not (out / "certificate.json").exists()


def test_near_parallel_rows_with_other_labels_certify_no_width(run_cli, config_file, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((10, 3))
    X[4] = X[1] * (1.0 + 2.0 ** -40) + 2.0 ** -44      # not parallel, but nearly
    y = rng.choice([-1.0, 1.0], 10)
    y[4] = -y[1]
    np.savez(tmp_path / "near.npz", X=X, y=y)
    cfg = config_file(data=f'path = "{tmp_path / "near.npz"}"', extra="[instance]\nmax_iterations = 15\n")
    out = tmp_path / "out"
    code, _, _ = run_cli("instance", cfg, "--out", out, "--smallest-width", "--max-width", "64", "--quiet")
    cert = _cert(out)
    assert code == 1 and cert["kind"] == "instance-width-search" and cert["verdict"] == "not-certified"
    assert cert["width_search"]["seeds"][0]["smallest_width"] is None
    code, _, err = run_cli("check", out / "certificate.json")
    assert code == 0, err


@pytest.mark.slow
def test_seeds_run_on_a_dask_scheduler(run_cli, config_file, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    out_local, out_dask = tmp_path / "local", tmp_path / "dask"
    run_cli("instance", config_file(), "--out", out_local, "--smallest-width", "--seeds", "0,1", "--quiet")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as c:
        code, _, err = run_cli("instance", config_file(), "--out", out_dask, "--smallest-width", "--seeds", "0,1",
                               "--quiet", "--scheduler", c.scheduler_address)
    assert code == 0, err
    local, dask = _cert(out_local)["width_search"], _cert(out_dask)["width_search"]
    assert [r["tried"] for r in dask["seeds"]] == [r["tried"] for r in local["seeds"]]
    assert len((out_dask / "width_journal.jsonl").read_text().splitlines()) == \
        1 + sum(len(r["tried"]) for r in dask["seeds"])


@pytest.mark.slow
def test_unreachable_scheduler_is_bad_input(run_cli, config_file, tmp_path):
    pytest.importorskip("dask.distributed")
    code, _, err = run_cli("instance", config_file(), "--out", tmp_path / "o", "--smallest-width", "--quiet",
                           "--scheduler", "tcp://127.0.0.1:1")
    assert code == 2 and "--scheduler" in err


@pytest.mark.slow
def test_scheduler_journals_each_width_as_it_is_proved_and_resume_redoes_none(run_cli, config_file, tmp_path,
                                                                               monkeypatch):
    """With --scheduler the driver submits one width per seed: the first two journal lines are the
    two seeds' first widths (not one finished seed's widths); interrupted there, --resume on the
    scheduler evaluates only the widths not journaled (each evaluation is one journal line)."""
    distributed = pytest.importorskip("dask.distributed")
    from numerics.empirical.sweep import RunLog

    out, fresh = tmp_path / "dask", tmp_path / "fresh"
    run_cli("instance", config_file(), "--out", fresh, "--smallest-width", "--seeds", "0,1", "--quiet")
    real = RunLog.append

    def stop_after_two_widths(self, record):
        if len(self.load()) >= 3:                         # the header and two widths
            raise KeyboardInterrupt
        real(self, record)

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as c:
        monkeypatch.setattr(RunLog, "append", stop_after_two_widths)
        code, _, _ = run_cli("instance", config_file(), "--out", out, "--smallest-width", "--seeds", "0,1",
                             "--quiet", "--scheduler", c.scheduler_address)
        assert code != 0 and not (out / "certificate.json").exists()
        first = [json.loads(x) for x in (out / "width_journal.jsonl").read_text().splitlines()[1:]]
        assert sorted(r["seed"] for r in first) == [0, 1]
        monkeypatch.setattr(RunLog, "append", real)
        code, _, err = run_cli("instance", config_file(), "--out", out, "--smallest-width", "--seeds", "0,1",
                               "--quiet", "--resume", "--scheduler", c.scheduler_address)
    assert code == 0, err
    lines = [json.loads(x) for x in (out / "width_journal.jsonl").read_text().splitlines()[1:]]
    keys = [(r["seed"], r["width"]) for r in lines]
    assert len(keys) == len(set(keys))                    # no width evaluated twice
    resumed, full = _cert(out)["width_search"], _cert(fresh)["width_search"]
    assert [r["tried"] for r in resumed["seeds"]] == [r["tried"] for r in full["seeds"]]
    assert len(keys) == sum(len(r["tried"]) for r in full["seeds"])
