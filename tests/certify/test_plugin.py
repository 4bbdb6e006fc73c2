"""The pytest plugin (issue 8, item 2): a lock of derived bounds that fails on regressions.

Each test drives a separate pytest session in a scratch project (pytester) that uses the plugin
as a user would: through the `pytest11` entry point, its fixtures and `--certify-update`.
"""

from __future__ import annotations

import json
import textwrap

import hypothesis  # noqa: F401 - imported here so pytester's module snapshot keeps it between inner runs
import pytest

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def _lean_inner_sessions(monkeypatch):
    """Inner sessions skip Hypothesis's plugin (its end-of-session report is slow and unused here)."""
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:hypothesispytest -p no:cacheprovider")

SMALL = {
    "data": {"source": "sphere", "n": 6, "d": 3, "seed": 0},
    "certify": {"theorems": ["dzps2019-two-layer-gd"], "delta": 0.1},
}
GD = "dzps2019-two-layer-gd"


@pytest.fixture(scope="module")
def cert_file(tmp_path_factory):
    from certify.certificate import write_json_atomic
    from certify.pipeline import run

    path = tmp_path_factory.mktemp("plugin") / "certificate.json"
    write_json_atomic(path, run(SMALL, empirical=False))
    return path


def _edit_lock(pytester, edit) -> None:
    path = pytester.path / "certify.lock"
    lock = json.loads(path.read_text())
    edit(lock["entries"]["small"]["theorems"][GD])
    path.write_text(json.dumps(lock, indent=2))


def test_plugin_is_registered_through_the_entry_point(pytester):
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*--certify-update*", "*--certify-lock=PATH*"])


def test_lock_cycle_new_pass_looser_tighter_update(pytester, cert_file):
    pytester.makepyfile(test_bounds=f"""
        import json

        def test_bounds(certify_bounds):
            certify_bounds.check(json.load(open({str(cert_file)!r})), "small")
    """)
    cert = json.loads(cert_file.read_text())
    width = cert["theorems"][0]["constants"]["width"]

    # no entry yet: fail and say how to record one
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*has no entry 'small'*--certify-update*"])

    # record it
    result = pytester.runpytest("--certify-update")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*rewrote*certify.lock*"])
    lock = json.loads((pytester.path / "certify.lock").read_text())
    from certify.commands.diff import config_hash

    entry = lock["entries"]["small"]
    assert lock["schema"] == "dl-certify/bounds-lock/1"
    assert entry["config_hash"] == config_hash(cert)
    locked = entry["theorems"][GD]["constants"]["width"]
    assert (locked["lo"], locked["hi"], locked["expr"]) == (width["lo"], width["hi"], width["expr"])
    assert locked["tighter"] == "smaller-is-tighter"
    assert {h["id"]: h["verdict"] for h in entry["theorems"][GD]["hypotheses"]} == {
        h["id"]: h["verdict"] for h in cert["theorems"][0]["hypotheses"]}

    # unchanged: pass
    pytester.runpytest().assert_outcomes(passed=1)

    # the lock recorded a smaller width: today's bound is looser -> readable failure
    smaller = repr(float(width["hi"]) / 2)

    def tighter_in_lock(t):
        t["constants"]["width"]["lo"] = t["constants"]["width"]["hi"] = smaller

    _edit_lock(pytester, tighter_in_lock)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*derived bounds of 'small' differ from the lock*",
        f"*[[]REGRESSION[]] theorem {GD} / constant width*",
        f"*locked: [[]{smaller}, {smaller}[]]*",
        "*looser: upper end grew*",
        "*pytest --certify-update*",
    ])

    # the lock recorded a larger width: today's bound is tighter -> pass, reported
    larger = repr(float(width["hi"]) * 2)

    def looser_in_lock(t):
        t["constants"]["width"]["lo"] = t["constants"]["width"]["hi"] = larger

    _edit_lock(pytester, looser_in_lock)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*dl-certify bounds*", f"*tighter bound for 'small': theorem {GD} / constant width*"])

    # update accepts the tighter bound
    result = pytester.runpytest("--certify-update")
    result.assert_outcomes(passed=1)
    lock = json.loads((pytester.path / "certify.lock").read_text())
    assert lock["entries"]["small"]["theorems"][GD]["constants"]["width"]["hi"] == width["hi"]
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.parametrize("edit,expected", [
    (lambda t: t["hypotheses"][-1].update(verdict="undecided"), "*[[]VERDICT CHANGED[]]*hypothesis*"),
    (lambda t: t.update(status="not-certified"), "*[[]VERDICT CHANGED[]]*theorem*"),
    (lambda t: t["constants"]["width"].update(expr="2*m"), "*symbolic form changed*"),
    (lambda t: t["constants"]["step_size"].update(big_o="lambda0/n"), "*constant step_size big_o*"),
    (lambda t: t["hypotheses"][0].update(latex="x"), "*hypothesis*latex*"),
    (lambda t: t["quantities"]["lambda0"].update(lo="0.5", hi="0.6"), "*DISJOINT*soundness*"),
])
def test_verdict_symbolic_and_soundness_changes_fail(pytester, cert_file, edit, expected):
    pytester.makepyfile(test_bounds=f"""
        import json

        def test_bounds(certify_bounds):
            certify_bounds.check(json.load(open({str(cert_file)!r})), "small")
    """)
    pytester.runpytest("--certify-update").assert_outcomes(passed=1)
    _edit_lock(pytester, edit)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([expected])


