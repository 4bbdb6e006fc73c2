"""A portable `certify check` (issue 15, item 5): a certificate made on another machine checks
here; a certificate whose verdict or bound was changed to a false one, or whose structure was
tampered with, is rejected naming the field; malformed JSON is bad input naming the field.

"Another machine" is simulated within the error bounds of the arithmetic: every interval Gram
matrix widened outward by a few ulps (still an enclosure, as another BLAS or summation order
gives) and every float eigenvalue estimate moved by a few units in the 15th digit (as another
LAPACK gives). Both change the certificate's endpoints and the chosen m and eta.
"""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path

import numpy as np
import pytest

from certify.certificate import content_hash, seal

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "two_layer_relu.toml"


@contextlib.contextmanager
def another_machine(ulps: int = 4, rel: float = 3e-15):
    import numerics.kernels.two_layer as tl
    import numerics.linalg.spectral as spectral

    gram0, eig0 = tl.two_layer_relu_gram, spectral._smallest_eigenpairs

    def gram(X, *args, **kw):
        H = gram0(X, *args, **kw)
        lo, hi = H.lo.copy(), H.hi.copy()
        for _ in range(ulps):
            lo, hi = np.nextafter(lo, -np.inf), np.nextafter(hi, np.inf)
        return type(H)(lo, hi)

    def eig(M, work, k=3):
        th, V, L = eig0(M, work, k)
        return th * (1 - rel), V, L

    tl.two_layer_relu_gram, spectral._smallest_eigenpairs = gram, eig
    try:
        yield
    finally:
        tl.two_layer_relu_gram, spectral._smallest_eigenpairs = gram0, eig0


@pytest.fixture(scope="module")
def certs():
    """(made here, made on another machine), both sealed."""
    from certify.pipeline import run

    here = run(EXAMPLE, empirical=False)
    with another_machine():
        there = run(EXAMPLE, empirical=False)
    return here, there


def _check(cert):
    from certify.run_check import check_run_certificate

    return check_run_certificate(cert)


def test_the_simulated_machine_really_differs(certs):
    here, there = certs
    a, b = here["theorems"][2], there["theorems"][2]
    assert a["quantities"]["lambda0"]["lo"] != b["quantities"]["lambda0"]["lo"]
    assert a["parameters"]["m"] != b["parameters"]["m"] and a["parameters"]["eta"] != b["parameters"]["eta"]


def test_a_certificate_from_another_machine_checks_here(certs):
    _, there = certs
    result = _check(there)
    assert result.problems == [], result.problems


def test_a_certificate_from_here_checks_on_another_machine(certs):
    here, _ = certs
    with another_machine():
        result = _check(here)
    assert result.problems == [], result.problems


def test_a_zero_margin_choice_is_reported_as_not_reproved_elsewhere(monkeypatch):
    """Had the producer chosen m just above its own width enclosure and eta at its lower end (no
    margin), another machine could not re-prove those hypotheses: the check says so instead of
    accepting them, and the producer's margin (proofs/evaluation.py) is what avoids it."""
    import math

    import proofs.evaluation as ev
    from certify.pipeline import run

    monkeypatch.setattr(ev, "_integer_above", lambda x: math.floor(float(x.hi)) + 1)
    monkeypatch.setattr(ev, "_step_below", lambda x: float(x.lo))
    cert = run(EXAMPLE, empirical=False)
    assert _check(cert).problems == []          # here, the producer's own enclosures re-prove it
    with another_machine():
        problems = _check(cert).problems
    assert any("theorems[2].hypotheses[2].verdict" in p and "not re-proved" in p for p in problems), problems
    assert any("theorems[2].hypotheses[4].verdict" in p and "not re-proved" in p for p in problems), problems


def _insert_fake_first(c):
    fake = copy.deepcopy(c["theorems"][2])
    fake["title"] = "a fake entry"
    c["theorems"].insert(2, fake)


def _lo_above_hi(c):
    lam = c["theorems"][1]["quantities"]["lambda0"]
    lam["lo"], lam["hi"] = repr(float(lam["hi"]) * (1 + 1e-6)), repr(float(lam["hi"]) * (1 + 2e-6))


