"""Figures of the empirical evidence (PNG bytes) for reports: theory against practice.

Each function takes the summary dict of ``numerics.empirical.two_layer_experiments.
run_two_layer_experiments`` and returns PNG bytes, or None when the summary lacks the data.
Rendering is reproducible: Agg backend, fixed style, size, dpi and font, and no metadata in the file
(``savefig(..., metadata={"Software": None})``), so the same summary gives the same bytes.
matplotlib is imported inside the functions (start-up of the CLI stays fast).
"""

from __future__ import annotations

import io
import math

STYLE = {"font.family": "DejaVu Sans", "font.size": 9, "axes.grid": True, "grid.alpha": 0.3,
         "figure.figsize": (6.0, 4.0), "figure.dpi": 100, "savefig.dpi": 100, "lines.linewidth": 1.4,
         "path.simplify": False}


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    _plt().close(fig)
    return buf.getvalue()


def _xy(xs, ys):
    """Points with positive finite y (log axes), as two lists."""
    pts = [(x, y) for x, y in zip(xs, ys) if y is not None and math.isfinite(y) and y > 0]
    return [p[0] for p in pts], [p[1] for p in pts]


def _widths(summary: dict) -> list[int]:
    return sorted(int(w) for w in summary.get("curves", {}).get("per_width", {}))


def loss_vs_bound_png(summary: dict) -> bytes | None:
    """Median ``||y - u(k)||^2`` per width against the DZPS bound ``(1 - eta lambda0/2)^k ||y - u(0)||^2``."""
    curves = summary.get("curves", {})
    sched, per = curves.get("schedule", []), curves.get("per_width", {})
    if not per:
        return None
    plt = _plt()
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        for i, w in enumerate(_widths(summary)):
            c = per[str(w)]
            color = f"C{i % 10}"
            ax.plot(*_xy(sched, c["loss_median"]), color=color, label=f"m = {w} (median over seeds)")
            ax.plot(*_xy(sched, c["bound_median"]), color=color, linestyle="--", linewidth=0.9)
        ax.plot([], [], color="grey", linestyle="--", label="bound (1 - eta lambda0/2)^k ||y - u(0)||^2")
        ax.set_yscale("log")
        ax.set_xlabel("GD step k")
        ax.set_ylabel("||y - u(k)||^2")
        flag = summary.get("counterexample_flag")
        title = "Loss against the theorem's bound (DZPS Thm 4.1), float evidence"
        ax.set_title(title + ("\n" + flag if flag else ""), color="red" if flag else "black", fontsize=9)
        ax.legend(fontsize=7)
        fig.tight_layout()
        return _png(fig)


def _scatter_with_fit(summary: dict, points_key: str, fit_key: str, ylabel: str, title: str) -> bytes | None:
    pts = [(w, v) for w, v in summary.get(points_key, []) if v is not None and v > 0]
    if not pts:
        return None
    plt = _plt()
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=14, color="C0", label="runs (one per seed)")
        fit = summary.get(fit_key) or {}
        if fit.get("estimate") is not None:
            ws = sorted({p[0] for p in pts})
            line = [math.exp(fit["intercept"]) * w ** fit["estimate"] for w in ws]
            ci = f" [{fit['lo']:.3f}, {fit['hi']:.3f}]" if fit.get("lo") is not None else ""
            ax.plot(ws, line, color="C3", label=f"fit: slope {fit['estimate']:.3f}{ci} ({int(fit['confidence'] * 100)}% CI)")
            ref = [line[0] * (w / ws[0]) ** -0.5 for w in ws]
            ax.plot(ws, ref, color="grey", linestyle=":", label="slope -1/2 (kernel regime)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("width m")
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=7)
        fig.tight_layout()
        return _png(fig)


def movement_vs_width_png(summary: dict) -> bytes | None:
    """Final max per-neuron movement ``max_r ||w_r(K) - w_r(0)||`` against width, with the fitted slope."""
    return _scatter_with_fit(summary, "movement_points", "movement_slope", "max_r ||w_r(K) - w_r(0)||",
                             "Per-neuron movement against width (float evidence)")


def flips_vs_width_png(summary: dict) -> bytes | None:
    """Fraction of activation patterns flipped by step K against width, with the fitted slope."""
    return _scatter_with_fit(summary, "flip_points", "flip_slope", "fraction of flipped activations",
                             "Activation-pattern flips against width (float evidence)")


def arora_trajectory_png(summary: dict) -> bytes | None:
    """Arora et al. (1901.08584 Thm 4.1) predicted ``||y - u(k)||`` against the observed medians per width."""
    arora = summary.get("arora")
    curves = summary.get("curves", {})
    if not arora or not curves.get("per_width"):
        return None
    sched = curves["schedule"]
    plt = _plt()
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        ax.plot(*_xy(sched, arora["predicted_residual_norm"]), color="black", linestyle="--",
                label="prediction sqrt(sum (1 - eta lambda_i)^(2k) (v_i.y)^2)")
        for i, w in enumerate(_widths(summary)):
            gap = arora.get("gap_median", {}).get(str(w))
            label = f"m = {w}" + (f" (gap {gap:.3g})" if gap is not None else "")
            ax.plot(*_xy(sched, curves["per_width"][str(w)]["residual_norm_median"]), color=f"C{i % 10}", label=label)
        ax.set_yscale("log")
        ax.set_xlabel("GD step k")
        ax.set_ylabel("||y - u(k)||")
        ax.set_title("Arora et al. trajectory prediction against observed (median over seeds)", fontsize=9)
        ax.legend(fontsize=7)
        fig.tight_layout()
        return _png(fig)


FIGURES = {
    "loss_vs_bound": loss_vs_bound_png,
    "movement_vs_width": movement_vs_width_png,
    "flips_vs_width": flips_vs_width_png,
    "arora_trajectory": arora_trajectory_png,
}


def empirical_figures(summary: dict) -> dict[str, bytes]:
    """Every figure the summary has data for: ``{name: png_bytes}``."""
    out = {}
    for name, fn in FIGURES.items():
        png = fn(summary)
        if png is not None:
            out[name] = png
    return out
