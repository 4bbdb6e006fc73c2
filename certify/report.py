"""Markdown and self-contained HTML reports of a certificate, and of a theorem's proof check."""

from __future__ import annotations

import base64
import json
from functools import lru_cache

from jinja2 import Environment, PackageLoader, select_autoescape


def evidence_text(ev) -> str:
    """A short human-readable rendering of an evidence dict (intervals as [lo, hi])."""
    if ev is None or ev == {}:
        return ""
    if isinstance(ev, dict):
        if set(ev) >= {"lo", "hi"} and len(ev) <= 3:
            return f"[{ev['lo']}, {ev['hi']}]"
        parts = []
        for k, v in ev.items():
            if isinstance(v, dict) and {"lo", "hi"} <= set(v):
                parts.append(f"{k} ∈ [{v['lo']}, {v['hi']}]")
            elif isinstance(v, (list, tuple)) and len(v) > 8:
                parts.append(f"{k}: {json.dumps(v[:8])[:-1]}, … ({len(v)} items)]")
            elif isinstance(v, dict):
                parts.append(f"{k}: {evidence_text(v)}")
            else:
                parts.append(f"{k}: {v}")
        return "; ".join(parts)
    return str(ev)


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(loader=PackageLoader("certify", "templates"),
                      autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
                      trim_blocks=False, lstrip_blocks=False, keep_trailing_newline=True)
    env.filters["evidence_text"] = evidence_text
    return env


def render_markdown(cert: dict) -> str:
    return _env().get_template("report.md.j2").render(cert=cert)


def render_html(cert: dict, figures: dict | None = None) -> str:
    """One self-contained HTML file; `figures` maps theorem id -> [(title, png bytes)]."""
    cert = json.loads(json.dumps(cert))
    for t in cert.get("theorems", []):
        figs = (figures or {}).get(t["id"], [])
        t["figures"] = [{"title": title, "png_base64": base64.b64encode(png).decode()} for title, png in figs]
    return _env().get_template("report.html.j2").render(cert=cert)


def render_explain_markdown(statement: dict, checks: list[list[tuple[dict, str]]] | None = None) -> str:
    """Markdown proof-check of a theorem (from Theorem.statement_dict())."""
    s = statement
    lines = [f"# {s['id']}: {s['title']}", "", f"*{s['citation']}*", "",
             f"**Conclusion.** {s['conclusion']}", ""]
    if s["parameters"]:
        lines += [f"**Parameters:** {', '.join(s['parameters'])}", ""]
    if s["quantities"]:
        lines.append("**Quantities:**")
        lines += [f"- `{q['name']}`: {q['description']} (computed by: {q['method']})" for q in s["quantities"]]
        lines.append("")
    lines.append("## Hypotheses")
    lines += [f"- `{h['id']}`: {h['statement']}" for h in s["hypotheses"]]
    lines.append("")
    for ci, c in enumerate(s["constants"]):
        lines += [f"## Constant `{c['name']}`", "", c["description"], "", f"    {c['expr']}", ""]
        if c["big_o"]:
            lines += [f"Derived order: {c.get('order', 'O')}({c['big_o']})", ""]
        lines += ["| # | step | claim | checked by | reference | result |", "|---|---|---|---|---|---|"]
        for i, st in enumerate(c["steps"], 1):
            result = checks[ci][i - 1] if checks else ""
            lines.append(f"| {i} | {st['description']} | `{st['claim']}` | {st['check']} | {st['reference']} | {result} |")
        lines.append("")
        if c["discrepancies"]:
            lines.append("**Discrepancies with the printed paper:**")
            for d in c["discrepancies"]:
                lines.append(f"- {d['location']}: printed *{d['printed']}*; checked: {d['checked']}. "
                             f"Consequence: {d['consequence']}")
            lines.append("")
    if s["notes"]:
        lines += ["## Notes"] + [f"- {n}" for n in s["notes"]]
    return "\n".join(lines) + "\n"


def render_explain_html(statement: dict, checks: list[list[str]] | None = None) -> str:
    """Self-contained HTML proof-check of a theorem (no network, no scripts)."""
    return _env().get_template("explain.html.j2").render(s=statement, checks=checks)
