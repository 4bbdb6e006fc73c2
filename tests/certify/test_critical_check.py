"""`certify check` and `certify report` on a `certify critical` certificate: the recorded claims are
re-proved from the recorded point and direction (strict saddle, negative curvature, strict local
minimum, zero loss, undecided), and every tampering the check is meant to catch makes it fail."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from certify.certificate import seal
from certify.cli import main
from float_minima import float_minimum

TANH = '[model]\nkind = "deep-fc"\ndepth = 1\nactivation = "tanh"\ntrain_output = true\nwidth = {m}\n'


def _produce(directory, X, y, m: int, *args) -> tuple[int, object]:
    """Write the data and config into ``directory`` and run `certify critical` with ``args``."""
    directory.mkdir(parents=True, exist_ok=True)
    np.savez(directory / "d.npz", X=X, y=y)
    (directory / "c.toml").write_text('[data]\npath = "d.npz"\n\n' + TANH.format(m=m))
    try:
        main(["critical", str(directory / "c.toml"), *map(str, args), "--out", str(directory / "out")])
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, directory / "out"


@pytest.fixture(scope="module")
def saddle(tmp_path_factory):
    """theta = 0 of a width-4 tanh net on n = 10 stored rows: the classic strict saddle."""
    rng = np.random.default_rng(0)
    code, out = _produce(tmp_path_factory.mktemp("saddle"), rng.standard_normal((10, 3)), rng.standard_normal(10),
                         4, "--at", "zero", "--inputs", "stored")
    assert code == 0
    return out


@pytest.fixture(scope="module")
def minimum(tmp_path_factory):
    """A width-2 tanh net at a local minimum of noisy teacher data (n = 30 > P = 6)."""
    from numerics.networks import Architecture, Parameters
    from numerics.networks.float_forward import outputs

    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 2))
    teacher = Parameters(Architecture("deep-fc", 2, 2, depth=1, activation="tanh", train_output=True),
                         {"W1": rng.standard_normal((2, 2)), "a": 2 * rng.standard_normal(2)})
    y = outputs(teacher, X) + 0.1 * rng.standard_normal(30)
    d = tmp_path_factory.mktemp("minimum")
    np.savez(d / "w.npz", **float_minimum(teacher, X, y).layers)
    code, out = _produce(d, X, y, 2, "--weights", d / "w.npz", "--inputs", "stored")
    assert code == 0
    return out


@pytest.fixture
def check(run_cli):
    def _run(path):
        code, out, err = run_cli("check", path)
        return code, out + err
    return _run


def _copy(src, tmp_path):
    dst = tmp_path / "copy"
    shutil.copytree(src, dst)
    return dst


def _edit(src, tmp_path, change, reseal: bool = True):
    """A copy of the certificate directory with ``change(doc)`` applied (and resealed)."""
    dst = _copy(src, tmp_path)
    doc = json.loads((dst / "critical_point.json").read_text())
    change(doc)
    (dst / "critical_point.json").write_text(json.dumps(seal(doc) if reseal else doc, indent=2))
    return dst / "critical_point.json"


def test_a_fresh_strict_saddle_certificate_is_sealed_and_re_proved(saddle, check):
    doc = json.loads((saddle / "critical_point.json").read_text())
    assert doc["schema"] == "dl-certify/critical-point/1" and len(doc["content_sha256"]) == 64
    assert doc["critical_point"]["status"] == "strict-saddle"
    assert doc["inputs"] == "stored" and doc["data"]["n"] == 10 and len(doc["data"]["sha256"]) == 64
    assert doc["point"]["saved_as"] == "point.npz" and doc["direction"]["saved_as"] == "direction.npz"
    code, out = check(saddle / "critical_point.json")
    assert code == 0, out
    assert "check passed" in out and "float_search" in out      # named as not recomputed


def test_a_strict_local_minimum_certificate_is_re_proved(minimum, check):
    cp = json.loads((minimum / "critical_point.json").read_text())["critical_point"]
    assert cp["status"] == "strict-local-minimum" and float(cp["curvature"]["lambda_min"][0]) > 0
    code, out = check(minimum / "critical_point.json")
    assert code == 0, out


def test_a_negative_curvature_certificate_is_re_proved(tmp_path, check):
    """Near theta = 0 the gradient is far from 0 but the curvature along v is still negative."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((10, 3)), rng.standard_normal(10)
    np.savez(tmp_path / "w.npz", W1=0.05 * rng.standard_normal((4, 3)), a=0.05 * rng.standard_normal(4))
    code, out = _produce(tmp_path, X, y, 4, "--weights", tmp_path / "w.npz", "--inputs", "stored")
    cp = json.loads((out / "critical_point.json").read_text())["critical_point"]
    assert code == 0 and cp["status"] == "negative-curvature" and float(cp["grad_norm_upper"]) > 1e-3
    code, text = check(out / "critical_point.json")
    assert code == 0, text


