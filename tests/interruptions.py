"""A width evaluation that is interrupted (Ctrl-C) after a number of calls, for the journal and
--resume tests."""

from __future__ import annotations


def interrupt_after(count: int, real, calls: list, key=slice(4, 6)):
    """``real`` wrapped: the first ``count`` calls run (``args[key]`` appended to ``calls``), the
    next raises KeyboardInterrupt."""

    def interrupting(*args, **kwargs):
        if len(calls) == count:
            raise KeyboardInterrupt
        calls.append(args[key])
        return real(*args, **kwargs)

    return interrupting
