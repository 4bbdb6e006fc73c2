"""`certify instance` for deep-fc / resnet configurations, `certify check` on its certificates, and
the cross-check with the two-layer argument (a two-layer net given as deep-fc of depth 1)."""

import json
import math

import numpy as np
import pytest

from certify.certificate import seal

CONFIG = """
[data]
source = "sphere"
n = {n}
d = 5
seed = 0
[model]
kind = "{kind}"
width = {width}
depth = {depth}
[train]
steps = {steps}
seed = 0
"""


def _config(tmp_path, name="c.toml", kind="deep-fc", width=16, depth=2, steps=0, n=10):
    p = tmp_path / name
    p.write_text(CONFIG.format(kind=kind, width=width, depth=depth, steps=steps, n=n))
    return p


@pytest.fixture(scope="module")
def deep_dir(tmp_path_factory):
    from certify.cli import main

    d = tmp_path_factory.mktemp("deep")
    cfg = _config(d, steps=20)
    with pytest.raises(SystemExit) as exc:
        main(["instance", str(cfg), "--out", str(d / "out"), "--quiet"])
    assert exc.value.code == 0
    return d / "out"


def test_certificate_has_the_instance_object_and_checks(deep_dir, run_cli):
    cert = json.loads((deep_dir / "certificate.json").read_text())
    inst = cert["instance"]
    assert cert["verdict"] == "certified" and inst["status"] == "certified"
    assert [p["point"] for p in cert["instance_points"]] == ["search-from-initialization", "trained"]
    assert [L["layer"] for L in inst["layers"]] == ["W1", "W2", "a"]
    assert float(inst["lambda_min_K"]["lo"]) > 0 and float(inst["contraction"]) < 1
    for L in inst["layers"][:2]:
        assert float(L["margin_ratio"]) < 1 and float(L["min_margin"]) > 0
        assert math.isclose(float(L["sqrt_m_distance_max_neuron"]["hi"]),
                            4 * float(L["distance_from_init_max_neuron"]["hi"]), rel_tol=1e-12)
    tw = inst["theorem_width"]
    assert tw["theorem"] == "dllwz2019-fc" and tw["verdict"] == "undecided"
    assert {c["symbol"] for c in tw["critical_values"]} == {"c_w", "kappa"}
    assert cert["theorems"][0]["id"] == "deep-global-minimizer-nearby"
    assert cert["theorems"][0]["status"] == "certified"
    code, out, err = run_cli("check", deep_dir / "certificate.json")
    assert code == 0, err


def test_resealed_tampering_is_caught(deep_dir, run_cli, tmp_path):
    cert = json.loads((deep_dir / "certificate.json").read_text())
    body = {k: v for k, v in cert.items() if k != "content_sha256"}
    lam = body["instance"]["lambda_min_K"]
    lam["lo"] = lam["hi"] = repr(2 * float(lam["hi"]))              # a false enclosure
    body["instance_points"][0]["status"] = "not-certified"          # a weaker verdict than the proof
    (tmp_path / "certificate.json").write_text(json.dumps(seal(body)))
    (tmp_path / "weights.npz").write_bytes((deep_dir / "weights.npz").read_bytes())
    code, _, err = run_cli("check", tmp_path / "certificate.json")
    assert code == 1 and "instance.lambda_min_K" in err and "instance_points[0].status" in err


@pytest.mark.parametrize("layer", ["trained/W2", "a_init", "search-from-initialization/W1"])
def test_tampered_weights_are_rejected(deep_dir, run_cli, tmp_path, layer):
    (tmp_path / "certificate.json").write_text((deep_dir / "certificate.json").read_text())
    with np.load(deep_dir / "weights.npz") as w:
        arrays = {k: w[k].copy() for k in w.files}
    arrays[layer].flat[0] += 1e-9
    np.savez(tmp_path / "weights.npz", **arrays)
    code, _, err = run_cli("check", tmp_path / "certificate.json")
    assert code == 1 and "weights.sha256" in err


@pytest.mark.parametrize("change,field", [
    (lambda a: a.pop("W2"), "'W2' is missing"),
    (lambda a: a.__setitem__("W1", np.zeros((16, 4))), "'W1' has shape"),
    (lambda a: a.__setitem__("W2", np.full((16, 16), np.nan)), "non-finite"),
    (lambda a: a.__setitem__("W9", np.zeros(3)), "'W9' is not a layer"),
])
def test_bad_weights_exit_2_naming_the_array(deep_dir, run_cli, tmp_path, change, field):
    with np.load(deep_dir / "weights.npz") as w:
        arrays = {k: w[k].copy() for k in w.files if "/" not in k}
    change(arrays)
    np.savez(tmp_path / "bad.npz", **arrays)
    code, _, err = run_cli("instance", _config(tmp_path), "--out", tmp_path / "o", "--weights", tmp_path / "bad.npz")
    assert code == 2 and field in err, err
    assert not (tmp_path / "o").exists()


def test_torch_state_dict_weights_are_certified(deep_dir, run_cli, tmp_path):
    import torch

    with np.load(deep_dir / "weights.npz") as w:
        state = {k: torch.from_numpy(w[k].copy()) for k in w.files if not k.endswith("_init") and "/" not in k}
    torch.save(state, tmp_path / "net.pt")
    code, out, err = run_cli("instance", _config(tmp_path), "--out", tmp_path / "o", "--weights", tmp_path / "net.pt",
                             "--quiet")
    assert code == 0, err
    cert = json.loads((tmp_path / "o" / "certificate.json").read_text())
    assert cert["instance"]["point"] == "given"
    code, _, err = run_cli("check", tmp_path / "o" / "certificate.json")
    assert code == 0, err