def test_a_zero_loss_certificate_is_re_proved_by_the_instance_certificate(tmp_path, check):
    """P = 12 > n = 3 at a point that fits the (normalized) data exactly in float."""
    from numerics.networks import Architecture, Parameters
    from numerics.networks.float_forward import outputs

    rng = np.random.default_rng(2)
    p = Parameters(Architecture("deep-fc", 4, 2, depth=1, activation="tanh", train_output=True),
                   {"W1": rng.standard_normal((4, 2)), "a": rng.standard_normal(4)})
    X = rng.standard_normal((3, 2))
    np.savez(tmp_path / "w.npz", **p.layers)
    code, out = _produce(tmp_path, X, outputs(p, X / np.linalg.norm(X, axis=1, keepdims=True)), 4,
                         "--weights", tmp_path / "w.npz")
    cp = json.loads((out / "critical_point.json").read_text())["critical_point"]
    assert code == 0 and cp["status"] == "zero-loss"
    code, text = check(out / "critical_point.json")
    assert code == 0, text


def test_an_undecided_certificate_is_checked_too(tmp_path, check):
    """A ReLU net at theta = 0 sits on its kinks: undecided, no direction, and the check agrees."""
    rng = np.random.default_rng(0)
    d = tmp_path / "relu"
    d.mkdir()
    np.savez(d / "d.npz", X=rng.standard_normal((6, 2)), y=rng.standard_normal(6))
    (d / "c.toml").write_text('[data]\npath = "d.npz"\n\n[model]\nkind = "two-layer-relu"\nwidth = 3\n'
                              'train_output = true\n')
    with pytest.raises(SystemExit):
        main(["critical", str(d / "c.toml"), "--at", "zero", "--out", str(d / "out")])
    doc = json.loads((d / "out" / "critical_point.json").read_text())
    assert doc["critical_point"]["status"] == "undecided" and doc["direction"] is None
    code, text = check(d / "out" / "critical_point.json")
    assert code == 0, text


def _set(path: str, value):
    def change(doc):
        node = doc
        *parents, key = path
        for k in parents:
            node = node[k]
        node[key] = value(node[key]) if callable(value) else value
    return change


def _scaled(factor: float):
    return lambda text: repr(float(text) * factor)


@pytest.mark.parametrize("field, value, named", [
    (("critical_point", "status"), "negative-curvature", "critical_point.status"),
    (("critical_point", "grad_norm_upper"), _scaled(0.5), "critical_point.grad_norm_upper"),
    (("critical_point", "curvature", "direction_value_upper"), _scaled(1.5),
     "critical_point.curvature.direction_value_upper"),
    (("critical_point", "curvature", "direction_value", 1), _scaled(1.5), "direction_value.upper"),
    (("settings", "gradient_tol"), "1e-200", "critical_point.status"),
    (("inputs",), "normalized", "direction_value_upper"),
])
def test_a_false_or_unproved_claim_fails_the_check(saddle, tmp_path, check, field, value, named):
    code, out = check(_edit(saddle, tmp_path, _set(field, value)))
    assert code == 1 and named in out, out


@pytest.mark.parametrize("field, value", [
    (("critical_point", "grad_norm_upper"), "1e-10"),
    (("critical_point", "curvature", "direction_value_upper"), _scaled(0.5)),
    (("critical_point", "loss", 0), "0.0"),
])
def test_a_loosened_bound_is_a_true_weaker_claim(saddle, tmp_path, check, field, value):
    code, out = check(_edit(saddle, tmp_path, _set(field, value)))
    assert code == 0, out


def test_a_tightened_lambda_min_lower_end_fails_and_a_looser_one_passes(minimum, tmp_path, check):
    code, out = check(_edit(minimum, tmp_path / "a", _set(("critical_point", "curvature", "lambda_min", 0),
                                                           _scaled(1.01))))
    assert code == 1 and "lambda_min.lower" in out, out
    code, out = check(_edit(minimum, tmp_path / "b", _set(("critical_point", "curvature", "lambda_min", 0),
                                                           _scaled(0.5))))
    assert code == 0, out


