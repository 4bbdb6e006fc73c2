import textwrap

import pytest

from certify.cli import main


@pytest.fixture
def run_cli(capsys):
    """Run the `certify` entry point in-process; returns (exit code, stdout, stderr)."""

    def _run(*args):
        try:
            main(list(map(str, args)))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 3)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory):
    """A two-layer instance certificate (sphere n = 6, d = 3, m = 400, 100 GD steps), written
    once; tests copy what they change."""
    d = tmp_path_factory.mktemp("inst")
    cfg = d / "c.toml"
    cfg.write_text(textwrap.dedent("""
        [data]
        source = "sphere"
        n = 6
        d = 3
        [model]
        width = 400
        [train]
        steps = 100
    """))
    with pytest.raises(SystemExit):
        main(["instance", str(cfg), "--out", str(d / "out")])
    return d / "out"
