"""Proof-check reports: Markdown and self-contained HTML, for a certificate or for one theorem.

A report shows, per theorem: the statement with its mathematics rendered, each hypothesis with
its verdict, method and evidence, every derivation step of every explicit constant with how it
was checked (sympy / interval / cited with the equation) and the result of re-running that
check, the discrepancies with the printed paper, and the empirical figures.

HTML is one file with no network access and no scripts: LaTeX (as sympy prints it) is typeset
by matplotlib's mathtext into inline SVG, whose glyph outlines are shared once per page;
figures are inline PNGs whose metadata chunks are stripped, so the same certificate always
renders to the same bytes. Markdown keeps the LaTeX between `$...$` for viewers that typeset it.

Displayed interval endpoints are rounded outward to a few significant digits (so the displayed
interval still contains the recorded one); the exact decimal strings are in certificate.json and
in each cell's `title`.
"""

from __future__ import annotations

import base64
import json
import re
import struct
import zlib
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

DISPLAY_DIGITS = 6

# ------------------------------------------------------------------------ interval display


def _decimal_outward(s: str, digits: int, rounding: str) -> str:
    """`s` (a decimal string) rounded to `digits` significant digits towards `rounding`."""
    try:
        d = Decimal(s)
    except (InvalidOperation, TypeError):
        return str(s)
    if not d.is_finite() or d == 0:
        return str(s)
    exp = d.adjusted() - (digits - 1)
    q = d.quantize(Decimal(1).scaleb(exp), rounding=rounding)
    if q == d:
        return str(s)
    text = f"{q:.{digits - 1}e}" if abs(q.adjusted()) >= 5 else format(q.normalize(), "f")
    return text


def interval_display(lo, hi, digits: int = DISPLAY_DIGITS) -> str:
    """[lo, hi] with lo rounded down and hi rounded up (the shown interval contains the true one)."""
    if lo is None or hi is None:
        return "not enclosed"
    if lo == hi:
        return str(lo)  # a point: shown exactly
    return f"[{_decimal_outward(lo, digits, ROUND_FLOOR)}, {_decimal_outward(hi, digits, ROUND_CEILING)}]"


def _is_interval(v) -> bool:
    return isinstance(v, dict) and {"lo", "hi"} <= set(v)


def evidence_text(ev) -> str:
    """A short human-readable rendering of an evidence dict (intervals as [lo, hi], outward)."""
    if ev is None or ev == {}:
        return ""
    if isinstance(ev, dict):
        if _is_interval(ev) and len(ev) <= 3:
            return interval_display(ev["lo"], ev["hi"])
        parts = []
        for k, v in ev.items():
            if _is_interval(v):
                parts.append(f"{k} ∈ {interval_display(v['lo'], v['hi'])}")
            elif isinstance(v, (list, tuple)) and len(v) > 8:
                parts.append(f"{k}: {json.dumps(v[:8])[:-1]}, … ({len(v)} items)]")
            elif isinstance(v, dict):
                parts.append(f"{k}: {{{evidence_text(v)}}}")
            else:
                parts.append(f"{k}: {v}")
        return "; ".join(parts)
    return str(ev)


# ------------------------------------------------------------------------ math typesetting

# sympy and hand-written LaTeX that mathtext spells differently (or does not need)
_MATHTEXT_REWRITES = (
    (re.compile(r"\\le(?![a-zA-Z])"), r"\\leq"),
    (re.compile(r"\\ge(?![a-zA-Z])"), r"\\geq"),
    (re.compile(r"\\limits(?![a-zA-Z])"), ""),
    (re.compile(r"\\nolimits(?![a-zA-Z])"), ""),
    (re.compile(r"\\[td]frac(?![a-zA-Z])"), r"\\frac"),
    (re.compile(r"\\text(?:rm)?\{"), r"\\mathrm{"),
    (re.compile(r"\\(mathcal|mathbf|mathrm|mathit|mathbb|mathsf)\s+([A-Za-z0-9])"), r"\\\1{\2}"),
    (re.compile(r"\\displaystyle(?![a-zA-Z])"), ""),
    (re.compile(r"\\(?:big|Big|bigg|Bigg)(?=[(\[|)\]])"), ""),
)

MATH_FONT_PT = 12.0
_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"


def mathtext_source(latex: str) -> str:
    """LaTeX rewritten into the dialect matplotlib's mathtext parses (no evaluation of anything)."""
    s = latex.strip()
    for pattern, repl in _MATHTEXT_REWRITES:
        s = pattern.sub(repl, s)
    return s


