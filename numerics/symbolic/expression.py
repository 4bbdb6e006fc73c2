"""A restricted expression grammar for user-supplied objectives and programs.

User text (``--expr``, config strings) is turned into an immutable syntax tree by a
hand-written tokenizer and a recursive-descent parser; it never reaches ``eval``,
``exec`` or ``sympify``.  The tree converts to sympy (exact: decimal literals become
rationals) and to a torch callable.

Grammar (``^`` and ``**`` are the same operator)::

    expr    := term (("+" | "-") term)*
    term    := unary (("*" | "/") unary)*
    unary   := ("-" | "+") unary | power
    power   := primary (("^" | "**") unary)?          right-associative
    primary := NUMBER | "pi" | NAME | FUNC "(" expr ("," expr)* ")" | "(" expr ")"

so ``-x^2`` is ``-(x^2)``, ``2^-1`` is ``2^(-1)`` and ``2^3^2`` is ``2^(3^2)``.
Numbers are decimal (``3``, ``0.25``, ``.5``, ``1e-3``); names are ASCII identifiers
that do not start with ``_``, are not Python keywords and are not function names.

Functions (``FUNCTIONS``): smooth ``exp log sqrt sin cos tanh sigmoid softplus``;
piecewise smooth ``abs relu leaky_relu(x[, slope]) max(a, b, ...) min(a, b, ...)
clamp(x, lo, hi) hardtanh(x[, lo, hi])``, whose extra arguments (slope, lo, hi) must be
constants.  Errors raise :class:`ExpressionError` with the 0-based character position
and what was expected there.

Specs for points and boxes: :func:`parse_assignments` (``"x=0,y=1"``) and
:func:`parse_box` (``"x=-2:2,y=-2:2"``).
"""

from __future__ import annotations

import keyword
import math
import sys
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Union

__all__ = [
    "ExpressionError",
    "Expr",
    "Number",
    "Constant",
    "Variable",
    "Unary",
    "Binary",
    "Call",
    "FUNCTIONS",
    "NONSMOOTH_FUNCTIONS",
    "RESERVED_NAMES",
    "MAX_LENGTH",
    "MAX_DEPTH",
    "parse",
    "to_source",
    "to_sympy",
    "to_torch",
    "variables",
    "is_smooth",
    "constant_value",
    "evaluate_float",
    "parse_assignments",
    "parse_box",
]

MAX_LENGTH = 10_000
"""Longest accepted input, in characters."""
MAX_DEPTH = 100
"""Deepest accepted nesting (parentheses, calls, unary signs, powers)."""
_MAX_EXPONENT_DIGITS = 4  # decimal exponents beyond 1e±9999 are refused before Fraction sees them


class ExpressionError(ValueError):
    """Text that is not in the grammar.  ``position`` is the 0-based character offset."""

    def __init__(self, message: str, position: int):
        self.message = message
        self.position = position
        super().__init__(f"at position {position}: {message}")

    def pointer(self, text: str) -> str:
        """Two lines: the text and a caret under the offending character."""
        return f"{text}\n{' ' * self.position}^"


# ---------------------------------------------------------------------------- syntax tree


@dataclass(frozen=True)
class Number:
    """A non-negative decimal literal, held exactly."""

    value: Fraction


@dataclass(frozen=True)
class Constant:
    """A named mathematical constant (only ``pi``)."""

    name: str


@dataclass(frozen=True)
class Variable:
    name: str


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "+"
    operand: "Expr"


@dataclass(frozen=True)
class Binary:
    op: str  # "+", "-", "*", "/", "^"
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple["Expr", ...]


Expr = Union[Number, Constant, Variable, Unary, Binary, Call]

