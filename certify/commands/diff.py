"""`certify diff A.json B.json`: what changed between two certificates.

Compares verdicts (the certificate's, each theorem's status, each hypothesis's), the enclosures
of quantities and constants, the symbolic forms of constants, the chosen parameters, the data,
the configuration and the environment. Exit 1 when any verdict changed (a theorem appearing or
disappearing counts), 0 otherwise, 2 when either file is not a valid certificate.

Direction of a bound. A constant enters its theorem through a hypothesis: `m >= width` makes
`width` a threshold the configuration must exceed (a smaller one is a tighter bound: the
theorem then asks less), `eta <= step_size` makes it one the configuration must stay below (a
larger one is tighter). `constant_sense` reads this from the theorem's hypotheses; a usable
endpoint is compared (hi for thresholds to exceed, lo for thresholds to stay below), since those
are the endpoints a rigorous decision relies on. Where no hypothesis shows the direction, any
change counts as a regression ("direction unknown"). Quantities are enclosures of one true value
when the data and configuration are the same: a new enclosure inside the old one is tighter, one
sticking out is looser, and disjoint enclosures mean one of them is unsound.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from functools import lru_cache

import click

SMALLER_IS_TIGHTER = "smaller-is-tighter"  # a threshold the configuration must exceed (width >= C)
LARGER_IS_TIGHTER = "larger-is-tighter"  # a threshold the configuration must stay below (eta <= C)


@dataclass(frozen=True)
class Change:
    """One difference. `regression`: a looser bound, a changed verdict or a changed symbolic form."""

    kind: str  # verdict | status | hypothesis | theorem | quantity | constant | formula | parameter | data | config | environment | tool
    where: str
    old: object
    new: object
    note: str = ""
    verdict_changed: bool = False
    regression: bool = False
    tighter: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


# ------------------------------------------------------------------ direction of a bound


@lru_cache(maxsize=256)
def constant_sense(theorem_id: str, name: str) -> str | None:
    """SMALLER_IS_TIGHTER, LARGER_IS_TIGHTER, or None when the theorem's hypotheses do not say."""
    try:
        import sympy as sp

        from proofs.registry import get_theorem

        thm = get_theorem(theorem_id)
        const = thm.constant(name)
    except (KeyError, ImportError):
        return None
    senses = set()
    for h in thm.hypotheses:
        rel = h.relation
        if rel is None or not isinstance(rel, sp.core.relational.Relational):
            continue
        big_side = isinstance(rel, (sp.GreaterThan, sp.StrictGreaterThan))
        small_side = isinstance(rel, (sp.LessThan, sp.StrictLessThan))
        if not (big_side or small_side):
            continue
        for side, other_is_larger in ((rel.rhs, big_side), (rel.lhs, small_side)):
            if side == const.expr or side == const.symbol:
                # the constant is on the smaller side: the configuration must exceed it
                senses.add(SMALLER_IS_TIGHTER if other_is_larger else LARGER_IS_TIGHTER)
    return senses.pop() if len(senses) == 1 else None


# ------------------------------------------------------------------ enclosures


def _f(s) -> float | None:
    return None if s is None else float(s)


def _fmt(iv: dict | None) -> str:
    if not iv:
        return "absent"
    if iv.get("lo") is None:
        return "not enclosed"
    return f"[{iv['lo']}, {iv['hi']}]"


def _rel(old: float, new: float) -> str:
    if old == new:
        return "0%"
    if old == 0 or not math.isfinite(old) or not math.isfinite(new):
        return f"{old} -> {new}"
    return f"{(new - old) / abs(old):+.3g} relative"


def _close(x: float, y: float, rtol: float) -> bool:
    return x == y or (rtol > 0 and math.isfinite(x) and math.isfinite(y) and abs(x - y) <= rtol * max(abs(x), abs(y)))


