"""The TOML configuration of `certify saddle --config FILE.toml`, validated by pydantic.

    [objective]
    expr = "x^2/2 + y^4/4 - y^2/2"        # or: builtin = "monkey-saddle"
    box = {x = [-2, 2], y = [-2, 2]}       # or: box = "x=-2:2,y=-2:2" (optional for a builtin)

    [saddle]                               # all optional; defaults as on the command line
    step = 0.05                            # GD step alpha (default 0.9/ell)
    epsilon = 0.01                         # PGD target (default min(theta, gamma^2/rho))
    delta = 0.1                            # PGD failure probability, in (0, 1)
    c = 1                                  # PGD absolute constant
    max_boxes = 200000
    algebra_budget = 30                    # seconds per Groebner basis (polynomial objectives)
    max_seconds = 120                      # time budget of the whole run (default: none)
    symmetry = "none"                      # or "right-rotation"

    [empirical]
    enabled = false                        # GD/PGD runs in torch (evidence only)
    runs = 500
    seed = 0

Unknown keys are rejected; every error is a `BadInput` naming the dotted key, the value and
what is allowed (exit 2). The expression is parsed by the restricted grammar of
`numerics.symbolic.expression`, never evaluated. The robust strict-saddle constants (theta, gamma, zeta)
are computed by the certifier, not configured.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from certify.config import bad_input_from, read_toml
from certify.errors import BadInput


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ObjectiveSection(_Section):
    """Exactly one of `expr` (restricted grammar) or `builtin` (catalog name), and the box."""

    expr: Optional[str] = None
    builtin: Optional[str] = None
    box: Optional[Union[str, dict[str, list[Union[int, float]]]]] = None

    @model_validator(mode="after")
    def _one_objective(self):
        if (self.expr is None) == (self.builtin is None):
            raise ValueError("give exactly one of expr = \"...\" or builtin = \"...\"")
        if self.expr is not None and self.box is None:
            raise ValueError("an expr needs a box, e.g. box = {x = [-2, 2], y = [-2, 2]} or box = \"x=-2:2,y=-2:2\"")
        return self


class SaddleSection(_Section):
    step: Optional[float] = Field(default=None, gt=0, allow_inf_nan=False)
    epsilon: Optional[float] = Field(default=None, gt=0, allow_inf_nan=False)
    delta: Optional[float] = Field(default=None, gt=0, lt=1, allow_inf_nan=False)
    c: Optional[float] = Field(default=None, gt=0, allow_inf_nan=False)
    max_boxes: int = Field(default=200_000, ge=1)
    algebra_budget: float = Field(default=30.0, gt=0, le=3600, allow_inf_nan=False)
    max_seconds: Optional[float] = Field(default=None, gt=0, le=86400, allow_inf_nan=False)
    symmetry: Literal["none", "right-rotation"] = "none"


class EmpiricalSection(_Section):
    enabled: bool = False
    runs: int = Field(default=500, ge=1)
    seed: int = Field(default=0, ge=0)


class SaddleConfig(_Section):
    objective: ObjectiveSection
    saddle: SaddleSection = Field(default_factory=SaddleSection)
    empirical: EmpiricalSection = Field(default_factory=EmpiricalSection)

    def certify_kwargs(self) -> dict:
        """Keyword arguments of `certify.commands.saddle.certify_saddle` (box checked here)."""
        o, s, e = self.objective, self.saddle, self.empirical
        box = None if o.box is None else box_input(o.box, "objective.box")
        return {"expr": o.expr, "builtin": o.builtin, "box": box, "step": s.step, "epsilon": s.epsilon,
                "delta": s.delta, "c": s.c, "max_boxes": s.max_boxes, "algebra_budget": s.algebra_budget,
                "max_seconds": s.max_seconds,
                "symmetry": s.symmetry,
                "empirical": e.enabled, "runs": e.runs, "seed": e.seed}


_UNKNOWN_KEY = ("unknown key; allowed: [objective] expr, builtin, box; [saddle] step, epsilon, delta, c, "
                "max_boxes, algebra_budget, max_seconds, symmetry; [empirical] enabled, runs, seed")


def _missing(loc: str) -> str:
    return "required" + ("; the section [objective] with expr or builtin" if loc == "objective" else "")


def saddle_config_from_dict(raw: dict) -> SaddleConfig:
    try:
        return SaddleConfig.model_validate(raw)
    except ValidationError as err:
        raise bad_input_from(err, _UNKNOWN_KEY, _missing) from None


def load_saddle_config(path: str | Path) -> SaddleConfig:
    """Read and validate a saddle TOML file (BadInput, exit 2, on any problem)."""
    return saddle_config_from_dict(read_toml(path, "--config"))


# ---------------------------------------------------------------------- boxes (user input)
def position_message(text: str, exc) -> str:
    """A parse error with its position and a caret under the offending character."""
    return f"{exc.message} (position {exc.position})\n{exc.pointer(text)}"


def _box_from_text(box_text: str, field: str = "--box"):
    from numerics.symbolic.expression import ExpressionError, parse_box

    try:
        return parse_box(box_text)
    except ExpressionError as exc:
        raise BadInput(field, box_text, "a box such as 'x=-2:2,y=-2:2': " + position_message(box_text, exc)) from None


def box_from_mapping(box: dict, field: str = "--box") -> dict:
    """``{"x": (lo, hi), ...}`` with finite lo < hi (floats, or decimal strings as recorded in a
    certificate) -> ``{"x": (float lo, float hi)}``; BadInput naming ``field.<variable>``."""
    import math

    if not isinstance(box, dict) or not box:
        raise BadInput(field, box, "a non-empty table of variable = [lo, hi]")
    out = {}
    for name, iv in box.items():
        key = f"{field}.{name}"
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise BadInput(key, name, "a variable name (letters, digits, underscores)")
        if not isinstance(iv, (list, tuple)) or len(iv) != 2:
            raise BadInput(key, iv, "a pair [lo, hi] of finite numbers with lo < hi")
        try:
            lo, hi = (float(v) if not isinstance(v, bool) else math.nan for v in iv)
        except (TypeError, ValueError):
            raise BadInput(key, iv, "a pair [lo, hi] of finite numbers with lo < hi") from None
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise BadInput(key, iv, "a pair [lo, hi] of finite numbers with lo < hi")
        out[name] = (lo, hi)
    return out


def box_input(box, field: str = "--box") -> dict:
    """A box given as text (``x=-2:2,y=-1:1``) or as a table -> ``{name: (lo, hi)}``."""
    return box_from_mapping(box, field) if isinstance(box, dict) else _box_from_text(box, field)