# name -> (min arity, max arity or None for unbounded)
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "exp": (1, 1),
    "log": (1, 1),
    "sqrt": (1, 1),
    "sin": (1, 1),
    "cos": (1, 1),
    "tanh": (1, 1),
    "sigmoid": (1, 1),
    "softplus": (1, 1),
    "abs": (1, 1),
    "relu": (1, 1),
    "leaky_relu": (1, 2),
    "max": (2, None),
    "min": (2, None),
    "clamp": (3, 3),
    "hardtanh": (1, 3),
}
NONSMOOTH_FUNCTIONS = frozenset({"abs", "relu", "leaky_relu", "max", "min", "clamp", "hardtanh"})
CONSTANTS = {"pi": math.pi}
RESERVED_NAMES = frozenset(FUNCTIONS) | frozenset(CONSTANTS)
_CONSTANT_ARGS = {"leaky_relu": (1,), "clamp": (1, 2), "hardtanh": (1, 2)}  # arg indices
LEAKY_RELU_DEFAULT_SLOPE = Fraction(1, 100)  # torch's default negative_slope


# ---------------------------------------------------------------------------- tokenizer


@dataclass(frozen=True)
class _Token:
    kind: str  # "num", "name", "op", "end"
    text: str
    pos: int


_OPERATORS = ("**", "+", "-", "*", "/", "^", "(", ")", ",")


_LARGEST_FLOAT = Fraction(sys.float_info.max)
"""Numbers above it are refused (``float()`` of a larger Fraction raises OverflowError)."""


def _describe(tok: _Token) -> str:
    return "end of input" if tok.kind == "end" else repr(tok.text)


def _scan_number(text: str, i: int) -> tuple[str, int]:
    start = i
    n = len(text)
    while i < n and text[i].isascii() and text[i].isdigit():
        i += 1
    if i < n and text[i] == ".":
        i += 1
        while i < n and text[i].isascii() and text[i].isdigit():
            i += 1
    digits = text[start:i].replace(".", "")
    if not digits:
        raise ExpressionError("expected a digit after '.' (there is no attribute access)", start)
    if i < n and text[i] in "eE":
        j = i + 1
        if j < n and text[j] in "+-":
            j += 1
        k = j
        while k < n and text[k].isascii() and text[k].isdigit():
            k += 1
        if k == j:
            raise ExpressionError("expected the digits of an exponent (as in 1e-3)", j)
        if k - j > _MAX_EXPONENT_DIGITS:
            raise ExpressionError("exponent of a number literal is too large", j)
        i = k
    return text[start:i], i


def _tokenize(text: str) -> list[_Token]:
    if not isinstance(text, str):
        raise ExpressionError(f"expected a string, got {type(text).__name__}", 0)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters", MAX_LENGTH)
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
            continue
        if (c.isascii() and c.isdigit()) or c == ".":
            lexeme, j = _scan_number(text, i)
            tokens.append(_Token("num", lexeme, i))
            i = j
            continue
        if c.isascii() and (c.isalpha() or c == "_"):
            j = i
            while j < n and text[j].isascii() and (text[j].isalnum() or text[j] == "_"):
                j += 1
            tokens.append(_Token("name", text[i:j], i))
            i = j
            continue
        for op in _OPERATORS:
            if text.startswith(op, i):
                tokens.append(_Token("op", op, i))
                i += len(op)
                break
        else:
            raise ExpressionError(
                f"unexpected character {c!r}; allowed: numbers, names, + - * / ^ ** ( ) ,", i
            )
    tokens.append(_Token("end", "", n))
    return tokens


def _check_name(name: str, pos: int, *, as_variable: bool) -> None:
    if name.startswith("_"):
        raise ExpressionError(f"names may not start with '_' (got {name!r})", pos)
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise ExpressionError(f"{name!r} is a Python keyword, not allowed as a name", pos)
    if as_variable and name in FUNCTIONS:
        raise ExpressionError(f"{name!r} is a function; call it as {name}(...)", pos)


