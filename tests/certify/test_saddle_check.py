"""`certify check` on saddle certificates: an untouched certificate passes (exit 0); an edited one
fails (exit 1) whether or not it was re-sealed; foreign JSON is bad input (exit 2). Also the
saddle example configs (examples/saddle_*.toml), run and re-checked as a user would."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from certify.certificate import content_hash, seal, write_json_atomic
from certify.cli import main

ROOT = Path(__file__).resolve().parents[2]
SADDLE_EXAMPLES = sorted((ROOT / "examples").glob("saddle_*.toml"))


@pytest.fixture(scope="module")
def paper_cert(tmp_path_factory) -> dict:
    """The worked example of Lee et al. 2016 through the CLI (sealed certificate as written)."""
    out = tmp_path_factory.mktemp("paper")
    with pytest.raises(SystemExit) as exc:
        main(["saddle", "--expr", "x^2/2 + y^4/4 - y^2/2", "--box", "x=-2:2,y=-2:2", "--out", str(out)])
    assert exc.value.code == 0
    return json.loads((out / "certificate.json").read_text())


def _write(tmp_path, cert) -> Path:
    path = tmp_path / "certificate.json"
    write_json_atomic(path, cert)
    return path


def _saddle_index(cert) -> int:
    return next(i for i, p in enumerate(cert["critical_points"]) if p["kind"] == "strict-saddle")


def test_untouched_certificate_passes(paper_cert, tmp_path, run_cli):
    code, out, err = run_cli("check", _write(tmp_path, paper_cert))
    assert code == 0, err
    assert "saddle-certificate" in out


def _set_hessian(c):
    c["critical_points"][_saddle_index(c)]["hessian_min_eig"]["lo"] = "-0.5"


def _set_kind(c):
    c["critical_points"][_saddle_index(c)]["kind"] = "local-min"


def _drop_point(c):
    del c["critical_points"][_saddle_index(c)]


def _set_theorem(c):
    t = next(t for t in c["theorems"] if t["id"] == "jin2017-pgd")
    t["status"] = "certified"


def _set_hypothesis(c):
    t = next(t for t in c["theorems"] if t["id"] == "lsjr2016-gd-avoids-saddles")
    t["hypotheses"][0]["verdict"] = "undecided"


def _set_box_input(c):
    c["inputs"]["box"]["x"] = ["-3.0", "3.0"]


def _set_objective_input(c):
    c["inputs"]["objective"] = {"expr": "x^2/2 + y^4/4 - y^2/3"}


def _set_step_input(c):
    c["inputs"]["step"] = 0.05


TAMPERINGS = {
    "hessian-eigenvalue": (_set_hessian, "hessian_min_eig.lo"),
    "kind": (_set_kind, ".kind"),
    "dropped-point": (_drop_point, "critical_points"),
    "complete": (lambda c: c.update(complete=False), "complete"),
    "strict-saddle-property": (lambda c: c.update(strict_saddle_property="undecided"), "strict_saddle_property"),
    "gamma": (lambda c: c["constants"].update(gamma="2.0"), "constants.gamma"),
    "ell": (lambda c: c["constants"]["ell"].update(hi="1.0"), "constants.ell.hi"),
    "allowed-step": (lambda c: c["step_size"].update(allowed_below="1.0"), "step_size.allowed_below"),
    "theorem-status": (_set_theorem, ".status: recorded 'certified'"),
    "hypothesis-verdict": (_set_hypothesis, ".hypotheses[0].verdict"),
    "box-input": (_set_box_input, "objective.box.x"),
    "objective-input": (_set_objective_input, "objective"),
    "step-input": (_set_step_input, "step_size.chosen"),
}


@pytest.mark.parametrize("name", sorted(TAMPERINGS))
def test_tampered_and_resealed_fails(paper_cert, tmp_path, run_cli, name):
    """Re-sealing hides an edit from the hash; the recomputation still finds it, at the edited field."""
    edit, where = TAMPERINGS[name]
    cert = copy.deepcopy(paper_cert)
    edit(cert)
    cert = seal(cert)
    assert cert["content_sha256"] == content_hash(cert)
    code, _, err = run_cli("check", _write(tmp_path, cert))
    assert code == 1
    assert "content_sha256" not in err
    assert where in err, err


@pytest.mark.parametrize("name", ["hessian-eigenvalue", "gamma"])
def test_tampered_without_resealing_fails(paper_cert, tmp_path, run_cli, name):
    edit, where = TAMPERINGS[name]
    cert = copy.deepcopy(paper_cert)
    edit(cert)
    code, _, err = run_cli("check", _write(tmp_path, cert))
    assert code == 1
    assert "content_sha256 does not match" in err and where in err


def test_edit_of_an_unchecked_field_is_caught_by_the_hash(paper_cert, tmp_path, run_cli):
    cert = copy.deepcopy(paper_cert)
    cert["environment"]["python"] = "0.0"
    code, _, err = run_cli("check", _write(tmp_path, cert))
    assert code == 1 and "content_sha256" in err


@pytest.mark.parametrize("key,value,words", [("max_boxes", 0, "--max-boxes"), ("step", "0.1", "CERT.inputs.step"),
                                             ("seed", 1.5, "CERT.inputs.seed"), ("box", {"x": [1, 0]}, "CERT.inputs.box.x"),
                                             ("objective", {"python": "1"}, "CERT.inputs.objective")])
def test_resealed_invalid_inputs_fail_with_exit_1(paper_cert, tmp_path, run_cli, key, value, words):
    cert = copy.deepcopy(paper_cert)
    cert["inputs"][key] = value
    code, _, err = run_cli("check", _write(tmp_path, seal(cert)))
    assert code == 1 and "rejected on recomputation" in err and words in err, err


@pytest.mark.parametrize("doc", [
    {"hello": "world"},
    {"schema": "someone-else/certificate/7", "verdict": "certified"},
    [1, 2, 3],
])
def test_foreign_json_is_bad_input(tmp_path, run_cli, doc):
    path = tmp_path / "foreign.json"
    path.write_text(json.dumps(doc))
    code, _, err = run_cli("check", path)
    assert code == 2 and "schema" in err


def test_not_json_is_bad_input(tmp_path, run_cli):
    path = tmp_path / "foreign.json"
    path.write_text("this is not JSON {")
    code, _, err = run_cli("check", path)
    assert code == 2 and "valid JSON" in err


def test_saddle_certificate_without_inputs_is_bad_input(paper_cert, tmp_path, run_cli):
    cert = copy.deepcopy(paper_cert)
    del cert["inputs"]
    code, _, err = run_cli("check", _write(tmp_path, seal(cert)))
    assert code == 2 and "CERT.inputs" in err


def test_builtin_with_explicit_box_mapping_recomputes():
    """The Python API with a box mapping and non-default options: recorded, then re-checked."""
    from certify.commands.saddle import certify_saddle, check_saddle_certificate

    cert = seal(json.loads(json.dumps(certify_saddle(builtin="quadratic-saddle-d2", box={"x1": (-0.5, 1), "x2": (-1, 0.75)},
                                                     step=0.25, delta=0.2, c=2.0, max_boxes=5000))))
    assert cert["inputs"]["box"] == {"x1": ["-0.5", "1.0"], "x2": ["-1.0", "0.75"]}
    assert cert["step_size"]["chosen"] == "0.25"
    assert check_saddle_certificate(cert).problems == []


@pytest.fixture(scope="module")
def example_runs(tmp_path_factory) -> dict:
    """Each examples/saddle_*.toml run once through `certify saddle --config`: stem -> (exit code, out dir)."""
    runs = {}
    for example in SADDLE_EXAMPLES:
        out = tmp_path_factory.mktemp(example.stem)
        with pytest.raises(SystemExit) as exc:
            main(["saddle", "--config", str(example), "--out", str(out)])
        runs[example.stem] = (exc.value.code, out)
    return runs


def test_there_are_saddle_examples():
    assert {p.stem for p in SADDLE_EXAMPLES} >= {"saddle_paper_example", "saddle_monkey"}


@pytest.mark.parametrize("example", SADDLE_EXAMPLES, ids=[p.stem for p in SADDLE_EXAMPLES])
def test_saddle_example_runs_and_checks(example, example_runs, run_cli):
    code, out = example_runs[example.stem]
    assert code in (0, 1)
    cert = json.loads((out / "certificate.json").read_text())
    assert code == (0 if cert["strict_saddle_property"] == "holds" else 1)
    html = (out / "report.html").read_text()
    assert "<script" not in html and "src=\"http" not in html and "href=\"http" not in html
    code, _, err = run_cli("check", out / "certificate.json")
    assert code == 0, f"certify check failed on a fresh certificate of {example.name}:\n{err}"


def test_paper_example_config_matches_the_paper(example_runs):
    """Lee et al. 2016's example: minima (0, +-1), a strict saddle at 0 with Hessian diag(1, -1)."""
    code, out = example_runs["saddle_paper_example"]
    cert = json.loads((out / "certificate.json").read_text())
    assert code == 0 and cert["complete"] is True
    expected = {(0.0, 1.0): ("local-min", 1.0), (0.0, -1.0): ("local-min", 1.0), (0.0, 0.0): ("strict-saddle", -1.0)}
    for (x, y), (kind, lam_min) in expected.items():
        hits = [p for p in cert["critical_points"]
                if float(p["box"]["x"]["lo"]) <= x <= float(p["box"]["x"]["hi"])
                and float(p["box"]["y"]["lo"]) <= y <= float(p["box"]["y"]["hi"])]
        assert len(hits) == 1 and hits[0]["kind"] == kind
        assert float(hits[0]["hessian_min_eig"]["lo"]) <= lam_min <= float(hits[0]["hessian_min_eig"]["hi"])
    assert len(cert["critical_points"]) == 3
    assert cert["empirical"]["evidence_only"] is True
    assert cert["inputs"]["objective"] == {"expr": "x^2/2 + y^4/4 - y^2/2"}