def test_the_local_minimum_claim_is_re_proved_at_the_recorded_radius(minimum, tmp_path, check):
    """A radius too small for g < gamma radius proves no minimizer inside: not re-proved."""
    code, out = check(_edit(minimum, tmp_path, _set(("critical_point", "radius"), "1e-300")))
    assert code == 1 and "critical_point.status" in out and "strict-local-minimum" in out, out


def test_an_edit_without_resealing_fails_on_the_content_hash(saddle, tmp_path, check):
    code, out = check(_edit(saddle, tmp_path, _set(("critical_point", "reason"), "edited"), reseal=False))
    assert code == 1 and "content_sha256" in out, out


@pytest.mark.parametrize("name, key", [("point.npz", "point.sha256"), ("direction.npz", "direction.sha256")])
def test_a_replaced_point_or_direction_file_fails_on_its_sha256(saddle, tmp_path, check, name, key):
    dst = _copy(saddle, tmp_path)
    with np.load(dst / name) as z:
        arrays = {k: z[k].copy() for k in z.files}
    first = min(arrays)
    arrays[first].flat[0] += 1e-3
    np.savez(dst / name, **arrays)
    code, out = check(dst / "critical_point.json")
    assert code == 1 and key in out, out


@pytest.mark.parametrize("name", ["point.npz", "direction.npz"])
def test_a_missing_file_is_bad_input_naming_it(saddle, tmp_path, check, name):
    dst = _copy(saddle, tmp_path)
    (dst / name).unlink()
    code, out = check(dst / "critical_point.json")
    assert code == 2 and name in out, out


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_report_renders_the_certified_numbers(saddle, run_cli, tmp_path, fmt):
    doc = json.loads((saddle / "critical_point.json").read_text())
    code, out, err = run_cli("report", saddle / "critical_point.json", "--format", fmt, "--out", tmp_path / "r")
    assert code == 0, err
    text = (tmp_path / "r").read_text()
    cp = doc["critical_point"]
    assert "strict-saddle" in text and cp["grad_norm_upper"] in text
    assert cp["curvature"]["direction_value_upper"] in text
    if fmt == "html":
        assert text.lstrip().startswith("<!doctype html>") and "data:image/png;base64," in text
    else:
        assert "![ritz_values.png](ritz_values.png)" in text


def test_report_warns_about_an_edited_certificate(saddle, tmp_path, run_cli):
    path = _edit(saddle, tmp_path, _set(("critical_point", "reason"), "edited"), reseal=False)
    code, out, err = run_cli("report", path, "--format", "md")
    assert code == 0 and "was edited after `certify critical`" in out


def test_a_direction_of_the_wrong_length_is_bad_input_naming_the_file(saddle, tmp_path, check):
    dst = _copy(saddle, tmp_path)
    np.savez(dst / "direction.npz", v=np.ones(5))
    code, out = check(dst / "critical_point.json")
    assert code == 2 and "direction.npz" in out and "length P = 16" in out, out


def test_changed_data_fail_on_the_data_sha256(saddle, tmp_path, check):
    """The data are rebuilt from the recorded config; other arrays under the same name are caught."""
    shutil.copytree(saddle.parent, tmp_path / "moved")
    path = tmp_path / "moved" / "out" / "critical_point.json"
    doc = json.loads(path.read_text())
    doc["config_base_dir"] = str(tmp_path / "moved")
    path.write_text(json.dumps(seal(doc)))
    assert check(path)[0] == 0                      # the same arrays in the moved copy
    with np.load(tmp_path / "moved" / "d.npz") as z:
        X, y = z["X"], z["y"].copy()
    y[0] += 1.0
    np.savez(tmp_path / "moved" / "d.npz", X=X, y=y)
    code, out = check(path)
    assert code == 1 and "data.sha256" in out, out


def test_report_of_a_certificate_missing_a_field_is_bad_input_naming_it(saddle, tmp_path, run_cli):
    path = _edit(saddle, tmp_path, lambda doc: doc["critical_point"].pop("grad_norm_upper"))
    code, out, err = run_cli("report", path, "--format", "html")
    assert code == 2 and "CERT.critical_point.grad_norm_upper" in err