# ---------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def advance(self) -> _Token:
        t = self.tokens[self.i]
        self.i += 1
        return t

    def expect(self, op: str, what: str) -> _Token:
        if self.tok.kind == "op" and self.tok.text == op:
            return self.advance()
        raise ExpressionError(f"expected {what}, found {_describe(self.tok)}", self.tok.pos)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"expression nested deeper than {MAX_DEPTH} levels", self.tok.pos)

    def leave(self) -> None:
        self.depth -= 1

    def parse(self) -> Expr:
        node = self.expr()
        if self.tok.kind != "end":
            raise ExpressionError(
                f"expected an operator (+ - * / ^) or end of input, found {_describe(self.tok)}",
                self.tok.pos,
            )
        return node

    def expr(self) -> Expr:
        node = self.term()
        while self.tok.kind == "op" and self.tok.text in ("+", "-"):
            op = self.advance().text
            node = Binary(op, node, self.term())
        return node

    def term(self) -> Expr:
        node = self.unary()
        while self.tok.kind == "op" and self.tok.text in ("*", "/"):
            op = self.advance().text
            node = Binary(op, node, self.unary())
        return node

    def unary(self) -> Expr:
        if self.tok.kind == "op" and self.tok.text in ("-", "+"):
            op = self.advance().text
            self.enter()
            node = Unary(op, self.unary())
            self.leave()
            return node
        return self.power()

    def power(self) -> Expr:
        base = self.primary()
        if self.tok.kind == "op" and self.tok.text in ("^", "**"):
            self.advance()
            self.enter()
            node = Binary("^", base, self.unary())
            self.leave()
            return node
        return base

    def primary(self) -> Expr:
        tok = self.tok
        if tok.kind == "num":
            self.advance()
            value = Fraction(tok.text)
            if value > _LARGEST_FLOAT:
                raise ExpressionError(f"number {tok.text} is too large for floating point", tok.pos)
            return Number(value)
        if tok.kind == "name":
            self.advance()
            nxt = self.tok
            if nxt.kind == "op" and nxt.text == "(":
                return self.call(tok)
            _check_name(tok.text, tok.pos, as_variable=True)
            if tok.text in CONSTANTS:
                return Constant(tok.text)
            return Variable(tok.text)
        if tok.kind == "op" and tok.text == "(":
            self.advance()
            self.enter()
            node = self.expr()
            self.leave()
            self.expect(")", "')' to close the '(' at position %d" % tok.pos)
            return node
        raise ExpressionError(
            f"expected a number, a name, a function call or '(', found {_describe(tok)}", tok.pos
        )

    def call(self, name_tok: _Token) -> Expr:
        name = name_tok.text
        if name not in FUNCTIONS:
            _check_name(name, name_tok.pos, as_variable=False)
            raise ExpressionError(
                f"unknown function {name!r}; allowed: {', '.join(sorted(FUNCTIONS))}", name_tok.pos
            )
        open_tok = self.advance()
        self.enter()
        args = [self.expr()]
        while self.tok.kind == "op" and self.tok.text == ",":
            self.advance()
            args.append(self.expr())
        self.leave()
        self.expect(")", f"',' or ')' to close the call to {name} at position {open_tok.pos}")
        lo, hi = FUNCTIONS[name]
        if len(args) < lo or (hi is not None and len(args) > hi):
            want = f"{lo}" if lo == hi else (f"at least {lo}" if hi is None else f"{lo} to {hi}")
            raise ExpressionError(
                f"{name} takes {want} argument(s), got {len(args)}", name_tok.pos
            )
        for k in _CONSTANT_ARGS.get(name, ()):
            if k < len(args) and variables(args[k]):
                raise ExpressionError(
                    f"argument {k + 1} of {name} must be a constant (no variables)", name_tok.pos
                )
        node = Call(name, tuple(args))
        if name in ("clamp", "hardtanh") and len(args) == 3:
            try:
                lo_v, hi_v = constant_value(args[1]), constant_value(args[2])
            except ValueError as exc:
                raise ExpressionError(f"bounds of {name} cannot be evaluated ({exc})", name_tok.pos)
            if not lo_v <= hi_v:
                raise ExpressionError(f"{name}(x, lo, hi) needs lo <= hi", name_tok.pos)
        return node


def parse(text: str) -> Expr:
    """Parse ``text`` into an immutable syntax tree; raise :class:`ExpressionError` if it is
    not in the grammar (module docstring)."""
    return _Parser(text).parse()


