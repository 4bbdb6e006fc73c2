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