def test_changed_configuration_fails_until_updated(pytester, cert_file):
    pytester.makepyfile(test_bounds=f"""
        import json

        def test_bounds(certify_bounds):
            certify_bounds.check(json.load(open({str(cert_file)!r})), "small")
    """)
    pytester.runpytest("--certify-update").assert_outcomes(passed=1)
    path = pytester.path / "certify.lock"
    lock = json.loads(path.read_text())
    lock["entries"]["small"]["config_hash"] = "0" * 64
    path.write_text(json.dumps(lock))
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*configuration or its data changed*"])


def test_fixture_certifies_asserts_and_catches_a_loosened_constant(pytester):
    """End to end: the `certify` fixture on a real configuration; then a code change that doubles
    Thm 4.1's width constant is caught by the lock (looser bound and changed formula)."""
    pytester.makeconftest("""
        import dataclasses, os
        import pytest

        @pytest.fixture(autouse=True)
        def maybe_loosen(monkeypatch):
            if not os.environ.get("LOOSEN"):
                return
            import proofs.registry as registry
            table = dict(registry._theorems())
            thm = table["dzps2019-two-layer-gd"]
            consts = tuple(dataclasses.replace(c, expr=2 * c.expr) if c.name == "width" else c
                           for c in thm.constants)
            table[thm.id] = dataclasses.replace(thm, constants=consts)
            monkeypatch.setattr(registry, "_theorems", lambda: table)
    """)
    pytester.makepyfile(test_gd=f"""
        import pytest

        CONFIG = {SMALL!r}

        def test_gd_bounds(certify):
            run = certify(CONFIG, key="gd-small")
            run.assert_certified()
            run.assert_verdict("{GD}", "step-size", "holds")
            run.assert_verdict("{GD}", "lambda0-positive", ("holds", "undecided"))
            run.assert_constant("{GD}", "width", at_least=1.0, at_most=1e40)
            run.assert_quantity("{GD}", "lambda0", at_least=0.0)
            assert run.quantity("{GD}", "lambda0").lo > 0
            run.lock()

        def test_assertion_messages(certify):
            run = certify(CONFIG)
            with pytest.raises(AssertionError, match="not provably <= 1.0"):
                run.assert_constant("{GD}", "width", at_most=1.0)
            with pytest.raises(AssertionError, match="verdict 'holds', expected 'fails'"):
                run.assert_verdict("{GD}", "step-size", "fails")
            with pytest.raises(AssertionError, match="has no hypothesis 'nope'"):
                run.assert_verdict("{GD}", "nope", "holds")
            with pytest.raises(AssertionError, match="was not certified in this run"):
                run.theorem("other")
    """)
    result = pytester.runpytest("--certify-update")
    result.assert_outcomes(passed=2)
    assert "gd-small" in json.loads((pytester.path / "certify.lock").read_text())["entries"]
    pytester.runpytest().assert_outcomes(passed=2)

    import os

    os.environ["LOOSEN"] = "1"
    try:
        result = pytester.runpytest("-k", "test_gd_bounds")
    finally:
        del os.environ["LOOSEN"]
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"*[[]REGRESSION[]] theorem {GD} / constant width expr*",
                                 f"*[[]REGRESSION[]] theorem {GD} / constant width*", "*looser: upper end grew*"])


def test_lock_location_options(pytester, cert_file):
    pytester.makeini(textwrap.dedent("""
        [pytest]
        certify_lock = locks/bounds.lock
    """))
    pytester.makepyfile(test_bounds=f"""
        import json

        def test_bounds(certify_bounds):
            certify_bounds.check(json.load(open({str(cert_file)!r})), "small")
    """)
    pytester.runpytest("--certify-update").assert_outcomes(passed=1)
    assert (pytester.path / "locks" / "bounds.lock").exists()
    pytester.runpytest("--certify-update", "--certify-lock", "other.lock").assert_outcomes(passed=1)
    assert (pytester.path / "other.lock").exists()
    (pytester.path / "broken.lock").write_text("[]")
    result = pytester.runpytest("--certify-lock", "broken.lock")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*is not a bounds lock*"]) if result.errlines else result.stdout.fnmatch_lines(
        ["*is not a bounds lock*"])


def test_tolerance_option_absorbs_last_bit_moves(pytester, cert_file):
    """A one-ulp move of a bound (another platform's libm) passes under the default tolerance
    and fails when the tolerance is set to 0."""
    import math

    pytester.makepyfile(test_bounds=f"""
        import json

        def test_bounds(certify_bounds):
            certify_bounds.check(json.load(open({str(cert_file)!r})), "small")
    """)
    pytester.runpytest("--certify-update").assert_outcomes(passed=1)

    def one_ulp_smaller(t):
        w = t["constants"]["width"]
        w["hi"] = repr(math.nextafter(float(w["hi"]), 0.0))

    _edit_lock(pytester, one_ulp_smaller)
    pytester.runpytest().assert_outcomes(passed=1)
    pytester.makeini("[pytest]\ncertify_rtol = 0\n")
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*looser: upper end grew*"])
