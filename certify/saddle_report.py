"""Markdown and self-contained HTML reports of a saddle certificate (`certify saddle`).

The HTML page uses the main report's style, math typesetting (matplotlib mathtext into inline
SVG) and proof-check blocks (certify/report.py, certify/templates/_proof.html.j2); its template is
certify/templates/saddle_report.html.j2. No scripts, no network access.
"""

from __future__ import annotations



def _iv(d) -> str:
    """An interval rounded outward to 6 significant digits (never a narrower one than stored)."""
    from certify.report import interval_display

    if not d:
        return "-"
    return interval_display(d["lo"], d["hi"])


def census_text(cert: dict, sep: str = " · ", kinds: bool = False) -> str:
    """The count as proved: isolated points in the box (with their kinds when ``kinds``), regions
    with an unknown number of points, points whose membership in the box is undecided, and
    whether the census is complete (``sep`` before that last part)."""
    c = cert.get("census")
    if not c:
        return f"complete search: {cert['complete']}"
    text = f"critical points in the box: {c['isolated_points']} proved"
    if kinds:
        counts: dict = {}
        for p in cert["critical_points"]:
            if p["exists"] == "holds" and p["unique"] and p["in_box"] == "holds":
                counts[p["kind"]] = counts.get(p["kind"], 0) + 1
        text += f" {counts}"
    if c["regions"]:
        text += f" + {c['regions']} region(s) holding an unknown number"
    if c["membership_undecided"]:
        text += f" + {c['membership_undecided']} whose membership in the box is undecided"
    text += f"{sep}census complete: {c['complete']}"
    return text + (f" ({'; '.join(c['reasons'])})" if c["reasons"] else "")


def _box(b: dict) -> str:
    return ", ".join(f"{k} ∈ {_iv(v)}" for k, v in b.items())


def render_saddle_markdown(cert: dict) -> str:
    o = cert["objective"]
    lines = [f"# Strict-saddle certificate: {o.get('builtin') or o.get('expr')}", "",
             f"Objective: `{o.get('sympy') or o.get('expr')}` on {_box(o['box'])}", "",
             *([f"$$f({', '.join(o.get('variables', []))}) = {o['latex']}$$", ""] if o.get("latex") else []),
             f"**Strict-saddle property: {cert['strict_saddle_property']}** · verdict: {cert['verdict']}", "",
             census_text(cert), "",
             *([f"**Every local minimum is global: {cert['local_minima_global']['verdict']}** "
                f"({cert['local_minima_global'].get('reason', '')})", ""] if "local_minima_global" in cert else []),
             *[f"- spurious local minimum near {s_['local_min']}: f >= {s_['f_lower']:.6g}, above f at "
               f"{s_['lower_point']}" for s_ in cert.get("local_minima_global", {}).get("spurious", [])],
             "## Critical points", "",
             "| # | kind | enclosure | λ_min(Hessian) | λ_max(Hessian) | exists | unique | in box | method |",
             "|---|---|---|---|---|---|---|---|---|"]
    for i, p in enumerate(cert["critical_points"], 1):
        exact = (p.get("evidence") or {}).get("exact_point")
        where = _box(p["box"]) + (f" (exactly ({', '.join(exact)}))" if exact and p["unique"] else "")
        lines.append(f"| {i} | {p['kind']} | {where} | {_iv(p['hessian_min_eig'])} | "
                     f"{_iv(p['hessian_max_eig'])} | {p['exists']} | {p['unique']} | {p['in_box']} | {p['method']} |")
    if not cert["critical_points"]:
        lines.append("| - | no critical point in the box | | | | | | | |")
    methods = dict.fromkeys(p["method"] for p in cert["critical_points"])
    if methods:
        lines.append("")
        lines += [f"- `{m}`: {method_text(m)}" for m in methods]
    for i, p in enumerate(cert["critical_points"], 1):
        ev = p.get("evidence") or {}
        if p["method"].endswith("zero-level-set"):
            rep = f"; exact point {', '.join(ev['exact_point'])}" if ev.get("exact_point") else ""
            lines.append(f"- #{i}: {ev.get('boxes')} boxes{rep}; certificate polynomials: " +
                         ", ".join(f"g = {q['g']} (k = {q['k']})" for q in ev["zero_level"]["polynomials"]))
    un = cert["unresolved"]
    lines += ["", f"Unresolved sub-boxes: {un['count']}" + (f" (all within {_box(un['hull'])})" if un.get("hull") else ""),
              ""]
    if "budget" in cert:
        lines += [f"Time budget of {cert['budget']['max_seconds']} s exhausted: {cert['budget']['note']}.", ""]
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


