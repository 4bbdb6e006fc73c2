"""The TOML configuration of `certify run`, validated by pydantic; unknown keys are rejected.

Every validation error becomes a `BadInput` naming the key (dotted path), the value and what is
allowed. Nothing in a config is ever evaluated as code.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from certify.errors import BadInput


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


SPHERE_LABELS = ("random-sign", "random-uniform", "zeros")
OPTIONAL_DATA_KEYS = ("labels_path", "label_column", "standardize", "subsample", "duplicates")
TABLE_LABELS = ("as-is", "sign", "parity", "standardize")
SKLEARN_SOURCES = ("digits", "breast_cancer", "wine", "iris", "diabetes")


class DataConfig(_Section):
    """Where the data come from and what is done to them (docs/datasets.md).

    Exactly one of ``path`` (an .npz with arrays X and y; a .csv with ``label_column``; an .npy of
    the rows with ``labels_path``, an .npy of the labels) and ``source`` (``"sphere"``, a seeded
    generator with ``n``, ``d``; or ``"sklearn:NAME"``, a data set bundled with scikit-learn).
    Options of the files and scikit-learn sets: ``standardize``, ``labels``, ``subsample`` with
    ``seed``. ``duplicates``: rows with the same normalized input and label are merged
    (``"merge"``, the default, recorded) or kept (``"keep"``: lambda0 = 0 then, and the theorems
    that need lambda0 > 0 fail naming the pair).
    """

    path: Optional[str] = None
    labels_path: Optional[str] = None
    label_column: Optional[Union[int, str]] = None
    source: Optional[str] = None
    n: Optional[int] = Field(default=None, ge=2)
    d: Optional[int] = Field(default=None, ge=1)
    seed: int = 0
    labels: Optional[str] = None
    standardize: bool = False
    subsample: Optional[int] = Field(default=None, ge=2)
    duplicates: Literal["merge", "keep"] = "merge"

    @field_validator("source")
    @classmethod
    def _source(cls, v):
        allowed = ("sphere",) + tuple(f"sklearn:{s}" for s in SKLEARN_SOURCES)
        if v is not None and v not in allowed:
            raise ValueError(f"unknown data source; allowed: {', '.join(repr(a) for a in allowed)}")
        return v

    @field_validator("labels")
    @classmethod
    def _labels(cls, v):
        if v is None or v in SPHERE_LABELS or v in TABLE_LABELS:
            return v
        if v.startswith("one-vs-rest:"):
            k = v.split(":", 1)[1]
            if k.lstrip("-").isdigit():
                return f"one-vs-rest:{int(k)}"
        raise ValueError("allowed: " + ", ".join(f'"{x}"' for x in SPHERE_LABELS + TABLE_LABELS)
                         + ', "one-vs-rest:K" (K an integer class label)')

    @model_validator(mode="after")
    def _one_source(self):
        if (self.path is None) == (self.source is None):
            raise ValueError("give exactly one of `path` (.npz, .csv or .npy file) or `source` "
                             "(\"sphere\" or \"sklearn:NAME\")")
        generated = self.source == "sphere"
        if generated and (self.n is None or self.d is None):
            raise ValueError("a generated dataset needs `n` (>= 2) and `d` (>= 1)")
        if self.labels is None:       # the default rule of each kind of source, recorded explicitly
            self.labels = "random-sign" if generated else "as-is"
        if not generated and (self.n is not None or self.d is not None):
            raise ValueError("`n` and `d` belong to the generated dataset (source = \"sphere\"); "
                             "the file or data set defines them (use `subsample` for fewer rows)")
        return self

def check_data_options(data: DataConfig) -> None:
    """Which options apply to which source; BadInput names the key (`data.labels`, ...)."""
    generated = data.source == "sphere"
    where = "source = \"sphere\"" if generated else "a file or scikit-learn data set"
    if data.labels is not None:
        ok = SPHERE_LABELS if generated else TABLE_LABELS
        if data.labels not in ok and (generated or not data.labels.startswith("one-vs-rest:")):
            rest = "" if generated else ', "one-vs-rest:K"'
            raise BadInput("data.labels", data.labels, f"for {where} one of "
                           + ", ".join(f'"{x}"' for x in ok) + rest)
    if generated:
        for key in ("standardize", "subsample"):
            if getattr(data, key) not in (None, False):
                raise BadInput(f"data.{key}", getattr(data, key),
                               "not with source = \"sphere\" (it applies to files and scikit-learn data sets)")
    suffix = Path(data.path).suffix.lower() if data.path is not None else None
    if suffix is not None and suffix not in (".npz", ".csv", ".npy"):
        raise BadInput("data.path", data.path, "a .npz, .csv or .npy file")
    if data.label_column is not None and suffix != ".csv":
        raise BadInput("data.label_column", data.label_column, "only with a .csv `path`")
    if suffix == ".csv" and data.label_column is None:
        raise BadInput("data.label_column", None, "the label column of the .csv `path`: a header name "
                                                   "or a 0-based column index")
    if suffix == ".npy" and data.labels_path is None:
        raise BadInput("data.labels_path", None, "an .npy file of the labels y, beside the .npy `path` of the rows")
    if data.labels_path is not None and suffix != ".npy":
        raise BadInput("data.labels_path", data.labels_path, "only with an .npy `path` (the rows X)")


class ModelConfig(_Section):
    kind: Literal["two-layer-relu", "deep-fc", "resnet", "cnn"] = "two-layer-relu"
    width: Optional[Union[int, float]] = None
    # deep networks (1811.03804): depth H, activation, ResNet scale c_res, CNN channels/patches
    depth: Optional[int] = Field(default=None, ge=1)
    activation: Literal["relu", "softplus", "tanh"] = "relu"
    c_res: Optional[float] = None
    channels: Optional[int] = Field(default=None, ge=1)
    patch_size: Optional[int] = Field(default=None, ge=1)
    # whether the output layer a is a parameter too (default: false for two-layer, as in
    # 1810.02054; true for deep nets); the teacher-student setting of `certify critical` needs it
    train_output: Optional[bool] = None

    @field_validator("c_res")
    @classmethod
    def _c_res(cls, v):
        if v is not None and not (0 < v < 1):
            raise ValueError("c_res must lie strictly between 0 and 1 (1811.03804 Sec. 3.3)")
        return v

    @field_validator("patch_size")
    @classmethod
    def _patch(cls, v):
        if v is not None and v % 2 == 0:
            raise ValueError("patch_size must be odd (a centred patch, zero padding (q-1)/2)")
        return v

    @model_validator(mode="after")
    def _deep(self):
        if self.kind in ("deep-fc", "resnet", "cnn") and self.depth is None:
            raise ValueError(f"model kind {self.kind!r} needs `depth` (an integer >= 1)")
        if self.kind == "two-layer-relu" and self.activation != "relu":
            raise ValueError("the two-layer model is ReLU; use kind = \"deep-fc\" with depth = 1 for other activations")
        if self.kind == "cnn" and (self.channels is None or self.patch_size is None):
            raise ValueError("model kind \"cnn\" needs `channels` and `patch_size` (rows of X are channel-major signals)")
        return self

    @field_validator("width")
    @classmethod
    def _width(cls, v):
        if v is None:
            return v
        if isinstance(v, bool) or not math.isfinite(float(v)) or float(v) < 1:
            raise ValueError("width must be a finite number >= 1 (an integer, or a float such as 1e22)")
        if isinstance(v, float) and v != math.floor(v):
            raise ValueError("width must be a whole number of neurons")
        return v


class TrainConfig(_Section):
    """Full-batch GD: at most `steps` steps, stopping early once the float loss
    1/2 ||u - y||^2 is at most `loss_target` (when given)."""

    step_size: Union[Literal["auto"], float] = "auto"
    steps: int = Field(default=1000, ge=0)
    seed: int = 0
    loss_target: Optional[float] = Field(default=None, ge=0)

    @field_validator("step_size")
    @classmethod
    def _step(cls, v):
        if v == "auto":
            return v
        if isinstance(v, bool) or not math.isfinite(float(v)) or float(v) <= 0:
            raise ValueError('step_size must be a positive finite number or "auto"')
        return float(v)


class InstanceConfig(_Section):
    """`certify instance`: how the point handed to the proof is found (float; the proof decides).

    `search = "gauss-newton"` refines the start point by damped Gauss-Newton
    (numerics.instance.two_layer_gauss_newton) before the proof; `"none"` proves the trained point
    as it is. `start = "trained"` searches from the GD-trained point (and from the initialization
    when that fails); `"init"` from the initialization only. `solver`: Cholesky of the Gram,
    matrix-free conjugate gradients, or `"auto"` (Cholesky up to `cholesky_max_n` inputs)."""

    search: Literal["gauss-newton", "none"] = "gauss-newton"
    start: Literal["trained", "init"] = "trained"
    max_iterations: int = Field(default=50, ge=0)
    solver: Literal["auto", "cholesky", "cg"] = "auto"
    cholesky_max_n: int = Field(default=4096, ge=1)
    device: Literal["auto", "cpu", "cuda"] = "cpu"


_RESERVED_NAMES = frozenset({"n", "d", "m", "delta", "eta", "depth", "H", "activation", "c_res", "channels",
                             "patch_size", "p"})


# theorems evaluated by another verb than `certify run` (they need an objective, a program or weights)
OTHER_VERBS_BY_FAMILY = {
    "saddles": "certify saddle",
    "landscapes": "certify landscape",
    "nonsmooth": "certify subgradient` or `certify audit",
    "nonsmooth-rates": "certify explain",
}
OTHER_VERBS_BY_ID = {"lazy-global-minimizer-nearby": "certify instance", "deep-global-minimizer-nearby": "certify instance"}


def other_verb_for(theorem_id: str) -> str | None:
    from proofs.registry import get_theorem

    if theorem_id in OTHER_VERBS_BY_ID:
        return OTHER_VERBS_BY_ID[theorem_id]
    return OTHER_VERBS_BY_FAMILY.get(get_theorem(theorem_id).family)


class CertifyConfig(_Section):
    theorems: list[str] = Field(default_factory=lambda: ["dzps2019-lambda0-positive", "dzps2019-two-layer-gf",
                                                          "dzps2019-two-layer-gd"])
    delta: float = 0.05
    # values for constants a paper leaves unnamed (e.g. c_w = 1.0); otherwise critical values are reported
    constants: dict[str, float] = Field(default_factory=dict)

    @field_validator("constants")
    @classmethod
    def _constants(cls, v):
        for k, x in v.items():
            if not k.isidentifier() or k in _RESERVED_NAMES:
                raise ValueError(f"constant name {k!r} must be an identifier such as c_w, "
                                 f"not one of the reserved parameter names {', '.join(sorted(_RESERVED_NAMES))}")
            if not (math.isfinite(x) and x > 0):
                raise ValueError(f"constant {k} = {x!r}: must be a positive finite number")
        return v

    @field_validator("delta")
    @classmethod
    def _delta(cls, v):
        if not (0 < v < 1):
            raise ValueError("delta must lie strictly between 0 and 1")
        return v

    @field_validator("theorems")
    @classmethod
    def _known(cls, v):
        from proofs.registry import theorem_ids

        known = theorem_ids()
        for tid in v:
            if tid not in known:
                raise ValueError(f"unknown theorem id {tid!r}; known ids: {', '.join(known)}")
            verb = other_verb_for(tid)
            if verb is not None:
                raise ValueError(f"theorem {tid!r} is not about a dataset configuration; use `{verb}`")
        if not v:
            raise ValueError("list at least one theorem id")
        return v


class NumericsConfig(_Section):
    """`[numerics]`: the numeric context of the whole command and of `certify check`
    (certify/pipeline.py `numeric_context`; recorded as `numerics.context`).

    ``backend``: "numpy" (float64 with rigorous error terms; Arb only when a float enclosure is
    too wide) or "arb" (spectral enclosures and solves go to Arb ball arithmetic directly).
    ``precision_bits``: the Arb precision of those computations and of the symbolic enclosures
    that decide hypotheses (a float64 setting of 53 bits keeps the enclosures' default, 128).
    ``max_precision_bits``: the escalation budget (doubling up to it). See
    docs/floating_point_environment.md, "The numeric context"."""

    backend: Literal["numpy", "arb"] = "numpy"
    precision_bits: int = Field(default=128, ge=53, le=65536)
    max_precision_bits: int = Field(default=1024, ge=53, le=65536)

    @model_validator(mode="after")
    def _order(self):
        if self.max_precision_bits < self.precision_bits:
            raise ValueError("max_precision_bits must be >= precision_bits")
        return self


class EmpiricalConfig(_Section):
    enabled: bool = False
    widths: list[int] = Field(default_factory=lambda: [64, 256, 1024])
    seeds: list[int] = Field(default_factory=lambda: [0, 1, 2])
    steps: int = Field(default=300, ge=1)
    device: Literal["auto", "cpu", "cuda"] = "auto"
    dtype: Literal["float64", "float32"] = "float64"
    method: Literal["gd", "sgd"] = "gd"
    batch_size: Optional[int] = Field(default=None, ge=1)
    eps: float = Field(default=1e-3, gt=0)

    @field_validator("widths")
    @classmethod
    def _widths(cls, v):
        if not v or any(w < 1 for w in v):
            raise ValueError("widths must be a non-empty list of integers >= 1")
        return sorted(set(v))

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, v):
        if not v:
            raise ValueError("seeds must be a non-empty list of integers")
        return v


class Config(_Section):
    data: DataConfig
    model: ModelConfig = Field(default_factory=ModelConfig)
    train: TrainConfig = Field(default_factory=TrainConfig)
    certify: CertifyConfig = Field(default_factory=CertifyConfig)
    numerics: NumericsConfig = Field(default_factory=NumericsConfig)
    empirical: EmpiricalConfig = Field(default_factory=EmpiricalConfig)
    instance: InstanceConfig = Field(default_factory=InstanceConfig)
    base_dir: str = Field(default=".", exclude=True)

    def normalized(self) -> dict:
        """The config as recorded in a certificate (defaults filled in; the data options of files
        and scikit-learn sets only when set, so that older configs record what they did; likewise an
        unset ``model.train_output``)."""
        out = self.model_dump(mode="json", exclude={"base_dir"})
        for key in OPTIONAL_DATA_KEYS:
            if out["data"].get(key) in (None, False, "merge"):
                out["data"].pop(key, None)
        if out["model"].get("train_output") is None:
            out["model"].pop("train_output", None)
        return out


_UNION_TAGS = ("dict[", "list[", "union[", "function-")


def bad_input_from(err: ValidationError, unknown_key_hint: str = "unknown key; remove it (allowed keys are "
                   "those documented in the README)", missing_hint=None) -> BadInput:
    """The first pydantic error as BadInput: dotted key, the value, what is allowed."""
    e = err.errors()[0]
    # pydantic adds union-member tags ("str", "dict[str,...]") to the location: not keys
    loc = ".".join(str(p) for p in e["loc"] if str(p) != "str" and not str(p).startswith(_UNION_TAGS))
    loc = loc or "config"
    msg = e["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if e["type"] == "extra_forbidden":
        msg = unknown_key_hint
    elif e["type"] == "missing" and missing_hint is not None:
        msg = missing_hint(loc)
    value = e.get("input")
    if isinstance(value, dict):
        value = "{...}"
    return BadInput(loc, value, msg)


def read_toml(path: str | Path, field: str) -> dict:
    """Parse a TOML file; a missing, unreadable or malformed file is BadInput naming `field`."""
    path = Path(path)
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise BadInput(field, str(path), "an existing TOML file") from None
    except OSError as exc:
        raise BadInput(field, str(path), f"a readable TOML file ({exc.strerror})") from None
    try:
        return tomllib.loads(text.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(field, str(path), f"valid TOML ({exc})") from None


def config_from_dict(raw: dict, base_dir: str | Path = ".") -> Config:
    try:
        config = Config.model_validate({**raw, "base_dir": str(base_dir)})
    except ValidationError as err:
        raise bad_input_from(err) from None
    check_data_options(config.data)
    return config


def load_config(path: str | Path) -> Config:
    path = Path(path)
    raw = read_toml(path, "CONFIG")
    if "base_dir" in raw:
        raise BadInput("base_dir", raw["base_dir"], "unknown key; remove it")
    return config_from_dict(raw, base_dir=path.resolve().parent)