def _fails_to_holds(c):
    h = c["theorems"][2]["hypotheses"][4]
    h["verdict"] = "fails"


def _small_width(c):
    c["theorems"][2]["parameters"]["m"] = 1000


def _big_step(c):
    c["theorems"][2]["parameters"]["eta"] = "0.001"


MUTATIONS = {
    "fake entry with the same id before the genuine one": (_insert_fake_first, "theorems: 4 entries recorded, 3"),
    "extra theorem entry": (lambda c: c["theorems"].append(copy.deepcopy(c["theorems"][0])), "theorems: 4 entries"),
    "dropped theorem entry": (lambda c: c["theorems"].pop(), "theorems: 2 entries"),
    "edited title": (lambda c: c["theorems"][0].update(title="Something else"), "theorems[0].title"),
    "data.n": (lambda c: c["data"].update(n=21), "data.n"),
    "data.source": (lambda c: c["data"].update(source="my data"), "data.source"),
    "extra top-level key": (lambda c: c.update(approved_by="a reviewer"), "approved_by: unknown key"),
    "extra key in a hypothesis": (lambda c: c["theorems"][2]["hypotheses"][0].update(proof="trust me"),
                                  "theorems[2].hypotheses[0].proof: unknown key"),
    "missing key": (lambda c: c["theorems"][1].pop("constants"), "theorems[1].constants: missing"),
    "false lambda0 bound": (_lo_above_hi, "theorems[1].quantities.lambda0.lo"),
    "verdict flipped": (_fails_to_holds, "theorems[2].hypotheses[4].verdict: recorded 'fails' is false"),
    "status": (lambda c: c["theorems"][0].update(status="not-certified"), "theorems[0].status"),
    "overall verdict": (lambda c: c.update(verdict="not-certified"), "verdict: recorded 'not-certified'"),
    "width too small for its verdict": (_small_width, "theorems[2].hypotheses[2].verdict: recorded 'holds' is false"),
    "step too large for its verdict": (_big_step, "theorems[2].hypotheses[4].verdict: recorded 'holds' is false"),
    "config": (lambda c: c["config"]["certify"].update(delta=0.1), "theorems[1].parameters.delta"),
    "data hash": (lambda c: c["data"].update(sha256="0" * 64), "data.sha256"),
    "endpoint not a float string": (lambda c: c["theorems"][0]["quantities"]["lambda0"].update(lo="0.04x"),
                                    "theorems[0].quantities.lambda0.lo"),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_a_tampered_and_resealed_certificate_is_rejected_naming_the_field(certs, name):
    edit, field = MUTATIONS[name]
    cert = copy.deepcopy(certs[0])
    edit(cert)
    cert = seal({k: v for k, v in cert.items() if k != "content_sha256"})
    assert cert["content_sha256"] == content_hash(cert)     # the hash proves nothing about who wrote it
    problems = _check(cert).problems
    assert any(field in p for p in problems), (field, problems)


def test_an_unsealed_edit_is_reported_as_corruption(certs):
    cert = copy.deepcopy(certs[0])
    cert["theorems"][0]["title"] = "x"
    problems = _check(cert).problems
    assert any("content_sha256" in p for p in problems) and any("theorems[0].title" in p for p in problems)


def test_a_weaker_true_enclosure_is_accepted(certs):
    cert = copy.deepcopy(certs[0])
    lam = cert["theorems"][2]["quantities"]["lambda0"]
    lam["lo"], lam["hi"] = repr(float(lam["lo"]) / 2), repr(float(lam["hi"]) * 2)
    assert _check(seal({k: v for k, v in cert.items() if k != "content_sha256"})).problems == []


# ------------------------------------------------------------------ bad input through the CLI
def _write_text(tmp_path, text) -> Path:
    p = tmp_path / "certificate.json"
    p.write_text(text)
    return p


def test_nan_is_bad_input_naming_the_field(certs, tmp_path, run_cli):
    hi = certs[0]["theorems"][0]["quantities"]["lambda0"]["hi"]
    text = json.dumps(certs[0]).replace(f'"hi": "{hi}"', '"hi": NaN', 1)
    assert "NaN" in text
    code, _, err = run_cli("check", _write_text(tmp_path, text))
    assert code == 2 and "CERT.theorems[0].quantities.lambda0.hi" in err and "NaN" in err


def test_infinity_is_bad_input(tmp_path, run_cli):
    code, _, err = run_cli("check", _write_text(tmp_path, '{"schema": "dl-certify/certificate/1", "x": -Infinity}'))
    assert code == 2 and "CERT.x" in err


def test_a_repeated_key_is_bad_input_naming_it(certs, tmp_path, run_cli):
    text = json.dumps(certs[0]).replace('"verdict": "certified"', '"verdict": "not-certified", "verdict": "certified"', 1)
    code, _, err = run_cli("check", _write_text(tmp_path, text))
    assert code == 2 and "CERT.verdict" in err and "more than once" in err


def test_a_repeated_theorem_key_is_bad_input(certs, tmp_path, run_cli):
    text = json.dumps(certs[0]).replace('"status": "certified"', '"status": "certified", "status": "certified"', 1)
    code, _, err = run_cli("check", _write_text(tmp_path, text))
    assert code == 2 and "CERT.theorems[0].status" in err


def test_an_unknown_schema_version_gets_a_clear_message(certs, tmp_path, run_cli):
    cert = dict(certs[0], schema="dl-certify/certificate/2")
    code, _, err = run_cli("check", _write_text(tmp_path, json.dumps(cert)))
    assert code == 2 and "another version of dl-certify" in err and "dl-certify/certificate/1" in err


def test_an_unknown_kind_is_bad_input(certs, tmp_path, run_cli):
    cert = dict(certs[0], kind="sweep")
    code, _, err = run_cli("check", _write_text(tmp_path, json.dumps(cert)))
    assert code == 2 and "CERT.kind" in err


def test_a_malformed_recorded_choice_is_bad_input(certs, tmp_path, run_cli):
    cert = copy.deepcopy(certs[0])
    cert["theorems"][2]["parameters"]["eta"] = "0.1000"          # not the float's repr
    code, _, err = run_cli("check", _write_text(tmp_path, json.dumps(seal(cert))))
    assert code == 2 and "CERT.theorems[2].parameters.eta" in err


def test_the_cli_passes_and_names_what_it_did_not_recompute(certs, tmp_path, run_cli):
    code, out, err = run_cli("check", _write_text(tmp_path, json.dumps(certs[1])))
    assert code == 0, err
    assert "every verdict re-proved" in out and "environment" in err


def test_a_certificate_moved_with_its_data_checks_elsewhere(tmp_path, run_cli):
    """The recorded config_base_dir is the producer's directory; a certificate copied elsewhere with
    its data file beside it still checks (the data's sha256 decides that it is the same data)."""
    import shutil

    rng = np.random.default_rng(3)
    src, dst = tmp_path / "made-here", tmp_path / "copied-there"
    src.mkdir()
    dst.mkdir()
    np.savez(src / "data.npz", X=rng.standard_normal((7, 3)), y=rng.choice([-1.0, 1.0], 7))
    (src / "c.toml").write_text('[data]\npath = "data.npz"\n[certify]\ntheorems = ["dzps2019-two-layer-gd"]\n')
    code, _, err = run_cli("run", src / "c.toml", "--out", src / "out", "--no-empirical")
    assert code in (0, 1), err
    shutil.copy(src / "out" / "certificate.json", dst / "certificate.json")
    shutil.move(str(src / "data.npz"), dst / "data.npz")
    code, _, err = run_cli("check", dst / "certificate.json")
    assert code == 0, err
    code, out, err = run_cli("check", "--independent", dst / "certificate.json")
    assert code == 0 and "[replayed] data.sha256" in out, out + err
    np.savez(dst / "data.npz", X=rng.standard_normal((7, 3)), y=rng.choice([-1.0, 1.0], 7))
    code, _, err = run_cli("check", dst / "certificate.json")
    assert code == 1 and "data.sha256" in err