@lru_cache(maxsize=2048)
def latex_svg(latex: str) -> tuple[str, tuple[tuple[str, str], ...], float, float, float] | None:
    """Typeset `latex` with mathtext: (svg body, glyph defs, width, height, depth in pt), or None.

    None means mathtext cannot parse the formula; callers then show the LaTeX source. The glyph
    defs are (id, serialized <path>) pairs shared by every formula of a page.
    """
    import io
    import xml.etree.ElementTree as ET

    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.mathtext import MathTextParser

    source = f"${mathtext_source(latex)}$"
    prop = FontProperties(size=MATH_FONT_PT, math_fontfamily="cm")
    try:
        width, height, depth, _, _ = MathTextParser("path").parse(source, dpi=72, prop=prop)
    except Exception:  # noqa: BLE001 - any parse failure means "show the source instead"
        return None
    if width <= 0 or height <= 0:
        return None
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "dl-certify", "svg.fonttype": "path", "svg.id": None,
                                "text.usetex": False}):
        fig = Figure(figsize=(width / 72.0, height / 72.0))
        FigureCanvasSVG(fig)
        fig.text(0, depth / height, source, fontproperties=prop)
        try:
            fig.savefig(buf, format="svg", transparent=True,
                        metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
        except Exception:  # noqa: BLE001
            return None
    ET.register_namespace("", _SVG_NS)
    ET.register_namespace("xlink", _XLINK_NS)
    root = ET.fromstring(buf.getvalue())
    glyphs: dict[str, str] = {}
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag.split("}")[-1]
            if tag == "defs":
                for p in list(child):
                    gid = p.get("id")
                    if p.tag.split("}")[-1] == "path" and gid:
                        p.set("d", " ".join(p.get("d", "").split()))
                        glyphs[gid] = ET.tostring(p, encoding="unicode").replace(f' xmlns="{_SVG_NS}"', "")
                parent.remove(child)
            elif tag == "metadata" or (tag == "g" and child.get("id", "").startswith("patch")):
                parent.remove(child)
    for el in root.iter():
        if el.get("d"):
            el.set("d", " ".join(el.get("d").split()))
        if el.get("id", "").startswith(("figure_", "text_")):
            del el.attrib["id"]
    body = "".join(ET.tostring(child, encoding="unicode") for child in root)
    body = re.sub(r' xmlns(:\w+)?="[^"]*"', "", body)
    body = re.sub(r">\s+<", "><", body)
    return body, tuple(sorted(glyphs.items())), float(width), float(height), float(depth)


class MathPage:
    """Typesets the formulas of one HTML page and collects their glyphs into one <defs>."""

    def __init__(self) -> None:
        self.glyphs: dict[str, str] = {}

    def __call__(self, latex: str | None, display: bool = False) -> Markup:
        if not latex:
            return Markup("")
        typeset = latex_svg(latex)
        if typeset is None:
            return Markup('<code class="latex" title="LaTeX (not typeset)">{}</code>').format(latex)
        body, glyphs, w, h, depth = typeset
        self.glyphs.update(glyphs)
        em = MATH_FONT_PT / (1.2 if not display else 1.35)
        style = (f"width:{w / em:.3f}em;height:{h / em:.3f}em;"
                 f"vertical-align:{-depth / em:.3f}em")
        cls = "math display" if display else "math"
        svg = (f'<svg class="{cls}" xmlns="{_SVG_NS}" xmlns:xlink="{_XLINK_NS}" role="img" '
               f'viewBox="0 0 {w:g} {h:g}" style="{style}" aria-label="{escape(latex)}">'
               f"<title>{escape(latex)}</title>{body}</svg>")
        return Markup(svg)

    def defs(self) -> Markup:
        if not self.glyphs:
            return Markup("")
        paths = "".join(self.glyphs[k] for k in sorted(self.glyphs))
        return Markup(f'<svg class="glyphs" xmlns="{_SVG_NS}" width="0" height="0" aria-hidden="true">'
                      f"<defs>{paths}</defs></svg>")


# ------------------------------------------------------------------------ figures

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_METADATA_CHUNKS = {b"tEXt", b"zTXt", b"iTXt", b"tIME"}


def png_without_metadata(png: bytes) -> bytes:
    """The PNG with its text and time chunks removed (matplotlib writes version and date there).

    Raises ValueError when `png` is not a well-formed PNG stream.
    """
    if not png.startswith(_PNG_SIGNATURE):
        raise ValueError("figure: expected PNG bytes (signature missing)")
    out, pos = [_PNG_SIGNATURE], len(_PNG_SIGNATURE)
    while pos < len(png):
        if pos + 8 > len(png):
            raise ValueError("figure: truncated PNG chunk header")
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        ctype = png[pos + 4:pos + 8]
        end = pos + 12 + length
        if end > len(png):
            raise ValueError("figure: truncated PNG chunk")
        chunk = png[pos:end]
        if zlib.crc32(chunk[4:-4]) & 0xFFFFFFFF != struct.unpack(">I", chunk[-4:])[0]:
            raise ValueError(f"figure: PNG chunk {ctype!r} fails its CRC")
        if ctype not in _PNG_METADATA_CHUNKS:
            out.append(chunk)
        pos = end
        if ctype == b"IEND":
            break
    return b"".join(out)


def _certificate_figures(cert: dict) -> dict[str, list[tuple[str, bytes]]]:
    """Figures drawn from each theorem's recorded empirical summary (certify.empirical_figures)."""
    theorems = [t for t in cert.get("theorems", []) if isinstance(t, dict) and isinstance(t.get("empirical"), dict)]
    if not theorems:
        return {}
    try:
        from certify.empirical_figures import empirical_figures
    except ImportError:
        return {}
    out: dict[str, list[tuple[str, bytes]]] = {}
    for t in theorems:
        try:
            drawn = empirical_figures(t["empirical"])
        except Exception as exc:  # noqa: BLE001 - a figure must never break a report
            drawn = {}
            t.setdefault("figure_errors", []).append(f"{type(exc).__name__}: {exc}")
        out[t.get("id")] = [(name.replace("_", " "), png) for name, png in drawn.items()]
    return out


def _number(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def empirical_view(emp) -> dict:
    """The empirical summary as rows a person reads: scalars, estimates with CIs, per-group tables.

    Long series (curves, points) are left to the figures; the certificate keeps all of them.
    """
    rows: list[tuple[str, str]] = []
    tables: list[dict] = []
    omitted: list[str] = []
    if not isinstance(emp, dict):
        return {"rows": [("summary", str(emp))], "tables": [], "omitted": []}

    def walk(prefix: str, d: dict) -> None:
        for k, v in d.items():
            key = f"{prefix}{k}"
            if isinstance(v, dict) and "estimate" in v and {"lo", "hi"} <= set(v):
                if v["estimate"] is None:
                    rows.append((key, "not estimated (no usable points)"))
                else:
                    conf = v.get("confidence")
                    ci = f"{int(round(conf * 100))}% CI" if isinstance(conf, (int, float)) else "CI"
                    rows.append((key, f"{_number(v['estimate'])} ({ci} [{_number(v['lo'])}, {_number(v['hi'])}]"
                                      f"{', ' + str(v['points']) + ' points' if 'points' in v else ''})"))
            elif isinstance(v, dict) and v and all(isinstance(x, (list, dict)) for x in v.values()):
                omitted.append(key)
            elif isinstance(v, dict):
                walk(f"{key}.", v)
            elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
                cols: list[str] = []
                for x in v:
                    cols += [c for c, y in x.items() if c not in cols and not isinstance(y, (list, dict))]
                tables.append({"title": key, "columns": cols,
                               "rows": [[_number(x.get(c, "")) for c in cols] for x in v]})
            elif isinstance(v, list) and len(v) > 8:
                omitted.append(key)
            elif isinstance(v, list):
                rows.append((key, ", ".join(_number(x) if not isinstance(x, list) else str(x) for x in v) or "none"))
            else:
                rows.append((key, "none" if v is None else _number(v)))

    walk("", emp)
    return {"rows": rows, "tables": tables, "omitted": omitted}


# ------------------------------------------------------------------------ proof checks

CHECK_KINDS = (
    ("sympy", "a machine-checked identity or inequality: sympy re-proves it from the symbols' assumptions"),
    ("interval", "enclosed numerically: Arb ball arithmetic decides it on the ranges the step names"),
    ("cited", "taken from the paper (location beside it): not re-checked, never counted as proved"),
    ("empirical", "measured (the test or run beside it): evidence, never counted as proved"),
)
"""The four ways a derivation step is checked (proofs.core.Check), as the reports explain them."""

STEP_RESULT_TEXT = {
    ("sympy", "holds"): "proved by sympy",
    ("interval", "holds"): "verified by interval arithmetic",
    ("sympy", "undecided"): "NOT proved by sympy",
    ("interval", "undecided"): "NOT verified on the range",
    ("sympy", "fails"): "DISPROVED (sympy or an exact counterexample)",
    ("interval", "fails"): "DISPROVED by interval arithmetic",
}
UNCHECKED_TEXT = {
    "cited": "cited: taken from the reference, not re-checked",
    "empirical": "empirical: measured, not a proof",
}


def step_result_text(check: str, result: str | None) -> str:
    if check in UNCHECKED_TEXT:
        return UNCHECKED_TEXT[check]
    if result is None:
        return "not re-run"
    return STEP_RESULT_TEXT.get((check, result), result)


def step_result_class(check: str, result: str | None) -> str:
    if check in UNCHECKED_TEXT:
        return check
    return {"holds": "holds", "fails": "fails"}.get(result or "", "undecided")


def annotate_statement(statement: dict, checks: list[list[Any]] | None) -> dict:
    """A copy of Theorem.statement_dict() whose steps carry `result`, `result_text`, `result_class`
    and whose constants carry `kind_counts` (steps per kind of check, in CHECK_KINDS order)."""
    s = json.loads(json.dumps(statement))
    for ci, c in enumerate(s.get("constants", [])):
        for si, st in enumerate(c.get("steps", [])):
            result = None
            if checks is not None and ci < len(checks) and si < len(checks[ci]):
                r = checks[ci][si]
                result = getattr(r, "value", r)
            st["result"] = result
            st["result_text"] = step_result_text(st.get("check", ""), result)
            st["result_class"] = step_result_class(st.get("check", ""), result)
        kinds = [st.get("check") for st in c.get("steps", [])]
        c["kind_counts"] = {k: kinds.count(k) for k, _ in CHECK_KINDS if kinds.count(k)}
    return s


@lru_cache(maxsize=64)
def _proof_check_cached(theorem_id: str) -> str | None:
    try:
        from proofs.registry import get_theorem

        thm = get_theorem(theorem_id)
    except KeyError:
        return None
    checks = [[v.value for _, v in c.derivation.check()] for c in thm.constants]
    return json.dumps(annotate_statement(thm.statement_dict(), checks))


def proof_check(theorem_id: str) -> dict | None:
    """The theorem's statement with every derivation step re-checked, or None for an unknown id."""
    text = _proof_check_cached(theorem_id)
    return json.loads(text) if text is not None else None


# ------------------------------------------------------------------------ rendering


def provenance_text(data) -> str:
    """One line saying how the certified arrays were made from the source (docs/datasets.md)."""
    p = data.get("provenance") if isinstance(data, dict) else None
    if not isinstance(p, dict):
        return ""
    steps = [f"{p.get('rows_read')} rows read"]
    if p.get("subsample"):
        steps.append(f"subsample {p['subsample']} (seed {p.get('seed')})")
    if p.get("standardize"):
        steps.append("columns standardized")
    steps.append(f"labels {p.get('labels')}")
    merged = p.get("merged_rows") or []
    if merged:
        groups = "; ".join(f"row {m.get('kept')} kept for {m.get('merged')} ({m.get('kind')})" for m in merged[:5])
        more = f"; {len(merged) - 5} more group(s)" if len(merged) > 5 else ""
        steps.append(f"merged rows with the same input and label: {groups}{more}")
    elif p.get("duplicates") == "keep":
        steps.append("rows with the same input kept")
    return ", ".join(steps)


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(loader=PackageLoader("certify", "templates"),
                      autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["evidence_text"] = evidence_text
    env.filters["provenance"] = provenance_text
    env.filters["interval"] = lambda q: interval_display(q.get("lo"), q.get("hi")) if q else ""
    env.filters["md_cell"] = lambda s: str(s if s is not None else "").replace("|", "\\|").replace("\n", " ")
    env.globals["check_kinds"] = CHECK_KINDS
    return env


def _render_page(template: str, **context) -> str:
    math = MathPage()
    html = _env().get_template(template).render(math=math, **context)
    return html.replace("<!--math-glyphs-->", str(math.defs()), 1)


def _theorem_views(cert: dict, figures: dict | None) -> list[dict]:
    if figures is None:
        figures = _certificate_figures(cert)
    views = []
    seen: dict[bytes, str] = {}  # a figure shared by several theorems is embedded once
    for t in cert.get("theorems", []):
        if not isinstance(t, dict):
            continue
        figs = []
        for title, png in (figures or {}).get(t.get("id"), []):
            png = png_without_metadata(png)
            first = seen.setdefault(png, t.get("id"))
            figs.append({"title": title, "png_base64": base64.b64encode(png).decode() if first == t.get("id") else None,
                         "same_as": first if first != t.get("id") else None})
        views.append({"t": t, "proof": proof_check(t.get("id", "")), "figures": figs,
                      "empirical": empirical_view(t["empirical"]) if t.get("empirical") is not None else None})
    return views


def _integrity(cert: dict) -> str | None:
    from certify.certificate import integrity_warning

    return integrity_warning(cert, "certify run")


def _fmt(x, digits: int = 4) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.{digits}g}"
    if isinstance(x, dict) and "hi" in x:
        return f"<= {float(x['hi']):.{digits}g}"
    return str(x)


def search_view(cert: dict) -> dict | None:
    """The instance search and the smallest-width search of an instance certificate, as rows
    for the report (float records beside the proof; None when there is neither)."""
    rows = []
    for p in cert.get("instance_points") or []:
        s = p.get("search") if isinstance(p, dict) else None
        if isinstance(s, dict):
            rows.append([p.get("point"), s.get("start"), s.get("solver"), s.get("iterations"),
                         _fmt(float(s["start_residual_norm_float"]), 3) if s.get("start_residual_norm_float") else "-",
                         _fmt(float(s["residual_norm_float"]), 3) if s.get("residual_norm_float") else "-",
                         s.get("stop_reason"), p.get("status")])
    ws = cert.get("width_search")
    width = None
    if isinstance(ws, dict) and isinstance(ws.get("seeds"), list):
        width = {"rows": [[r.get("seed"), _fmt(r.get("smallest_width")), _fmt(r.get("parameters")),
                           _fmt(r.get("p_over_n")), _fmt(r.get("sqrt_m_distance")), len(r.get("tried") or [])]
                          for r in ws["seeds"] if isinstance(r, dict)],
                 "summary": [("median smallest certified width", _fmt(ws.get("median_smallest_width"))),
                             ("p / n at the median", _fmt(ws.get("p_over_n"))),
                             ("theorem width (DZPS GD, Thm 4.1)", _fmt(ws.get("theorem_width"))),
                             ("theorem width / median", _fmt(ws.get("ratio"))),
                             ("largest width tried", _fmt(ws.get("max_width")))],
                 "tried": [(r.get("seed"), ", ".join(f"{t.get('width')}{'✓' if t.get('certified') else '✗'}"
                                                   for t in r.get("tried") or []))
                           for r in ws["seeds"] if isinstance(r, dict)]}
    if not rows and width is None:
        return None
    return {"columns": ["point", "start", "solver", "iterations", "residual before", "residual after", "stop",
                        "proof"], "rows": rows, "width": width}


def render_markdown(cert: dict) -> str:
    """The Markdown report of a certificate (LaTeX between $...$)."""
    return _env().get_template("report.md.j2").render(cert=cert, views=_theorem_views(cert, {}),
                                                      integrity=_integrity(cert), search=search_view(cert))


def render_html(cert: dict, figures: dict | None = None) -> str:
    """One self-contained HTML file; `figures` maps theorem id -> [(title, png bytes)].

    With `figures=None` the figures come from `certify.empirical_figures` (drawn from the
    certificate's recorded empirical results) when that module is present.
    """
    cert = json.loads(json.dumps(cert))
    integrity = _integrity(cert)
    return _render_page("report.html.j2", cert=cert, views=_theorem_views(cert, figures), integrity=integrity,
                        search=search_view(cert))


def render_explain_markdown(statement: dict, checks: list[list[Any]] | None = None) -> str:
    """Markdown proof-check of a theorem (from Theorem.statement_dict() and the step results)."""
    return _env().get_template("explain.md.j2").render(s=annotate_statement(statement, checks))


def render_explain_html(statement: dict, checks: list[list[Any]] | None = None) -> str:
    """Self-contained HTML proof-check of a theorem (no network, no scripts)."""
    return _render_page("explain.html.j2", s=annotate_statement(statement, checks))


def write_or_echo(text: str, out: str | None) -> None:
    """Write a rendered report to `out`, or to stdout when `out` is None."""
    import click

    from certify.errors import BadInput

    if not out:
        click.echo(text, nl=not text.endswith("\n"))
        return
    try:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise BadInput("--out", out, f"a writable file path ({exc.strerror})") from None
