"""Figures and Markdown reports of the teacher-student experiments (slides 18, 19 and 28).

Each ``*_png`` takes the JSON-safe result of its experiment (numerics.empirical.overspecification_sgd,
landscape_design, weight_decay_movement) and returns PNG bytes; each ``*_markdown`` returns the report
text, which names the PNG beside it. Rendering follows certify.empirical_figures (Agg, fixed style, no
metadata). matplotlib is imported inside the functions.
"""

from __future__ import annotations

import math

from certify.empirical_figures import STYLE, _plt, _png


def _positive(xs, ys):
    pts = [(x, y) for x, y in zip(xs, ys) if y is not None and math.isfinite(y) and y > 0]
    return [p[0] for p in pts], [p[1] for p in pts]


def overspec_sgd_png(result: dict) -> bytes:
    """One panel per width (the slide's panels): every student's relative training objective against the
    SGD iteration (thin lines), the median (thick), and the success threshold; log y axis."""
    plt = _plt()
    entries = result["per_width"]
    cfg = result["config"]
    with plt.rc_context({**STYLE, "figure.figsize": (4.0 * len(entries), 3.6)}):
        fig, axes = plt.subplots(1, len(entries), sharey=True, squeeze=False)
        for ax, e in zip(axes[0], entries):
            c = e["curve"]
            for row, ok in zip(c["per_seed"], e["succeeded"]):
                ax.plot(*_positive(c["steps"], row), color="C2" if ok else "C3", linewidth=0.6, alpha=0.6)
            ax.plot(*_positive(c["steps"], c["median"]), color="black", linewidth=1.6, label="median")
            ax.axhline(cfg["tol"], color="grey", linestyle="--", linewidth=1, label=f"tol = {cfg['tol']:g}")
            lo, hi = e["success_interval"]
            ax.set_title(f"k = {e['width']} (k0 = {cfg['teacher_width']}): {e['successes']}/{e['trials']} "
                         f"reach tol\n95% CI [{lo:.2f}, {hi:.2f}]", fontsize=8)
            ax.set_yscale("log")
            ax.set_xlabel("SGD iteration")
        axes[0][0].set_ylabel("training MSE / var(y)")
        axes[0][0].legend(fontsize=7)
        fig.suptitle(f"{cfg['teacher']} teacher, d = {cfg['d']}, n = {cfg['n'] or 'online'}, batch {cfg['batch']}, "
                     f"lr {cfg['lr']:g}, momentum {cfg['momentum']:g}, {cfg['schedule']} schedule "
                     "(our setup; float evidence)", fontsize=8)
        fig.tight_layout()
        return _png(fig)


def overspec_sgd_markdown(result: dict, png_name: str, stalled: dict | None, critical: list | None) -> str:
    cfg = result["config"]
    lines = ["# Over-specification with mini-batch SGD (slide 19)", "", f"*{result['setup']}*", "",
             f"Evidence: {result['evidence']}. Device {result['device']}, {result['dtype']}.", "",
             f"Teacher: {result['teacher']['kind']} ({result['teacher']['scaling']}), k0 = {cfg['teacher_width']}; "
             f"students: {result['student_scaling']}; inputs {result['inputs']}, d = {cfg['d']}; "
             f"data: {cfg['data']} (n = {cfg['n']}).", "",
             f"SGD: batch {cfg['batch']}, {cfg['steps']} iterations, lr {cfg['lr']:g}, momentum "
             f"{cfg['momentum']:g}; schedule: {cfg['schedule_text']}.", "",
             f"Success: {result['success_definition']}.", "",
             "| width k | median final | q10 | q90 | successes | 95% CI | seconds |", "|---|---|---|---|---|---|---|"]
    for e in result["per_width"]:
        f = e["final"]
        lo, hi = e["success_interval"]
        lines.append(f"| {e['width']} | {_g(f['median'])} | {_g(f['quantiles']['0.1'])} | "
                     f"{_g(f['quantiles']['0.9'])} | {e['successes']}/{e['trials']} | [{lo:.2f}, {hi:.2f}] | "
                     f"{e['seconds']:.1f} |")
    lines += ["", f"![training objective per width]({png_name})", ""]
    if stalled is not None:
        lines += [f"Stalled students written: {len(stalled['stalled'])} (format `{stalled['format']}`, "
                  "manifest `stalled.json`)."]
    if critical is not None:
        lines += ["", "Critical-point certificate (`certify critical`, issue 18):", ""]
        lines += [f"- {c['file']}: {c['status']}" for c in critical]
    return "\n".join(lines) + "\n"