# ---------------------------------------------------------------------------- queries


def _children(node: Expr) -> tuple[Expr, ...]:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    return ()


def _walk(node: Expr):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(_children(n))


def variables(expr: Expr) -> tuple[str, ...]:
    """The variable names of ``expr``, sorted."""
    return tuple(sorted({n.name for n in _walk(expr) if isinstance(n, Variable)}))


def is_smooth(expr: Expr) -> bool:
    """True when ``expr`` uses none of the piecewise-smooth functions (abs, relu, max, ...),
    so it is C-infinity on the interior of its natural domain (log, sqrt, / restrict it)."""
    return not any(isinstance(n, Call) and n.name in NONSMOOTH_FUNCTIONS for n in _walk(expr))


def constant_value(expr: Expr) -> float:
    """Float value of a variable-free expression (used for slopes and clamp bounds)."""
    if variables(expr):
        raise ValueError(f"expr: {to_source(expr)!r} has variables; a constant is required")
    return evaluate_float(expr, {})


def evaluate_float(expr: Expr, values: dict) -> float:
    """Evaluate ``expr`` in Python floats (libm; no rigor claimed).  Raises ValueError
    outside the domain (log of a negative number, division by zero, ...)."""

    def go(n: Expr) -> float:
        if isinstance(n, Number):
            return float(n.value)
        if isinstance(n, Constant):
            return CONSTANTS[n.name]
        if isinstance(n, Variable):
            if n.name not in values:
                raise ValueError(f"values: missing variable {n.name!r}")
            return float(values[n.name])
        if isinstance(n, Unary):
            v = go(n.operand)
            return -v if n.op == "-" else v
        if isinstance(n, Binary):
            a, b = go(n.left), go(n.right)
            try:
                if n.op == "+":
                    return a + b
                if n.op == "-":
                    return a - b
                if n.op == "*":
                    return a * b
                if n.op == "/":
                    return a / b
                r = a**b
            except (ZeroDivisionError, OverflowError) as exc:
                raise ValueError(f"expr: {to_source(n)!r} cannot be evaluated: {exc}") from None
            if isinstance(r, complex):
                raise ValueError(f"expr: {to_source(n)!r} is not real")
            return r
        if isinstance(n, Call):
            a = [go(x) for x in n.args]
            f = n.name
            try:
                if f in ("exp", "log", "sqrt", "sin", "cos", "tanh"):
                    return getattr(math, f)(a[0])
                if f == "sigmoid":
                    return 1.0 / (1.0 + math.exp(-a[0])) if a[0] > -700 else 0.0
                if f == "softplus":
                    return a[0] + math.log1p(math.exp(-a[0])) if a[0] > 0 else math.log1p(math.exp(a[0]))
            except (ValueError, OverflowError) as exc:
                raise ValueError(f"expr: {to_source(n)!r} cannot be evaluated: {exc}") from None
            if f == "abs":
                return abs(a[0])
            if f == "relu":
                return max(a[0], 0.0)
            if f == "leaky_relu":
                s = a[1] if len(a) > 1 else float(LEAKY_RELU_DEFAULT_SLOPE)
                return a[0] if a[0] >= 0 else s * a[0]
            if f == "max":
                return max(a)
            if f == "min":
                return min(a)
            lo, hi = (a[1], a[2]) if len(a) == 3 else (-1.0, 1.0)
            return min(max(a[0], lo), hi)
        raise TypeError(f"expr: not a syntax tree node: {n!r}")

    return go(expr)


# ---------------------------------------------------------------------------- printing


def _number_source(v: Fraction) -> str:
    if v < 0:
        return f"(-{_number_source(-v)})"
    d = v.denominator
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d != 1:  # not a terminating decimal: print as a quotient (re-parses as Binary "/")
        return f"({v.numerator}/{v.denominator})"
    k = max(twos, fives)
    scaled = v * 10**k
    digits = str(scaled.numerator)
    if k == 0:
        return digits
    digits = digits.rjust(k + 1, "0")
    return f"{digits[:-k]}.{digits[-k:]}"


