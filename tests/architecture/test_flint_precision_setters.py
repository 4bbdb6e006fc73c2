"""python-flint keeps its precision in one process-wide ``ctx``: changing it outside the locked
``numerics.arith.context.arb_precision`` block leaks into other threads (issue 15 item 4). This
test finds every other place that sets it (``ctx.prec =``, ``ctx.dps =``, ``ctx.workprec(...)``,
``ctx.extraprec(...)`` and the like on python-flint's ctx)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTERS = re.compile(r"ctx\.(prec|dps)\s*=(?!=)|ctx\.(workprec|workdps|extraprec|extradps)\(")

ALLOWED = {
    # the one locked setter
    "numerics/arith/context.py",
    # the independent checker has its own lock (it imports nothing from the producer's numerics)
    "certify/independent/replay.py",
}


def test_flint_precision_is_set_only_under_the_lock():
    offenders = []
    for pkg in ("certify", "proofs", "numerics"):
        for path in sorted((ROOT / pkg).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in ALLOWED:
                continue
            for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if SETTERS.search(line) and not line.lstrip().startswith("#"):
                    offenders.append(f"{rel}:{no}: {line.strip()}")
    assert not offenders, "set python-flint's precision with numerics.arith.context.arb_precision:\n" + \
        "\n".join(offenders)


def test_the_pattern_finds_what_it_is_meant_to_find():
    for line in ("ctx.prec = 300", "    with ctx.workprec(106):", "fctx.dps=30", "ctx.extraprec(10)"):
        assert SETTERS.search(line), line
    for line in ("old = ctx.prec", "if ctx.prec == 53:", "get_context().precision_bits"):
        assert not SETTERS.search(line), line
