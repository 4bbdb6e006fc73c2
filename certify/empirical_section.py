"""The `[empirical]` section of `certify run`: PyTorch runs reported beside the verdicts.

Experiments never change a verdict: their summary goes into each theorem's `empirical` object
(evidence with its statistics), and figures go into the HTML report.
"""

from __future__ import annotations


from certify.errors import BadInput

# theorems whose conclusion the two-layer engine measures
TWO_LAYER_THEOREMS = ("dzps2019-two-layer-gd", "dzps2019-two-layer-gf")


def _theorem_applies_factory(entry: dict):
    """width -> True when every hypothesis other than the width ones holds and the width
    exceeds the upper bound of every width the theorem requires (a rigorous comparison)."""
    others_hold = all(h["verdict"] == "holds" for h in entry["hypotheses"] if not h["id"].startswith("width"))
    bounds = [float(c["hi"]) for name, c in entry["constants"].items()
              if name.startswith("width") and c.get("hi") is not None]
    if not others_hold or not bounds:
        return lambda width: False
    need = max(bounds)
    return lambda width: float(width) > need


def add_empirical_evidence(config, dataset, instance, theorems: list[dict], *, progress: bool = False) -> None:
    from numerics.empirical.two_layer_experiments import run_two_layer_experiments
    from proofs.two_layer_quantities import lambda0_enclosure

    targets = [t for t in theorems if t["id"] in TWO_LAYER_THEOREMS]
    if not targets:
        return
    emp = config.empirical
    enc = lambda0_enclosure(instance)
    if not enc.lo > 0:
        for t in targets:
            t["empirical"] = {"skipped": "lambda0 is not certified positive; the theorem's bound is undefined"}
        return
    from numerics.networks.float_forward import unit_rows

    X = unit_rows(dataset.X)
    gd = next((t for t in targets if t["id"] == "dzps2019-two-layer-gd"), None)
    if isinstance(config.train.step_size, float):
        eta = config.train.step_size
    elif gd is not None and "eta" in gd["parameters"]:
        eta = float(gd["parameters"]["eta"])
    else:
        eta = float(enc.lo) / (4 * dataset.n ** 2)
    applies = _theorem_applies_factory(gd) if gd is not None else (lambda w: False)
    theorem_width = None
    if gd is not None and gd["constants"].get("width", {}).get("hi") is not None:
        theorem_width = float(gd["constants"]["width"]["hi"])
    H_inf = instance.cache.get("H_inf")
    try:
        summary = run_two_layer_experiments(
            X, dataset.y, lambda0=float(enc.lo), step_size=eta, widths=emp.widths, seeds=emp.seeds,
            steps=emp.steps, device=emp.device, dtype=emp.dtype, theorem_applies=applies,
            H_inf=H_inf.mid() if H_inf is not None else None, progress=progress, method=emp.method,
            batch_size=emp.batch_size, eps=emp.eps, theorem_width=theorem_width,
        )
    except ValueError as exc:
        text = str(exc)
        field = "empirical.device" if "device" in text else "empirical"
        raise BadInput(field, getattr(emp, "device", None) if field == "empirical.device" else None, text) from None
    for t in targets:
        t["empirical"] = summary