def to_source(expr: Expr) -> str:
    """Text that :func:`parse` maps back to ``expr`` (fully parenthesized)."""

    def go(n: Expr) -> str:
        if isinstance(n, Number):
            return _number_source(n.value)
        if isinstance(n, (Constant, Variable)):
            return n.name
        if isinstance(n, Unary):
            return f"({n.op}{go(n.operand)})"
        if isinstance(n, Binary):
            return f"({go(n.left)} {n.op} {go(n.right)})"
        if isinstance(n, Call):
            return f"{n.name}({', '.join(go(a) for a in n.args)})"
        raise TypeError(f"expr: not a syntax tree node: {n!r}")

    return go(expr)


# ---------------------------------------------------------------------------- sympy


def to_sympy(expr: Expr, symbols: dict | None = None):
    """The sympy expression of ``expr``: literals become exact Rationals, variables real
    Symbols (or those given in ``symbols``), relu -> Max(x, 0), abs -> Abs,
    leaky_relu(x, s) -> Max(x, 0) + s*Min(x, 0), clamp/hardtanh -> Min(Max(x, lo), hi),
    sigmoid -> 1/(1 + exp(-x)), softplus -> log(1 + exp(x))."""
    import sympy

    syms = dict(symbols or {})

    def sym(name: str):
        if name not in syms:
            syms[name] = sympy.Symbol(name, real=True)
        return syms[name]

    def go(n: Expr):
        if isinstance(n, Number):
            return sympy.Rational(n.value.numerator, n.value.denominator)
        if isinstance(n, Constant):
            return sympy.pi
        if isinstance(n, Variable):
            return sym(n.name)
        if isinstance(n, Unary):
            v = go(n.operand)
            return -v if n.op == "-" else v
        if isinstance(n, Binary):
            a, b = go(n.left), go(n.right)
            if n.op == "+":
                return a + b
            if n.op == "-":
                return a - b
            if n.op == "*":
                return a * b
            if n.op == "/":
                return a / b
            return a**b
        if isinstance(n, Call):
            a = [go(x) for x in n.args]
            f = n.name
            if f in ("exp", "log", "sqrt", "sin", "cos", "tanh"):
                return getattr(sympy, f)(a[0])
            if f == "sigmoid":
                return 1 / (1 + sympy.exp(-a[0]))
            if f == "softplus":
                return sympy.log(1 + sympy.exp(a[0]))
            if f == "abs":
                return sympy.Abs(a[0])
            if f == "relu":
                return sympy.Max(a[0], 0)
            if f == "leaky_relu":
                s = a[1] if len(a) > 1 else sympy.Rational(1, 100)
                return sympy.Max(a[0], 0) + s * sympy.Min(a[0], 0)
            if f == "max":
                return sympy.Max(*a)
            if f == "min":
                return sympy.Min(*a)
            lo, hi = (a[1], a[2]) if len(a) == 3 else (sympy.Integer(-1), sympy.Integer(1))
            return sympy.Min(sympy.Max(a[0], lo), hi)
        raise TypeError(f"expr: not a syntax tree node: {n!r}")

    return go(expr)


# ---------------------------------------------------------------------------- torch