def test_monkey_config_is_a_negative_control(example_runs):
    code, out = example_runs["saddle_monkey"]
    cert = json.loads((out / "certificate.json").read_text())
    assert code == 1 and cert["strict_saddle_property"] != "holds"
    origin = [p for p in cert["critical_points"]
              if all(float(iv["lo"]) <= 0 <= float(iv["hi"]) for iv in p["box"].values())]
    assert origin and all(p["kind"] != "strict-saddle" for p in origin)


def test_python_api_sympy_objective_recomputes_through_the_grammar():
    """A sympy objective is recorded as text and re-read by the restricted grammar, never sympified."""
    import sympy as sp

    from certify.commands.saddle import certify_saddle, check_saddle_certificate

    x, y = sp.symbols("x y", real=True)
    cert = seal(json.loads(json.dumps(certify_saddle(sympy_expr=x**2 / 2 - y**2 + y**4 / 4 + x * y / 3,
                                                     box="x=-1:1,y=-2:2"))))
    assert set(cert["inputs"]["objective"]) == {"sympy"}
    assert check_saddle_certificate(cert).problems == []
    cert["inputs"]["objective"] = {"sympy": "__import__('os').getcwd()"}
    problems = check_saddle_certificate(seal(cert)).problems
    assert problems and "rejected on recomputation" in problems[0]
