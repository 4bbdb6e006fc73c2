"""A restricted arithmetic grammar, evaluated in Arb ball arithmetic.

The certificate records each explicit constant as sympy's ``sstr`` text, e.g.
``131072*n**2*(C_y**2 + 1/2)*(n**(3/2) + n**2)**2/(pi*delta**3*lambda0**4)``. This module reads
exactly that subset - integer and decimal literals, names, ``+ - * / **``, parentheses, ``pi``,
and the functions ``log``, ``sqrt``, ``exp``, ``Max``, ``Min`` - by recursive descent (never
``eval``) and evaluates it on balls. Anything else is a :class:`ExpressionError`.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Callable, Mapping

from flint import arb, fmpz

_TOKEN = re.compile(r"\s*(?:(\d+\.\d*(?:[eE][-+]?\d+)?|\d+(?:[eE][-+]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(\*\*|[-+*/(),]))")

FUNCTIONS: dict[str, Callable[..., arb]] = {
    "log": lambda x: x.log(),
    "sqrt": lambda x: x.sqrt(),
    "exp": lambda x: x.exp(),
    "Max": lambda *xs: _fold(xs, "max"),
    "Min": lambda *xs: _fold(xs, "min"),
}


class ExpressionError(ValueError):
    """Text outside the grammar, or a name without a value."""


def _fold(xs, how: str) -> arb:
    out = xs[0]
    for x in xs[1:]:
        out = out.max(x) if how == "max" else out.min(x)
    return out


def _tokens(text: str) -> list[str]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ExpressionError(f"unexpected text at {pos}: {text[pos:pos + 10]!r}")
        out.append(m.group(m.lastindex))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str, values: Mapping[str, arb]):
        self.toks = _tokens(text)
        self.i = 0
        self.values = values

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            raise ExpressionError(f"expected {expected or 'more'} at token {self.i}, got {tok!r}")
        self.i += 1
        return tok

    def expr(self) -> arb:
        value = self.term()
        while self.peek() in ("+", "-"):
            value = value + self.term() if self.take() == "+" else value - self.term()
        return value

    def term(self) -> arb:
        value = self.unary()
        while self.peek() in ("*", "/"):
            value = value * self.unary() if self.take() == "*" else value / self.unary()
        return value

    def unary(self) -> arb:
        if self.peek() == "-":
            self.take()
            return -self.unary()
        return self.power()

    def power(self) -> arb:
        base = self.atom()
        if self.peek() == "**":
            self.take()
            exp = self.unary()          # right-associative, binds tighter than unary minus on the left
            if exp.is_exact() and exp.is_integer():
                k = int(exp.unique_fmpz())
                return _ipow(base, k) if k >= 0 else 1 / _ipow(base, -k)
            return base ** exp
        return base

    def atom(self) -> arb:
        tok = self.take()
        if tok == "(":
            value = self.expr()
            self.take(")")
            return value
        if tok[0].isdigit():
            return _literal(tok)
        if tok == "pi":
            return arb.pi()
        if tok in FUNCTIONS:
            self.take("(")
            args = [self.expr()]
            while self.peek() == ",":
                self.take()
                args.append(self.expr())
            self.take(")")
            return FUNCTIONS[tok](*args)
        if tok in self.values:
            return self.values[tok]
        raise ExpressionError(f"no value for {tok!r}")


def _ipow(base: arb, k: int) -> arb:
    """base**k by repeated squaring (Arb's pow returns NaN for a ball that contains 0)."""
    out, b = arb(1), base
    while k:
        if k & 1:
            out = out * b
        b = b * b
        k >>= 1
    return out


def _literal(tok: str) -> arb:
    q = Fraction(tok)                   # exact decimal
    return arb(fmpz(q.numerator)) / arb(fmpz(q.denominator))


def evaluate(text: str, values: Mapping[str, arb]) -> arb:
    """A ball containing the value of `text` at the given balls."""
    if not isinstance(text, str) or len(text) > 2000:
        raise ExpressionError("an expression is a string of at most 2000 characters")
    p = _Parser(text, values)
    value = p.expr()
    if p.peek() is not None:
        raise ExpressionError(f"unexpected {p.peek()!r} after a complete expression")
    return value