def to_torch(expr: Expr) -> Callable[[dict], "object"]:
    """A function ``values -> Tensor`` evaluating ``expr`` with torch ops, where ``values``
    maps each variable name to a tensor (broadcastable).  Nonsmooth functions map to the
    torch primitives ``relu, leaky_relu, abs, maximum, minimum, clamp, hardtanh`` (so
    :mod:`numerics.nonsmooth` can intercept them).  Constant sub-expressions are floats."""
    import torch
    import torch.nn.functional as F

    def as_tensor(v, like):
        return v if isinstance(v, torch.Tensor) else torch.as_tensor(v, dtype=like.dtype)

    def fold2(fn, pyfn, args):
        out = args[0]
        for b in args[1:]:
            if not isinstance(out, torch.Tensor) and not isinstance(b, torch.Tensor):
                out = pyfn(out, b)
                continue
            like = out if isinstance(out, torch.Tensor) else b
            out = fn(as_tensor(out, like), as_tensor(b, like))
        return out

    smooth = {
        "exp": (torch.exp, math.exp),
        "log": (torch.log, math.log),
        "sqrt": (torch.sqrt, math.sqrt),
        "sin": (torch.sin, math.sin),
        "cos": (torch.cos, math.cos),
        "tanh": (torch.tanh, math.tanh),
        "sigmoid": (torch.sigmoid, lambda v: 1.0 / (1.0 + math.exp(-v))),
        "softplus": (F.softplus, lambda v: math.log1p(math.exp(v))),
        "abs": (torch.abs, abs),
        "relu": (torch.relu, lambda v: max(v, 0.0)),
    }

    def build(n: Expr):
        if isinstance(n, Number):
            v = float(n.value)
            return lambda env: v
        if isinstance(n, Constant):
            v = CONSTANTS[n.name]
            return lambda env: v
        if isinstance(n, Variable):
            name = n.name
            return lambda env: env[name]
        if isinstance(n, Unary):
            f = build(n.operand)
            return (lambda env: -f(env)) if n.op == "-" else f
        if isinstance(n, Binary):
            fa, fb = build(n.left), build(n.right)
            op = n.op
            if op == "+":
                return lambda env: fa(env) + fb(env)
            if op == "-":
                return lambda env: fa(env) - fb(env)
            if op == "*":
                return lambda env: fa(env) * fb(env)
            if op == "/":
                return lambda env: fa(env) / fb(env)

            def power(env):
                a, b = fa(env), fb(env)
                if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
                    return torch.pow(a, b)
                return float(a) ** float(b)

            return power
        if isinstance(n, Call):
            fs = [build(a) for a in n.args]
            name = n.name
            if name in smooth:
                tfn, pfn = smooth[name]
                f0 = fs[0]

                def unary_call(env):
                    v = f0(env)
                    return tfn(v) if isinstance(v, torch.Tensor) else pfn(v)

                return unary_call
            if name == "leaky_relu":
                slope = float(constant_value(n.args[1])) if len(fs) > 1 else float(
                    LEAKY_RELU_DEFAULT_SLOPE
                )
                f0 = fs[0]

                def leaky(env):
                    v = f0(env)
                    if isinstance(v, torch.Tensor):
                        return F.leaky_relu(v, slope)
                    return v if v >= 0 else slope * v

                return leaky
            if name in ("max", "min"):
                tfn = torch.maximum if name == "max" else torch.minimum
                pfn = max if name == "max" else min
                return lambda env: fold2(tfn, pfn, [f(env) for f in fs])
            lo, hi = (
                (constant_value(n.args[1]), constant_value(n.args[2])) if len(fs) == 3 else (-1.0, 1.0)
            )
            f0 = fs[0]
            tfn = (lambda v: torch.clamp(v, lo, hi)) if name == "clamp" else (
                lambda v: F.hardtanh(v, lo, hi)
            )

            def clip(env):
                v = f0(env)
                return tfn(v) if isinstance(v, torch.Tensor) else min(max(v, lo), hi)

            return clip
        raise TypeError(f"expr: not a syntax tree node: {n!r}")

    body = build(expr)
    names = variables(expr)

    def evaluate(values: dict):
        missing = [v for v in names if v not in values]
        if missing:
            raise ValueError(f"values: missing variable(s) {missing}; the expression uses {list(names)}")
        out = body(values)
        if not isinstance(out, torch.Tensor):
            like = next((v for v in values.values() if isinstance(v, torch.Tensor)), None)
            dtype = like.dtype if like is not None else torch.get_default_dtype()
            out = torch.as_tensor(out, dtype=dtype)
        return out

    return evaluate


# ---------------------------------------------------------------------------- point and box specs


