"""Errors the application layer maps to exit codes.

Exit codes (README "A tour"): 0 certified, 1 not certified (a hypothesis fails or is
undecided), 2 bad input (`BadInput`), 3 internal error.
"""

from __future__ import annotations

EXIT_NOT_CERTIFIED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3


class BadInput(ValueError):
    """User input that cannot be used: the message names the field, the value and what is allowed.

    Maps to exit code 2.
    """

    def __init__(self, field: str, value, allowed: str):
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field}: got {value!r}; {allowed}")


class NoInterpolation(Exception):
    """The data admit no zero-loss network (e.g. two rows with the same normalized input and
    different labels): the message names the rows. Maps to exit code 1, and no certificate."""