def landscape_design_png(result: dict) -> bytes:
    """Parameter error e(Q) against the step for both objectives, every start (two panels)."""
    plt = _plt()
    objs = result["objectives"]
    tol = result["config"]["tol"]
    with plt.rc_context({**STYLE, "figure.figsize": (8.0, 3.6)}):
        fig, axes = plt.subplots(1, len(objs), sharey=True, squeeze=False)
        for ax, o in zip(axes[0], objs):
            steps = [s + 1 for s in o["curve"]["steps"]]
            for row in o["curve"]["parameter_error"]:
                ax.plot(*_positive(steps, row), linewidth=0.7, alpha=0.7)
            ax.axhline(tol, color="grey", linestyle="--", linewidth=1)
            lo, hi = o["success_interval"]
            name = "plain squared loss f(a, B)" if o["objective"] == "plain" else "designed objective G(B)"
            ax.set_title(f"{name}: {o['successes']}/{o['trials']} recover B*\n95% CI [{lo:.2f}, {hi:.2f}]",
                         fontsize=8)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("step + 1")
        axes[0][0].set_ylabel("parameter error e(Q), eq. (4.1)")
        cfg = result["config"]
        fig.suptitle(f"Ge-Lee-Ma setting, d = m = {cfg['d']}, {cfg['optimizer']} (float evidence)", fontsize=8)
        fig.tight_layout()
        return _png(fig)


def landscape_design_markdown(result: dict, png_name: str) -> str:
    cfg = result["config"]
    lines = ["# Plain loss against the designed objective G (slide 18)", "", f"Source: {result['source']}.", "",
             f"Model: {result['model']}. Evidence: {result['evidence']}. Device {result['device']}, "
             f"{result['dtype']}.", "", f"Optimizer: {cfg['optimizer']}, {cfg['steps']} steps; mu = {cfg['mu']:g}, "
             f"lambda = {cfg['lambda']:g}; ground truth {cfg['ground_truth']}.", "",
             f"Success: {result['success_definition']}.", "",
             "| objective | lr | successes | 95% CI | median final e(Q) | median final objective |",
             "|---|---|---|---|---|---|"]
    for o in result["objectives"]:
        lo, hi = o["success_interval"]
        lines.append(f"| {o['objective']} | {o['lr']:g} | {o['successes']}/{o['trials']} | [{lo:.2f}, {hi:.2f}] | "
                     f"{_g(_median(o['final_parameter_error']))} | {_g(_median(o['final_objective']))} |")
    lines += ["", f"![parameter error]({png_name})", ""]
    return "\n".join(lines) + "\n"


def weight_decay_png(result: dict) -> bytes:
    """Mean per-neuron distance from the initialization against width, with and without decay, and fits."""
    plt = _plt()
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        for color, label in (("C0", "none"), ("C3", "decay")):
            rows = result["runs"][label]
            xs = [r["width"] for r in rows for _ in r["mean_neuron"]]
            ys = [v for r in rows for v in r["mean_neuron"]]
            fit = result["slopes"][label]["mean_neuron"]
            name = "no weight decay" if label == "none" else f"weight decay {result['config']['weight_decay']:g}"
            ax.scatter(xs, ys, s=12, color=color)
            if fit["estimate"] is not None:
                ws = sorted(set(xs))
                ax.plot(ws, [math.exp(fit["intercept"]) * w ** fit["estimate"] for w in ws], color=color,
                        label=f"{name}: slope {fit['estimate']:.3f} [{fit['lo']:.3f}, {fit['hi']:.3f}]")
        ws = sorted({r["width"] for r in result["runs"]["none"]})
        y0 = min(v for r in result["runs"]["none"] for v in r["mean_neuron"] if v > 0)
        ax.plot(ws, [y0 * (w / ws[-1]) ** -0.5 for w in ws], color="grey", linestyle=":", label="slope -1/2")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("width m")
        ax.set_ylabel("mean_r |w_r(T) - w_r(0)|")
        ax.set_title("Distance from initialization against width (95% bootstrap CIs; float evidence)", fontsize=8)
        ax.legend(fontsize=7)
        fig.tight_layout()
        return _png(fig)


def weight_decay_markdown(result: dict, png_name: str) -> str:
    cfg = result["config"]
    lines = ["# Distance from the initialization with weight decay (slide 28)", "", f"Model: {result['model']}.",
             f"Update: `{result['update']}`, eta = {cfg['step_size']:.4g} ({cfg['step_size_rule']}), "
             f"{cfg['steps']} steps, wd = {cfg['weight_decay']:g} (eta wd T = {cfg['eta_wd_steps']:.3g}).",
             f"Data: n = {cfg['n']}, d = {cfg['d']} ({cfg['data']}); {cfg['seeds']} seeds per width. "
             f"Evidence: {result['evidence']}.", "", f"Fit: {result['fit']}.", "",
             "| observable | slope, no decay | 95% CI | slope, decay | 95% CI |", "|---|---|---|---|---|"]
    for key in ("mean_neuron", "max_neuron", "relative_frobenius"):
        a, b = result["slopes"]["none"][key], result["slopes"]["decay"][key]
        lines.append(f"| {key} | {_g(a['estimate'])} | [{_g(a['lo'])}, {_g(a['hi'])}] | {_g(b['estimate'])} | "
                     f"[{_g(b['lo'])}, {_g(b['hi'])}] |")
    lines += ["", f"![distance against width]({png_name})", ""]
    return "\n".join(lines) + "\n"


def _median(values):
    ok = sorted(v for v in values if v is not None)
    if not ok:
        return None
    mid = len(ok) // 2
    return ok[mid] if len(ok) % 2 else 0.5 * (ok[mid - 1] + ok[mid])


def _g(v) -> str:
    return "-" if v is None else f"{v:.3g}"