def _signed_number(text: str, start: int, end: int, what: str) -> Fraction:
    """Parse text[start:end] as an optionally signed decimal literal."""
    seg = text[start:end]
    lead = len(seg) - len(seg.lstrip())
    body = seg.strip()
    pos = start + lead
    if not body:
        raise ExpressionError(f"expected a number for {what}", pos)
    sign = 1
    if body[0] in "+-":
        sign = -1 if body[0] == "-" else 1
        rest = body[1:]
        pos += 1 + len(rest) - len(rest.lstrip())
        body = rest.lstrip()
    if not body or not (body[0].isascii() and (body[0].isdigit() or body[0] == ".")):
        raise ExpressionError(f"expected a number for {what}", pos)
    lexeme, j = _scan_number(body, 0)
    if j != len(body):
        raise ExpressionError(f"unexpected {body[j]!r} in the number for {what}", pos + j)
    value = Fraction(lexeme)
    if value > _LARGEST_FLOAT:
        raise ExpressionError(f"number for {what} is too large for floating point", pos)
    return sign * value


def _split_items(text: str, what: str):
    """Yield (name, name_pos, value_start, value_end) for each ``name=value`` item."""
    if not isinstance(text, str):
        raise ExpressionError(f"expected a string of {what}, got {type(text).__name__}", 0)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"longer than {MAX_LENGTH} characters", MAX_LENGTH)
    if not text.strip():
        raise ExpressionError(f"expected {what} such as 'x=0,y=1', found an empty string", 0)
    start = 0
    seen: set[str] = set()
    for piece in text.split(","):
        end = start + len(piece)
        eq = piece.find("=")
        if eq < 0:
            raise ExpressionError(f"expected 'name=value' in {what}", start + len(piece) - len(piece.lstrip()))
        name = piece[:eq].strip()
        name_pos = start + len(piece[:eq]) - len(piece[:eq].lstrip())
        if not name:
            raise ExpressionError("expected a variable name before '='", name_pos)
        if not (name.isascii() and (name[0].isalpha() or name[0] == "_") and
                all(c.isalnum() or c == "_" for c in name)):
            raise ExpressionError(f"{name!r} is not a variable name", name_pos)
        _check_name(name, name_pos, as_variable=True)
        if name in CONSTANTS:
            raise ExpressionError(f"{name!r} is a constant, not a variable", name_pos)
        if name in seen:
            raise ExpressionError(f"variable {name!r} given twice", name_pos)
        seen.add(name)
        yield name, name_pos, start + eq + 1, end
        start = end + 1


def parse_assignments(text: str, *, exact: bool = False) -> dict:
    """``"x=0,y=-1.5"`` -> ``{"x": 0.0, "y": -1.5}`` (Fractions when ``exact``)."""
    out = {}
    for name, _, a, b in _split_items(text, "assignments"):
        v = _signed_number(text, a, b, f"variable {name!r}")
        out[name] = v if exact else float(v)
    return out


def parse_box(text: str, *, exact: bool = False) -> dict:
    """``"x=-2:2,y=0:1"`` -> ``{"x": (-2.0, 2.0), "y": (0.0, 1.0)}`` (Fractions when
    ``exact``).  Each interval must have lo < hi; an empty (lo == hi) or inverted one
    raises :class:`ExpressionError` naming the variable."""
    out = {}
    for name, name_pos, a, b in _split_items(text, "a box"):
        colon = text.find(":", a, b)
        if colon < 0:
            raise ExpressionError(f"expected 'lo:hi' for variable {name!r}", a)
        lo = _signed_number(text, a, colon, f"the lower end of {name!r}")
        hi = _signed_number(text, colon + 1, b, f"the upper end of {name!r}")
        if lo > hi:
            raise ExpressionError(f"interval for {name!r} is inverted ({lo} > {hi}); need lo < hi", name_pos)
        if lo == hi:
            raise ExpressionError(f"interval for {name!r} is empty ({lo}:{hi}); need lo < hi", name_pos)
        out[name] = (lo, hi) if exact else (float(lo), float(hi))
    return out
