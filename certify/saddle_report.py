"""Markdown and self-contained HTML reports of a saddle certificate (`certify saddle`)."""

from __future__ import annotations

import html


def _iv(d) -> str:
    if not d:
        return "-"
    return f"[{float(d['lo']):.6g}, {float(d['hi']):.6g}]"


def _box(b: dict) -> str:
    return ", ".join(f"{k} ∈ {_iv(v)}" for k, v in b.items())


def render_saddle_markdown(cert: dict) -> str:
    o = cert["objective"]
    lines = [f"# Strict-saddle certificate: {o.get('builtin') or o.get('expr')}", "",
             f"Objective: `{o.get('sympy') or o.get('expr')}` on {_box(o['box'])}", "",
             f"**Strict-saddle property: {cert['strict_saddle_property']}** · complete search: {cert['complete']}"
             f" · verdict: {cert['verdict']}", "",
             "## Critical points", "",
             "| # | kind | enclosure | λ_min(Hessian) | λ_max(Hessian) | exists | unique | method |",
             "|---|---|---|---|---|---|---|---|"]
    for i, p in enumerate(cert["critical_points"], 1):
        lines.append(f"| {i} | {p['kind']} | {_box(p['box'])} | {_iv(p['hessian_min_eig'])} | "
                     f"{_iv(p['hessian_max_eig'])} | {p['exists']} | {p['unique']} | {p['method']} |")
    if not cert["critical_points"]:
        lines.append("| - | no critical point in the box | | | | | | |")
    un = cert["unresolved"]
    lines += ["", f"Unresolved sub-boxes: {un['count']}", ""]
    s = cert["search"]
    lines += ["## Search", "", ", ".join(f"{k}: {v}" for k, v in s.items()), "", "## Constants", ""]
    for k, v in cert["constants"].items():
        lines.append(f"- {k}: {v['hi'] + ' (upper bound)' if isinstance(v, dict) else v}")
    st = cert["step_size"]
    lines += ["", "## Step size", "", f"- rule: {st['rule']}", f"- allowed: alpha < {st['allowed_below']}",
              f"- chosen: {st['chosen']}", f"- box forward invariant under GD: {st['forward_invariance']['verdict']}", "",
              "## Theorems", ""]
    for t in cert["theorems"]:
        lines += [f"### {t['id']}: {t['status']}", "", f"*{t['citation']}*", ""]
        for h in t["hypotheses"]:
            msg = f" ({h['message']})" if h.get("message") else ""
            lines.append(f"- `{h['id']}` {h['statement']}: **{h['verdict']}**{msg}")
        for name, cst in t.get("constants", {}).items():
            if cst.get("hi") is not None:
                lines.append(f"- constant `{name}` = `{cst['expr']}` ∈ [{cst['lo']}, {cst['hi']}]")
        for n in t.get("notes", []):
            lines.append(f"- note: {n}")
        lines.append("")
    if "empirical" in cert:
        e = cert["empirical"]
        lines += ["## Empirical (evidence, not a verdict)", ""]
        g = e["gd_endpoints"]
        lines.append(f"GD from {g['runs']} uniform starts, step {g['step_size']:.6g}, {g['steps']} steps:")
        for lab, fr in g["fractions"].items():
            lines.append(f"- {lab}: {fr['estimate']:.4f} (95% CI [{fr['ci95'][0]:.4f}, {fr['ci95'][1]:.4f}])")
        if "escape" in e:
            for mode in ("gd", "pgd"):
                m = e["escape"][mode]
                lines.append(f"- {mode} escape near a saddle: {m['escaped']}/{m['runs']} within {m['max_steps']} "
                             f"steps, median {m['median_steps']}")
        q = e.get("quadratic_escape_vs_dimension")
        if q:
            lines.append("- GD escape time on x^T diag(-1, 1, ..., 1) x vs d: " +
                         ", ".join(f"d={r['d']}: {r['mean_steps']}" for r in q["rows"]))
            if q.get("fit_steps_vs_log_d"):
                lines.append(f"  (fit: {q['fit_steps_vs_log_d']['steps_per_log_d']:.3f} steps per unit of log d)")
    return "\n".join(lines) + "\n"


def render_saddle_html(cert: dict) -> str:
    """The Markdown report inside a minimal self-contained HTML page (no scripts, no network)."""
    body = html.escape(render_saddle_markdown(cert))
    title = html.escape(str(cert["objective"].get("builtin") or cert["objective"].get("expr")))
    return ("<!doctype html><html><head><meta charset='utf-8'><title>Strict-saddle certificate: "
            f"{title}</title><style>body{{font-family:sans-serif;max-width:70em;margin:2em auto}}"
            "pre{white-space:pre-wrap}</style></head><body><pre>" + body + "</pre></body></html>\n")
