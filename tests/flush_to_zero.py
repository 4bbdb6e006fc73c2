"""Flush-to-zero switched on in this thread for a block (torch's switch), for the tests that the
floating-point environment probes catch it."""

from __future__ import annotations

from contextlib import contextmanager

import pytest


@contextmanager
def flush_denormal():
    """Denormals flushed inside the block (skip where the CPU cannot). torch's worker threads are
    started first, outside the block: a worker created inside it would keep flush-to-zero after
    the block (the flag is per thread) and fail every later environment probe."""
    torch = pytest.importorskip("torch")
    torch.ones(512, 512, dtype=torch.float64) @ torch.ones(512, 512, dtype=torch.float64)
    if not torch.set_flush_denormal(True):
        torch.set_flush_denormal(False)
        pytest.skip("this CPU cannot flush denormals")
    try:
        yield
    finally:
        torch.set_flush_denormal(False)
