"""Markdown and self-contained HTML reports of a landscape certificate (`certify landscape`).

The HTML is the Markdown's content as plain HTML (tables and lists, no scripts, no network).
"""

from __future__ import annotations

import html


def _iv(v) -> str:
    if not v:
        return "-"
    return f"[{float(v[0]):.12g}, {float(v[1]):.12g}]"


def _sections(cert: dict) -> list[tuple[str, list]]:
    """(title, blocks) where a block is a paragraph string or a table (header, rows)."""
    f, g, inst = cert["family"], cert["global_optimality"], cert["instance"]
    size = ", ".join(f"{k} = {v}" for k, v in inst["size"].items())
    head = [f"{f['paper']}. Model: `{f['model']}`.", f"Instance ({inst['source']}): {size}; data sha256 "
            f"`{inst['sha256'][:16]}...`."]
    go = [f"**Global optimality of the point found: {g['status']}** ({g['method']}).",
          (["certified global optimum", "radius (proved distance to an exact optimizer)"],
           [[_iv(g.get("value")), g.get("radius") or "-"]])]
    extra = [f"{k}: {v}" for k, v in g.items()
             if k in ("gap", "rel_tol", "candidate_value", "shift", "residual_norm", "loss_at_point",
                      "loss_at_point_upper", "witness", "reason", "equations", "unknowns")]
    if extra:
        go.append("; ".join(extra))
    pt = cert["point"]
    point = [f"Descent: {', '.join(f'{k} = {v}' for k, v in pt.items() if k not in ('success_rule',))}.",
             f"Success rule: {pt['success_rule']}."]
    theorems = []
    for t in cert["theorems"]:
        theorems.append(f"**{t['id']}**: {t['title']} — {t['landscape_status']}. {t['citation']}.")
        theorems.append((["hypothesis", "verdict", "method / message"],
                         [[h["statement"], h["verdict"] + (" (conditional)" if h.get("conditional_on") else ""),
                           (h.get("method") or "") + ("; " + h["message"] if h.get("message") else "")]
                          for h in t["hypotheses"]]))
    emp = []
    if "empirical" in cert:
        e = cert["empirical"]
        emp.append(f"Float evidence, never a verdict. Rule: {e['rule']}. PGD: {e['pgd_parameters']}.")
        emp.append((["method", "successes", "rate", "95% Clopper-Pearson", "median loss", "median steps", "seconds"],
                    [[m.upper(), f"{e[m]['successes']}/{e[m]['runs']}", f"{e[m]['rate']:.3f}",
                      f"[{e[m]['interval'][0]:.3f}, {e[m]['interval'][1]:.3f}]", f"{e[m]['median_loss']:.3g}",
                      f"{e[m]['median_steps']:.0f}", f"{e[m]['seconds']:.2f}"] for m in ("gd", "pgd")]))
    c = cert["census"]
    census = [f"{c['note']}."]
    if "local_minima_global" in c:
        count = c.get("census") or {}
        exact = "the exact count" if count.get("complete") else "; ".join(count.get("reasons", [])) or "not a count"
        census.append(f"Instance `{c['instance']}` ({c['description']}): {c['critical_points']} isolated critical "
                      f"point(s) proved in the box ({exact}); listed rows by kind {c['kinds']}; every part of the "
                      f"box accounted for: {c['complete']}, strict-saddle property: "
                      f"{c['strict_saddle_property']}, every local minimum global: **{c['local_minima_global']}** "
                      f"({c['reason']}); {c['seconds']} s.")
    return [("", head), ("Global optimality", go), ("Gradient descent's point", point),
            ("Theorem conditions", theorems), ("Success rates from random starts", emp),
            ("Critical-point census", census)]


def render_landscape_markdown(cert: dict) -> str:
    lines = [f"# Benign landscape: {cert['family']['title']} (`{cert['family']['name']}`)", "",
             f"**Verdict: {cert['verdict']}**", ""]
    for title, blocks in _sections(cert):
        if title:
            lines += [f"## {title}", ""]
        for b in blocks:
            if isinstance(b, tuple):
                header, rows = b
                lines.append("| " + " | ".join(h.strip() for h in header) + " |")
                lines.append("|" + "---|" * len(header))
                lines += ["| " + " | ".join(str(x).replace("|", "/") for x in row) + " |" for row in rows]
            else:
                lines.append(str(b))
            lines.append("")
    return "\n".join(lines)


def render_landscape_html(cert: dict) -> str:
    esc = html.escape
    parts = ["<!doctype html><html><head><meta charset='utf-8'>",
             f"<title>{esc(cert['family']['title'])}</title>",
             "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
             "table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.2em .5em}</style></head><body>",
             f"<h1>Benign landscape: {esc(cert['family']['title'])}</h1>",
             f"<p><b>Verdict: {esc(cert['verdict'])}</b></p>"]
    for title, blocks in _sections(cert):
        if title:
            parts.append(f"<h2>{esc(title)}</h2>")
        for b in blocks:
            if isinstance(b, tuple):
                header, rows = b
                parts.append("<table><tr>" + "".join(f"<th>{esc(h.strip())}</th>" for h in header) + "</tr>")
                parts += ["<tr>" + "".join(f"<td>{esc(str(x))}</td>" for x in row) + "</tr>" for row in rows]
                parts.append("</table>")
            else:
                parts.append(f"<p>{esc(str(b)).replace('**', '')}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)