METHOD_TEXT = (
    ("slice-", "found on a slice transversal to the symmetry orbits: "),
    ("krawczyk-inflated", "the Krawczyk operator of the gradient maps an inflated box into its interior, which "
                          "proves exactly one zero of the gradient there (existence and uniqueness)"),
    ("krawczyk", "the Krawczyk operator of the gradient maps the box into its interior, which proves exactly one "
                 "zero of the gradient there (existence and uniqueness)"),
    ("exact-point+strict-saddle-region", "sympy verifies that the gradient vanishes at an exact rational point, and "
                                         "every critical point of the surrounding region is a strict saddle"),
    ("exact-point+isolated", "sympy verifies that the gradient vanishes exactly at a rational point (existence), "
                             "and a polynomial g with |x - p|^(2k) g in the gradient ideal has no zero on the region "
                             "(uniqueness, even where the Hessian is singular)"),
    ("exact-point", "sympy verifies that the gradient vanishes exactly at a rational point (existence); the Hessian "
                    "there is singular, so uniqueness is not proved"),
    ("zero-level-set", "a set, not a point: every critical point in the listed region (a union of boxes whose "
                       "hull is shown) has f = 0, proved by a polynomial g with f^k g in the gradient ideal "
                       "(exact Groebner reduction) that does not vanish on any of the boxes; f >= 0, so all are "
                       "global minima. Existence: sympy shows f = 0 at an exact rational point of the region"),
    ("strict-saddle-region", "no existence proof; every critical point in the region, if any, is a strict saddle "
                             "(an upper bound on λ_min of the Hessian over the region is negative)"),
)
"""How each search method (numerics/landscape/census.py, search.py, verify.py) proves existence and uniqueness."""

CONSTANT_MEANINGS = (
    ("theta", "||∇f|| ≥ θ on the part of the box outside the saddle and minimum neighbourhoods (Jin et al. 2017, A2)"),
    ("gamma", "λ_min(∇²f) ≤ −γ at every strict saddle (half the smallest |λ_min|; Jin et al. 2017, A2)"),
    ("zeta", "radius of the strongly convex neighbourhood of every local minimum (Jin et al. 2017, A2)"),
    ("strong_convexity", "λ_min(∇²f) bound on those neighbourhoods (Jin et al. 2017, A3.a)"),
)


def method_text(method: str) -> str:
    """What the search method `method` proves about a critical point, in words."""
    prefix = ""
    if method.startswith("slice-") and ":" in method:
        prefix, method = METHOD_TEXT[0][1], method.split(":", 1)[1]
    for key, text in METHOD_TEXT[1:]:
        if method == key:
            return prefix + text
    return prefix + "see numerics/landscape/census.py"


def _kind_class(kind: str) -> str:
    return {"local-min": "holds", "strict-saddle": "holds", "local-max": "holds"}.get(kind, "fails"
                                                                                      if kind == "degenerate"
                                                                                      else "undecided")


def _integrity(cert: dict) -> str | None:
    from certify.certificate import integrity_warning

    return integrity_warning(cert, "certify saddle")


def _upper(hi) -> str:
    from certify.report import interval_display

    try:
        return interval_display("-inf", hi).split(", ", 1)[1].rstrip("]")
    except (IndexError, AttributeError):
        return str(hi)


def _number(v) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def render_saddle_html(cert: dict) -> str:
    """One self-contained HTML page (no scripts, no network): the objective typeset from the
    certificate's LaTeX, the box, every critical point with its Hessian eigenvalue enclosures and
    existence/uniqueness proof, completeness, constants, the allowed step, each theorem with its
    hypotheses and proof check (the main report's blocks), and the empirical evidence."""
    import json

    from jinja2 import Environment, PackageLoader, select_autoescape

    from certify.report import MathPage, empirical_view, evidence_text, interval_display, proof_check

    cert = json.loads(json.dumps(cert))
    env = Environment(loader=PackageLoader("certify", "templates"),
                      autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["evidence_text"] = evidence_text
    env.filters["interval"] = lambda q: interval_display(q.get("lo"), q.get("hi")) if q else ""
    theorems = [{"t": t, "proof": proof_check(t.get("id", ""))} for t in cert.get("theorems", []) if isinstance(t, dict)]
    emp = cert.get("empirical")
    rest = None
    if isinstance(emp, dict):
        others = {k: v for k, v in emp.items() if k not in ("gd_endpoints", "escape", "evidence_only")}
        rest = empirical_view(others) if others else None
    o = cert.get("objective", {})
    math = MathPage()
    page = env.get_template("saddle_report.html.j2").render(
        cert=cert, title=str(o.get("builtin") or o.get("expr") or o.get("sympy")), integrity=_integrity(cert),
        theorems=theorems, empirical=emp if isinstance(emp, dict) else None, empirical_rest=rest, math=math,
        method_text=method_text, kind_class=_kind_class, constant_meanings=CONSTANT_MEANINGS, upper=_upper,
        number=_number)
    return page.replace("<!--math-glyphs-->", str(math.defs()), 1)