def compare_bound(old: dict, new: dict, sense: str | None, rtol: float = 0.0) -> tuple[str, bool, bool]:
    """(note, regression, tighter) for a constant's enclosure going from `old` to `new`.

    Moves of the usable endpoint within `rtol` (relative) count as unchanged: the lock uses a
    small tolerance so that last-bit differences between platforms' libm do not fail a build.
    """
    o_lo, o_hi, n_lo, n_hi = _f(old.get("lo")), _f(old.get("hi")), _f(new.get("lo")), _f(new.get("hi"))
    if (o_lo, o_hi) == (n_lo, n_hi):
        return "unchanged", False, False
    if o_hi is None and n_hi is not None:
        return "now enclosed (tighter)", False, True
    if n_hi is None:
        return "no longer enclosed (looser)", True, False
    if sense == SMALLER_IS_TIGHTER:
        if _close(o_hi, n_hi, rtol):
            return "enclosure changed, usable (upper) end unchanged", False, False
        if n_hi > o_hi:
            return f"looser: upper end grew ({_rel(o_hi, n_hi)}); the theorem now asks for more", True, False
        return f"tighter: upper end shrank ({_rel(o_hi, n_hi)})", False, True
    if sense == LARGER_IS_TIGHTER:
        if _close(o_lo, n_lo, rtol):
            return "enclosure changed, usable (lower) end unchanged", False, False
        if n_lo < o_lo:
            return f"looser: lower end shrank ({_rel(o_lo, n_lo)}); the theorem now allows less", True, False
        return f"tighter: lower end grew ({_rel(o_lo, n_lo)})", False, True
    if _close(o_lo, n_lo, rtol) and _close(o_hi, n_hi, rtol):
        return "enclosure changed within the tolerance", False, False
    return "changed; direction unknown (no hypothesis shows which way is tighter)", True, False


def compare_enclosure(old: dict, new: dict, same_value: bool, rtol: float = 0.0) -> tuple[str, bool, bool]:
    """(note, regression, tighter) for an enclosure of a quantity going from `old` to `new`.

    With `same_value` (same data and configuration) both enclose one true value: containment
    decides tighter/looser (up to `rtol`), and disjoint enclosures are flagged as unsound
    whatever the tolerance. Float estimates (`"rigorous": false`) are compared as values only.
    """
    o_lo, o_hi, n_lo, n_hi = _f(old.get("lo")), _f(old.get("hi")), _f(new.get("lo")), _f(new.get("hi"))
    if (o_lo, o_hi) == (n_lo, n_hi):
        return "unchanged", False, False
    if None in (o_lo, o_hi, n_lo, n_hi):
        return ("now enclosed", False, True) if o_lo is None else ("no longer enclosed", True, False)
    if old.get("rigorous") is False or new.get("rigorous") is False:
        return f"float estimate changed ({_rel(o_lo, n_lo)}); not an enclosure", False, False
    if not same_value:
        return f"changed (different data or configuration; lower end {_rel(o_lo, n_lo)})", False, False
    if n_hi < o_lo or n_lo > o_hi:
        return "DISJOINT from the old enclosure: one of them does not contain the true value (soundness bug)", True, False
    if o_lo <= n_lo and n_hi <= o_hi:
        return f"tighter: inside the old enclosure (width {o_hi - o_lo:.3g} -> {n_hi - n_lo:.3g})", False, True
    if (n_lo >= o_lo or _close(o_lo, n_lo, rtol)) and (n_hi <= o_hi or _close(o_hi, n_hi, rtol)):
        return "enclosure changed within the tolerance", False, False
    return f"looser: sticks out of the old enclosure (width {o_hi - o_lo:.3g} -> {n_hi - n_lo:.3g})", True, False


# ------------------------------------------------------------------ certificates


def _flatten(d, prefix="") -> dict:
    out = {}
    if isinstance(d, dict):
        for k, v in d.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    else:
        out[prefix] = d
    return out