def test_malformed_fields_are_bad_input_or_shown_as_written_never_an_internal_error(saddle, tmp_path, run_cli):
    """Found by editing every field in turn: a config.data that is not an object (check) and a
    pair that is not two numbers or a status that is not a string (report)."""
    path = _edit(saddle, tmp_path / "a", _set(("config", "data"), "x"))
    code, _, err = run_cli("check", path)
    assert code == 2 and "data" in err
    path = _edit(saddle, tmp_path / "b", lambda doc: doc["critical_point"].update(loss="x", status=None))
    code, out, _ = run_cli("report", path, "--format", "md")
    assert code == 0 and "**Status: None**" in out and "| x |" in out
    code, out, _ = run_cli("report", path, "--format", "html")
    assert code == 0 and "<b>Status: None</b>" in out and "<td>x</td>" in out


def test_a_minimum_records_its_refined_center_and_the_check_re_proves_it(minimum, tmp_path, check):
    """center.npz holds the two-float center; its gradient bound, move and loss are re-proved, a
    tightened center gradient bound or a replaced or missing center file fails."""
    doc = json.loads((minimum / "critical_point.json").read_text())
    ref = doc["critical_point"]["refinement"]
    assert doc["center"]["saved_as"] == "center.npz" and (minimum / "center.npz").is_file()
    assert float(ref["center_grad_norm_upper"]) < float(doc["critical_point"]["grad_norm_upper"])
    code, out = check(_edit(minimum, tmp_path / "a", _set(("critical_point", "refinement", "center_grad_norm_upper"),
                                                           repr(float(ref["center_grad_norm_upper"]) / 4))))
    assert code == 1 and "center_grad_norm_upper" in out, out
    dst = _copy(minimum, tmp_path / "b")
    with np.load(dst / "center.npz") as z:
        arrays = {k: z[k].copy() for k in z.files}
    arrays["correction"].flat[0] += 1e-9
    np.savez(dst / "center.npz", **arrays)
    code, out = check(dst / "critical_point.json")
    assert code == 1 and "center.sha256" in out, out
    (dst / "center.npz").unlink()
    code, out = check(dst / "critical_point.json")
    assert code == 2 and "center.npz" in out, out


def test_report_says_when_lanczos_had_not_reached_the_certified_lambda_min():
    from certify.critical_report import _unconverged

    cp = {"curvature": {"lambda_min": ["0.0401", "0.0402"]}}
    assert "had not converged" in _unconverged(cp, {"ritz_values": [0.281, 1.0]})
    assert _unconverged(cp, {"ritz_values": [0.0402, 1.0]}) == ""
    assert _unconverged({"curvature": {"lambda_min": None}}, {"ritz_values": [0.3]}) == ""


def test_a_failing_float_search_writes_an_undecided_certificate_that_checks(tmp_path, check, monkeypatch):
    import numerics.curvature.critical_point as cp

    def failing(*args, **kwargs):
        raise np.linalg.LinAlgError("Eigenvalues did not converge (test)")

    monkeypatch.setattr(cp, "lanczos_spectrum", failing)
    rng = np.random.default_rng(4)
    X, y = rng.standard_normal((8, 2)), rng.standard_normal(8)
    code, out = _produce(tmp_path, X, y, 2, "--at", "init", "--inputs", "stored")
    doc = json.loads((out / "critical_point.json").read_text())
    assert code == 1 and doc["critical_point"]["status"] == "undecided"
    assert "Lanczos search failed" in doc["critical_point"]["reason"] and doc["float_search"]["ritz_values"] == []
    assert "No spectrum estimate" in (out / "report.md").read_text()
    code, text = check(out / "critical_point.json")
    assert code == 0, text


def test_the_bundled_example_is_a_strict_saddle_at_zero_and_checks(run_cli, tmp_path, check):
    """examples/critical_iris_tanh.toml as its header says to run it: theta = 0 of the tanh net on
    iris is certified a strict saddle (gradient 0, curvature along v proved negative)."""
    from pathlib import Path

    pytest.importorskip("sklearn")
    example = Path(__file__).resolve().parents[2] / "examples" / "critical_iris_tanh.toml"
    code, out, err = run_cli("critical", str(example), "--at", "zero", "--out", str(tmp_path / "zero"))
    doc = json.loads((tmp_path / "zero" / "critical_point.json").read_text())
    assert code == 0 and doc["critical_point"]["status"] == "strict-saddle", out + err
    assert float(doc["critical_point"]["curvature"]["direction_value_upper"]) < 0
    code, text = check(tmp_path / "zero" / "critical_point.json")
    assert code == 0, text
