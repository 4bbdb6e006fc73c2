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
    symmetry = "none"                      # or "right-rotation"

    [empirical]
    enabled = false                        # GD/PGD runs in torch (evidence only)
    runs = 500
    seed = 0

Unknown keys are rejected; every error is a `BadInput` naming the dotted key, the value and
what is allowed (exit 2). The expression is parsed by the restricted grammar of
`numerics.expression`, never evaluated. The robust strict-saddle constants (theta, gamma, zeta)
are computed by the certifier, not configured.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from certify.config import bad_input_from, read_toml


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
        from certify.commands.saddle import _box_input

        o, s, e = self.objective, self.saddle, self.empirical
        box = None if o.box is None else _box_input(o.box, "objective.box")
        return {"expr": o.expr, "builtin": o.builtin, "box": box, "step": s.step, "epsilon": s.epsilon,
                "delta": s.delta, "c": s.c, "max_boxes": s.max_boxes, "algebra_budget": s.algebra_budget,
                "symmetry": s.symmetry,
                "empirical": e.enabled, "runs": e.runs, "seed": e.seed}


_UNKNOWN_KEY = ("unknown key; allowed: [objective] expr, builtin, box; [saddle] step, epsilon, delta, c, "
                "max_boxes, algebra_budget, symmetry; [empirical] enabled, runs, seed")


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