def compare_theorem(tid: str, a: dict, b: dict, same_value: bool, rtol: float = 0.0) -> list[Change]:
    """Changes in one theorem entry from `a` (old) to `b` (new)."""
    ch: list[Change] = []
    w = f"theorem {tid}"
    if a.get("status") != b.get("status"):
        ch.append(Change("status", w, a.get("status"), b.get("status"), verdict_changed=True, regression=True))
    ha = {h["id"]: h for h in a.get("hypotheses", [])}
    hb = {h["id"]: h for h in b.get("hypotheses", [])}
    for hid in list(ha) + [h for h in hb if h not in ha]:
        x, y = ha.get(hid), hb.get(hid)
        if x is None or y is None:
            ch.append(Change("hypothesis", f"{w} / hypothesis {hid}", x and x["verdict"], y and y["verdict"],
                             "added" if x is None else "removed", verdict_changed=True, regression=True))
            continue
        if x.get("verdict") != y.get("verdict"):
            ch.append(Change("hypothesis", f"{w} / hypothesis {hid}", x["verdict"], y["verdict"],
                             y.get("message") or "", verdict_changed=True, regression=True))
        if x.get("latex") != y.get("latex"):
            ch.append(Change("formula", f"{w} / hypothesis {hid} latex", x.get("latex"), y.get("latex"),
                             "symbolic form of the hypothesis changed", regression=True))
        if x.get("statement") != y.get("statement"):
            ch.append(Change("formula", f"{w} / hypothesis {hid} statement", x.get("statement"), y.get("statement"),
                             "wording changed"))
        if x.get("method") != y.get("method"):
            ch.append(Change("hypothesis", f"{w} / hypothesis {hid} method", x.get("method"), y.get("method"),
                             "method changed"))
    for name in sorted(set(a.get("quantities", {})) | set(b.get("quantities", {}))):
        x, y = a.get("quantities", {}).get(name), b.get("quantities", {}).get(name)
        if x is None or y is None:
            ch.append(Change("quantity", f"{w} / quantity {name}", _fmt(x), _fmt(y), "added" if x is None else "removed"))
            continue
        note, reg, tight = compare_enclosure(x, y, same_value, rtol)
        if note != "unchanged" and "within the tolerance" not in note:
            ch.append(Change("quantity", f"{w} / quantity {name}", _fmt(x), _fmt(y), note, regression=reg, tighter=tight))
    for name in sorted(set(a.get("constants", {})) | set(b.get("constants", {}))):
        x, y = a.get("constants", {}).get(name), b.get("constants", {}).get(name)
        if x is None or y is None:
            ch.append(Change("constant", f"{w} / constant {name}", _fmt(x), _fmt(y), "added" if x is None else "removed",
                             regression=y is None))
            continue
        for key in ("expr", "big_o", "order"):
            if x.get(key) != y.get(key):
                ch.append(Change("formula", f"{w} / constant {name} {key}", x.get(key), y.get(key),
                                 "symbolic form changed", regression=True))
        note, reg, tight = compare_bound(x, y, constant_sense(tid, name), rtol)
        if note != "unchanged" and "within the tolerance" not in note:
            ch.append(Change("constant", f"{w} / constant {name}", _fmt(x), _fmt(y), note, regression=reg, tighter=tight))
    pa, pb = a.get("parameters", {}) or {}, b.get("parameters", {}) or {}
    for k in sorted(set(pa) | set(pb)):
        if pa.get(k) != pb.get(k):
            ch.append(Change("parameter", f"{w} / parameter {k}", pa.get(k), pb.get(k)))
    da, db = a.get("derivation_status", {}) or {}, b.get("derivation_status", {}) or {}
    for k in sorted(set(da) | set(db)):
        if da.get(k) != db.get(k):
            ch.append(Change("formula", f"{w} / derivation of {k}", da.get(k), db.get(k), "derivation status changed",
                             regression=True))
    return ch


def config_hash(cert: dict) -> str:
    """sha256 of the normalized configuration and the data's hash (machine-independent).

    The `[empirical]` section is left out: experiments are evidence beside the verdicts and never
    change a verdict or a bound, so tuning them does not invalidate locked bounds. So is the
    `[instance]` section (how `certify instance` searches for its point; no `certify run` bound
    depends on it) and an unset `[train] loss_target` (configurations written before the key
    existed keep their hash).
    """
    import hashlib

    from certify.certificate import canonical_json

    config = {k: v for k, v in (cert.get("config") or {}).items() if k not in ("empirical", "instance")}
    train = config.get("train")
    if isinstance(train, dict) and train.get("loss_target", 0) is None:
        config["train"] = {k: v for k, v in train.items() if k != "loss_target"}
    body = {"config": config, "data_sha256": (cert.get("data") or {}).get("sha256")}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def diff_certificates(a: dict, b: dict, rtol: float = 0.0) -> list[Change]:
    """Every change from certificate `a` (old) to `b` (new); bound moves within `rtol` are ignored."""
    ch: list[Change] = []
    same_value = config_hash(a) == config_hash(b)
    if a.get("verdict") != b.get("verdict"):
        ch.append(Change("verdict", "certificate", a.get("verdict"), b.get("verdict"), verdict_changed=True,
                         regression=True))
    ta = {t["id"]: t for t in a.get("theorems", [])}
    tb = {t["id"]: t for t in b.get("theorems", [])}
    for tid in list(ta) + [t for t in tb if t not in ta]:
        if tid not in tb:
            ch.append(Change("theorem", f"theorem {tid}", ta[tid]["status"], None, "removed", verdict_changed=True,
                             regression=True))
        elif tid not in ta:
            ch.append(Change("theorem", f"theorem {tid}", None, tb[tid]["status"], "added", verdict_changed=True))
        else:
            ch += compare_theorem(tid, ta[tid], tb[tid], same_value, rtol)
    da, db = a.get("data") or {}, b.get("data") or {}
    for k in sorted(set(da) | set(db)):
        if da.get(k) != db.get(k):
            ch.append(Change("data", f"data.{k}", da.get(k), db.get(k)))
    ca, cb = _flatten(a.get("config") or {}), _flatten(b.get("config") or {})
    for k in sorted(set(ca) | set(cb)):
        if ca.get(k) != cb.get(k):
            ch.append(Change("config", f"config.{k}", ca.get(k), cb.get(k)))
    if (a.get("tool") or {}).get("version") != (b.get("tool") or {}).get("version"):
        ch.append(Change("tool", "dl-certify version", (a.get("tool") or {}).get("version"),
                         (b.get("tool") or {}).get("version")))
    ea, eb = a.get("environment") or {}, b.get("environment") or {}
    for k in sorted(set(ea) | set(eb)):
        if ea.get(k) != eb.get(k):
            ch.append(Change("environment", f"environment.{k}", ea.get(k), eb.get(k)))
    return ch


