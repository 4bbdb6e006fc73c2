"""The examples gallery (issue 8, item 5): every examples/*.toml that `certify run` accepts.

Each example is run as a user runs it, its certificate is validated against the schema and
re-checked by `certify check`, its reports are kept as artifacts (copied to $CERTIFY_ARTIFACTS
when set), and its derived bounds are compared with the project's lock, tests/certify/certify.lock,
through dl-certify's own pytest plugin (`pytest --certify-update` rewrites it).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from certify.errors import BadInput

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))
LOCK = Path(__file__).resolve().parent / "certify.lock"


@pytest.fixture
def certify_lock_path() -> Path:
    """This module's bounds live in the project's own lock."""
    return LOCK


def _accepted_by_run(path: Path) -> bool:
    from certify.config import load_config

    try:
        load_config(path)
    except BadInput:
        return False
    return True


RUN_EXAMPLES = [p for p in EXAMPLES if _accepted_by_run(p)]
SADDLE_EXAMPLES = [p for p in EXAMPLES if p.stem.startswith("saddle_")]


def test_every_example_is_run_by_a_test():
    """`certify run` configurations run below; `certify saddle --config` ones in
    test_saddle_check.py (test_saddle_example_runs_and_checks). None is left out, none skips."""
    from certify.saddle_config import load_saddle_config

    for p in SADDLE_EXAMPLES:
        load_saddle_config(p)
    assert set(RUN_EXAMPLES) | set(SADDLE_EXAMPLES) == set(EXAMPLES)
    assert not set(RUN_EXAMPLES) & set(SADDLE_EXAMPLES)


def _keep_artifacts(out: Path, name: str) -> None:
    dest = os.environ.get("CERTIFY_ARTIFACTS")
    if dest:
        target = Path(dest) / name
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(out, target)


@pytest.mark.parametrize("example", RUN_EXAMPLES, ids=[p.stem for p in RUN_EXAMPLES])
def test_example_runs_validates_checks_and_matches_the_lock(example, tmp_path, run_cli, certify_bounds):
    from certify.schema import certificate_problems

    out = tmp_path / example.stem
    code, stdout, err = run_cli("run", example, "--out", out)
    assert code in (0, 1), f"{example.name}: exit {code}\n{err}"
    _keep_artifacts(out, example.stem)

    cert = json.loads((out / "certificate.json").read_text())
    assert code == (0 if cert["verdict"] == "certified" else 1)
    assert certificate_problems(cert) == []
    html, md = (out / "report.html").read_text(), (out / "report.md").read_text()
    for t in cert["theorems"]:
        assert f'<section class="theorem" id="{t["id"]}">' in html
        assert f"## {t['id']}:" in md
    assert "<script" not in html

    code, out_text, err = run_cli("check", out / "certificate.json")
    assert code == 0, f"certify check failed on a fresh certificate of {example.name}:\n{err}"

    certify_bounds.check(cert, example.relative_to(ROOT).as_posix())


def test_every_example_is_covered_by_the_lock(request):
    """Entries of examples that no longer exist would rot silently; every accepted example has one."""
    from certify.config import load_config

    if request.config.getoption("certify_update"):
        pytest.skip("the lock is being rewritten in this session")
    lock = json.loads(LOCK.read_text())
    keys = set(lock["entries"])
    accepted = []
    for p in EXAMPLES:
        try:
            load_config(p)
        except BadInput:
            continue
        accepted.append(p.relative_to(ROOT).as_posix())
    assert set(accepted) <= keys, f"run `pytest tests/certify/test_examples.py --certify-update`: missing {set(accepted) - keys}"
    assert keys <= set(accepted) | {k for k in keys if not k.startswith("examples/")}, \
        f"stale lock entries: {keys - set(accepted)}"


def test_two_layer_example_bounds(certify):
    """The bundled example, through the plugin's assertions: certified, and the width Thm 4.1
    asks for is astronomically larger than Thm 3.2's (eq. numbers in proofs/dzps2019.py)."""
    run = certify(ROOT / "examples" / "two_layer_relu.toml")
    run.assert_certified()
    gf, gd = run.constant("dzps2019-two-layer-gf", "width"), run.constant("dzps2019-two-layer-gd", "width")
    assert gd.lo > gf.hi
    lam = run.quantity("dzps2019-two-layer-gd", "lambda0")
    n = 20
    run.assert_constant("dzps2019-two-layer-gd", "step_size", at_most=lam.hi / (4 * n**2) * (1 + 1e-12), at_least=lam.lo / (4 * n**2) * (1 - 1e-12))
    run.assert_verdict("dzps2019-lambda0-positive", "no-parallel-inputs", "holds")


def test_reports_are_copied_to_the_artifact_directory(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("<!DOCTYPE html>")
    monkeypatch.delenv("CERTIFY_ARTIFACTS", raising=False)
    _keep_artifacts(out, "example")  # no destination: nothing to do
    monkeypatch.setenv("CERTIFY_ARTIFACTS", str(tmp_path / "artifacts"))
    _keep_artifacts(out, "example")
    _keep_artifacts(out, "example")  # a second run replaces the first
    assert (tmp_path / "artifacts" / "example" / "report.html").read_text() == "<!DOCTYPE html>"