def test_smallest_width_search_and_its_certificate(run_cli, tmp_path):
    cfg = _config(tmp_path, kind="resnet", n=8)
    code, out, err = run_cli("instance", cfg, "--out", tmp_path / "o", "--smallest-width", "--seeds", "0,1,2",
                             "--max-width", "64", "--quiet")
    assert code == 0, err
    cert = json.loads((tmp_path / "o" / "certificate.json").read_text())
    ws = cert["width_search"]
    assert [s["seed"] for s in ws["seeds"]] == [0, 1, 2]
    widths = [s["smallest_width"] for s in ws["seeds"]]
    assert ws["median_smallest_width"] == sorted(widths)[1]
    for s in ws["seeds"]:
        tried = {t["width"]: t["certified"] for t in s["tried"]}
        assert tried[s["smallest_width"]] is True
        assert all(not ok for m, ok in tried.items() if m < s["smallest_width"])
    assert cert["instance"]["m"] == ws["median_smallest_width"]
    code, _, err = run_cli("check", tmp_path / "o" / "certificate.json")
    assert code == 0, err


def test_widths_sweep(run_cli, tmp_path):
    code, out, err = run_cli("instance", _config(tmp_path, n=8), "--out", tmp_path / "o", "--widths", "2,24",
                             "--quiet")
    cert = json.loads((tmp_path / "o" / "certificate.json").read_text())
    rows = cert["width_sweep"]["rows"]
    assert [(r["width"], r["certified"]) for r in rows] == [(2, False), (24, True)]
    assert cert["width_sweep"]["smallest_certified_width"] == {"0": 24}


def _two_layer_point(tmp_path, n=10, d=5, m=60, seed=0, duplicate=None):
    """A near-interpolating two-layer net (a = +-1 fixed), found by the deep search on kind two-layer."""
    from numerics.instance.deep_gauss_newton import deep_gauss_newton_search
    from numerics.networks import Architecture
    from numerics.networks.initialization import initial_parameters

    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = rng.choice([-1.0, 1.0], size=n)
    if duplicate is not None:
        X[-1], y[-1] = X[0], duplicate * y[0]
    np.savez(tmp_path / "data.npz", X=X, y=y)
    p0 = initial_parameters(Architecture("two-layer", m, d), seed)
    s = deep_gauss_newton_search(p0, X, y, max_iterations=40)
    return X, y, s.params["W"], s.params["a"], p0["W"]


@pytest.mark.parametrize("case", ["interpolating", "contradictory", "too-narrow"])
def test_two_layer_net_as_deep_fc_depth_1_gets_the_two_layer_verdict(run_cli, tmp_path, case):
    m = 2 if case == "too-narrow" else 60
    X, y, W, a, W0 = _two_layer_point(tmp_path, m=m, duplicate=-1.0 if case == "contradictory" else None)
    np.savez(tmp_path / "two.npz", W=W, a=a, W0=W0)
    two = tmp_path / "two.toml"
    two.write_text(f"[data]\npath = \"{tmp_path / 'data.npz'}\"\n[model]\nwidth = {m}\n")
    code2, _, err2 = run_cli("instance", two, "--out", tmp_path / "o2", "--weights", tmp_path / "two.npz")
    assert code2 in (0, 1), err2
    # the same function in the deep-fc parametrization: sqrt(2/m) (a/sqrt 2) = a/sqrt m, a trained
    np.savez(tmp_path / "deep.npz", W1=W, a=a / np.sqrt(2.0), W1_init=W0, a_init=a / np.sqrt(2.0))
    deep = tmp_path / "deep.toml"
    deep.write_text(f"[data]\npath = \"{tmp_path / 'data.npz'}\"\n[model]\nkind = \"deep-fc\"\nwidth = {m}\n"
                    "depth = 1\n")
    coded, _, errd = run_cli("instance", deep, "--out", tmp_path / "od", "--weights", tmp_path / "deep.npz",
                             "--no-refine", "--quiet")
    assert coded == code2, (errd, err2)
    if case == "contradictory":       # no network fits rows 0 and 9: exit 1 and no certificate, either way
        assert code2 == 1 and "inputs 0 and 9 are identical with different labels" in err2 and errd == err2
        assert not (tmp_path / "o2").exists() and not (tmp_path / "od").exists()
        return
    v2 = json.loads((tmp_path / "o2" / "certificate.json").read_text())["verdict"]
    vd = json.loads((tmp_path / "od" / "certificate.json").read_text())["verdict"]
    assert v2 == vd == ("certified" if case == "interpolating" else "not-certified")


@pytest.mark.parametrize("path, factor, rejected", [
    (("instance", "radius"), 0.5, True),                         # a tighter radius than proved: false or unproved
    (("instance", "radius"), 2.0, False),                        # a looser radius: a true, weaker claim
    (("instance", "layers", 0, "min_margin"), 2.0, True),        # a larger margin than proved
    (("instance", "layers", 0, "min_margin"), 0.5, False),
    (("instance", "contraction"), 0.5, True),
])
def test_one_sided_bounds_are_re_proved(deep_dir, run_cli, tmp_path, path, factor, rejected):
    cert = json.loads((deep_dir / "certificate.json").read_text())
    body = {k: v for k, v in cert.items() if k != "content_sha256"}
    node = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = repr(float(node[path[-1]]) * factor)
    (tmp_path / "certificate.json").write_text(json.dumps(seal(body)))
    (tmp_path / "weights.npz").write_bytes((deep_dir / "weights.npz").read_bytes())
    code, _, err = run_cli("check", tmp_path / "certificate.json")
    field = ".".join(str(k) for k in path).replace(".0.", "[0].")
    if rejected:
        assert code == 1 and field in err and "not re-proved" in err
    else:
        assert code == 0, err