SECTIONS = (
    ("verdicts", ("verdict", "theorem", "status", "hypothesis")),
    ("bounds and enclosures", ("constant", "quantity")),
    ("symbolic forms and derivations", ("formula",)),
    ("parameters chosen", ("parameter",)),
    ("data and configuration", ("data", "config")),
    ("tool and environment", ("tool", "environment")),
)


def _show(x) -> str:
    if x is None:
        return "—"
    text = x if isinstance(x, str) else json.dumps(x)
    return text if len(text) <= 100 else text[:97] + "..."


def format_changes(changes: list[Change], a_name: str = "A", b_name: str = "B") -> str:
    """A readable report of `changes`, grouped by section, with a summary line."""
    if not changes:
        return f"no differences between {a_name} and {b_name}\n"
    lines = [f"certify diff {a_name} -> {b_name}"]
    for title, kinds in SECTIONS:
        group = [c for c in changes if c.kind in kinds]
        if not group:
            continue
        lines.append(f"\n{title}:")
        for c in group:
            flag = "  [VERDICT CHANGED]" if c.verdict_changed else ("  [regression]" if c.regression else "")
            flag = flag or ("  [tighter]" if c.tighter else "")
            lines.append(f"  {c.where}: {_show(c.old)} -> {_show(c.new)}{flag}")
            if c.note:
                lines.append(f"      {c.note}")
    n_verdict = sum(c.verdict_changed for c in changes)
    n_loose = sum(c.regression and c.kind in ("constant", "quantity") for c in changes)
    n_tight = sum(c.tighter for c in changes)
    lines.append(f"\nsummary: {n_verdict} verdict change(s), {n_loose} looser bound(s), {n_tight} tighter, "
                 f"{len(changes)} difference(s) in all")
    return "\n".join(lines) + "\n"


@click.command("diff")
@click.argument("old", metavar="A.json", type=click.Path(dir_okay=False))
@click.argument("new", metavar="B.json", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--rtol", type=click.FloatRange(min=0.0), default=0.0, show_default=True,
              help="Ignore moves of a bound's endpoints smaller than this relative amount.")
def command(old: str, new: str, fmt: str, rtol: float) -> None:
    """What changed from certificate A to certificate B; exit 1 when a verdict changed."""
    import sys

    from certify.certificate import load_certificate
    from certify.schema import require_valid_certificate

    a = require_valid_certificate(load_certificate(old), old)
    b = require_valid_certificate(load_certificate(new), new)
    changes = diff_certificates(a, b, rtol)
    if fmt == "json":
        click.echo(json.dumps({"a": old, "b": new, "verdict_changed": any(c.verdict_changed for c in changes),
                               "changes": [c.as_dict() for c in changes]}, indent=2, default=str))
    else:
        click.echo(format_changes(changes, old, new), nl=False)
    sys.exit(1 if any(c.verdict_changed for c in changes) else 0)
