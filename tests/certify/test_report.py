"""Proof-check reports (issue 8, item 1): sections, typeset math, figures, reproducibility, browser."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import struct
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from markupsafe import escape
from hypothesis import strategies as st

from certify.report import (
    interval_display,
    latex_svg,
    mathtext_source,
    png_without_metadata,
    proof_check,
    render_explain_html,
    render_explain_markdown,
    render_html,
    render_markdown,
)
from proofs.registry import all_theorems, get_theorem

SMALL = {
    "data": {"source": "sphere", "n": 6, "d": 3, "seed": 0},
    "certify": {"theorems": ["dzps2019-lambda0-positive", "dzps2019-two-layer-gd"], "delta": 0.1},
}


@pytest.fixture(scope="module")
def small_cert():
    from certify.pipeline import run

    return run(SMALL, empirical=False)


def _png(metadata: dict | None = None, color="C0") -> bytes:
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1.5), dpi=50)
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [1, 0.5, 0.25], color=color)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata=metadata)
    return buf.getvalue()


def _chunks(png: bytes) -> list[bytes]:
    out, pos = [], 8
    while pos < len(png):
        (n,) = struct.unpack(">I", png[pos:pos + 4])
        out.append(png[pos + 4:pos + 8])
        pos += 12 + n
    return out


def _svg_uses_resolve(html: str) -> None:
    """Every glyph a formula uses is defined once in the page's shared <defs>."""
    used = set(re.findall(r'<use xlink:href="#([^"]+)"', html))
    defined = re.findall(r'<path id="([^"]+)"', html)
    assert used, "no typeset glyphs in the page"
    assert len(defined) == len(set(defined)), "a glyph is defined twice"
    assert used <= set(defined), f"glyphs used but not defined: {sorted(used - set(defined))[:5]}"


# ------------------------------------------------------------------ math


def test_mathtext_rewrites_spellings_it_lacks():
    assert mathtext_source(r"a \le b \ge c") == r"a \leq b \geq c"
    assert mathtext_source(r"\leq \left") == r"\leq \left"  # longer commands are untouched
    assert mathtext_source(r"\int\limits_0^1 \tfrac{1}{2}") == r"\int_0^1 \frac{1}{2}"
    assert mathtext_source(r"g(\mathcal B)") == r"g(\mathcal{B})"


def test_every_registered_formula_is_typeset():
    """Each theorem's LaTeX (statement, hypotheses, constants, every step) renders to SVG paths."""
    for thm in all_theorems():
        s = proof_check(thm.id)
        formulas = [s["conclusion_latex"]] + [h["latex"] for h in s["hypotheses"]]
        for c in s["constants"]:
            formulas += [c["latex"], c["big_o_latex"] or ""] + [step["latex"] for step in c["steps"]]
        for latex in filter(None, formulas):
            typeset = latex_svg(latex)
            assert typeset is not None, f"{thm.id}: mathtext cannot typeset {latex!r}"
            body, glyphs, w, h, depth = typeset
            assert w > 0 and h > 0 and 0 <= depth < h
            assert "<use" in body or "<path" in body


def test_untypesettable_latex_falls_back_to_its_source():
    s = proof_check("dzps2019-two-layer-gd")
    s["hypotheses"][0]["latex"] = r"\frac{1}{"  # unbalanced: mathtext rejects it
    html = render_explain_html(s, None)
    assert '<code class="latex" title="LaTeX (not typeset)">\\frac{1}{</code>' in html


# ------------------------------------------------------------------ interval display


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False), st.floats(allow_nan=False, allow_infinity=False),
       st.integers(1, 12))
def test_displayed_interval_contains_the_recorded_one(a, b, digits):
    lo, hi = min(a, b), max(a, b)
    text = interval_display(repr(lo), repr(hi), digits)
    if lo == hi:
        assert Decimal(text) == Decimal(repr(lo))
        return
    shown_lo, shown_hi = (Decimal(x) for x in text.strip("[]").split(", "))
    assert shown_lo <= Decimal(repr(lo)) and Decimal(repr(hi)) <= shown_hi


def test_interval_display_rounds_outward_to_the_digits_asked():
    assert interval_display("0.04473322083698784", "0.04473322083743819", 6) == "[0.0447332, 0.0447333]"
    assert interval_display("-1.23456789", "1.23456789", 3) == "[-1.24, 1.24]"
    assert interval_display(None, None) == "not enclosed"


# ------------------------------------------------------------------ figures


def test_png_metadata_is_stripped_and_pixels_kept():
    import matplotlib.image as mpimg

    raw = _png({"Software": "matplotlib x.y", "Author": "someone", "Creation Time": "today"})
    assert b"tEXt" in _chunks(raw)
    clean = png_without_metadata(raw)
    assert not {b"tEXt", b"zTXt", b"iTXt", b"tIME"} & set(_chunks(clean))
    assert (mpimg.imread(io.BytesIO(raw)) == mpimg.imread(io.BytesIO(clean))).all()
    # two renderings differing only in metadata become the same bytes
    assert png_without_metadata(_png({"Software": "a"})) == png_without_metadata(_png({"Software": "b"}))


def test_png_stripping_rejects_corrupt_streams():
    raw = _png()
    with pytest.raises(ValueError, match="signature"):
        png_without_metadata(b"GIF89a" + raw[6:])
    broken = bytearray(raw)
    broken[20] ^= 0xFF  # inside IHDR: its CRC no longer matches
    with pytest.raises(ValueError, match="CRC"):
        png_without_metadata(bytes(broken))
    with pytest.raises(ValueError, match="truncated"):
        png_without_metadata(raw[:40])


def test_figures_are_embedded_inline_and_reports_are_reproducible(small_cert):
    png = _png({"Software": "first"})
    tid = "dzps2019-two-layer-gd"
    html = render_html(small_cert, figures={tid: [("loss against the bound", png)]})
    again = render_html(small_cert, figures={tid: [("loss against the bound", _png({"Software": "second"}))]})
    assert html == again
    embedded = re.findall(r'<img alt="loss against the bound" src="data:image/png;base64,([^"]+)"', html)
    assert len(embedded) == 1
    assert base64.b64decode(embedded[0]) == png_without_metadata(png)


# ------------------------------------------------------------------ explain


@pytest.mark.parametrize("theorem_id", [t.id for t in all_theorems()])
def test_explain_html_shows_every_step_with_its_check(theorem_id):
    thm = get_theorem(theorem_id)
    s = proof_check(theorem_id)
    html = render_explain_html(thm.statement_dict(), [[st_["result"] for st_ in c["steps"]] for c in s["constants"]])
    for section in ('id="statement"', 'id="hypotheses"', 'id="derivations"'):
        assert section in html
    for c in thm.constants:
        steps = re.findall(rf'<li class="step step-(\w+)" id="{re.escape(c.name)}-step-\d+"', html)
        assert len(steps) == len(c.derivation.steps)
        for step, (_, verdict) in zip(c.derivation.steps, c.derivation.check()):
            assert str(escape(step.reference)) in html
        expected = [s_.check.value if not s_.check.machine_checked else
                    ({"holds": "holds", "fails": "fails"}.get(v.value, "undecided"))
                    for s_, v in c.derivation.check()]
        assert steps == expected
        for d in c.derivation.discrepancies:
            assert str(escape(d.location)) in html and str(escape(d.printed)) in html
    for h in thm.hypotheses:
        assert f"<code>{h.id}</code>" in html
    _svg_uses_resolve(html)
    assert "<script" not in html and "<link" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html), "the page must not reach the network"


def test_explain_markdown_keeps_latex_and_step_results():
    thm = get_theorem("dzps2019-two-layer-gd")
    s = proof_check(thm.id)
    md = render_explain_markdown(thm.statement_dict(), [[x["result"] for x in c["steps"]] for c in s["constants"]])
    assert "$$ " in md and "## Derivation of `width`" in md
    width = thm.constant("width")
    rows = [line for line in md.splitlines() if re.match(r"\| \d+ \|", line)]
    assert len(rows) == sum(len(c.derivation.steps) for c in thm.constants)
    assert sum("cited: taken from the reference" in r for r in rows) == sum(
        st_.check.value == "cited" for c in thm.constants for st_ in c.derivation.steps)
    assert "Discrepancies with the printed paper" in md and width.derivation.discrepancies


def test_explain_shows_the_four_kinds_of_check_apart():
    """The ResNet headline derivation has sympy, cited and empirical steps: each kind is named in the
    legend, counted, and given its own result text; no cited or empirical step reads as proved."""
    thm = get_theorem("dllwz2019-resnet")
    s = proof_check(thm.id)
    checks = [[x["result"] for x in c["steps"]] for c in s["constants"]]
    md = render_explain_markdown(thm.statement_dict(), checks)
    for kind in ("sympy", "interval", "cited", "empirical"):
        assert f"- **{kind}**:" in md
    assert "14 steps: 11 sympy, 2 cited, 1 empirical" in md
    rows = [line for line in md.splitlines() if re.match(r"\| \d+ \|", line)]
    by_kind = {k: [r for r in rows if f"| {k} |" in r] for k in ("sympy", "cited", "empirical")}
    assert by_kind["empirical"] and all("measured, not a proof" in r for r in by_kind["empirical"])
    assert all("not re-checked" in r for r in by_kind["cited"])
    assert not any("proved" in r.rsplit("|", 2)[-2] for r in by_kind["cited"] + by_kind["empirical"])
    html = render_explain_html(thm.statement_dict(), checks)
    assert 'class="step step-empirical"' in html and '<dt class="badge empirical">' in html


def test_explain_cli_writes_html_and_rejects_unknown_ids(run_cli, tmp_path):
    out = tmp_path / "gd.html"
    code, stdout, _ = run_cli("explain", "dzps2019-two-layer-gd", "--format", "html", "--out", out)
    assert code == 0 and out.read_text().startswith("<!DOCTYPE html>")
    code, _, err = run_cli("explain", "no-such-theorem", "--format", "md")
    assert code == 2 and "THEOREM_ID" in err
    code, _, err = run_cli("explain", "dzps2019-two-layer-gd", "--out", tmp_path / "missing" / "x.md")
    assert code == 2 and "--out" in err


# ------------------------------------------------------------------ run report


def test_run_report_sections_and_proof_check(small_cert):
    html = render_html(small_cert, figures={})
    assert 'id="summary"' in html and 'id="environment"' in html
    for t in small_cert["theorems"]:
        assert f'<section class="theorem" id="{t["id"]}">' in html
        for h in t["hypotheses"]:
            assert f'<td data-label="verdict"><span class="badge {h["verdict"]}">{h["verdict"]}</span></td>' in html
        thm = get_theorem(t["id"])
        for c in thm.constants:
            assert f'id="{t["id"]}-derivation-{c.name}"' in html
    gd = get_theorem("dzps2019-two-layer-gd")
    assert html.count('<li class="step step-') == sum(len(c.derivation.steps) for c in gd.constants)
    _svg_uses_resolve(html)
    md = render_markdown(small_cert)
    assert "### Proof check" in md and "#### Derivation of `step_size`" in md
    assert md.count("| **holds** |") == sum(h["verdict"] == "holds" for t in small_cert["theorems"]
                                            for h in t["hypotheses"])


def test_report_of_an_unknown_theorem_still_renders(small_cert):
    cert = json.loads(json.dumps(small_cert))
    cert["theorems"][0]["id"] = "someone-elses-theorem"
    html = render_html(cert, figures={})
    assert "does not know <code>someone-elses-theorem</code>" in html


def test_report_cli_formats_and_bad_input(run_cli, small_cert, tmp_path):
    from certify.certificate import write_json_atomic

    path = tmp_path / "certificate.json"
    write_json_atomic(path, small_cert)
    code, out, _ = run_cli("report", path, "--format", "md")
    assert code == 0 and out.startswith("# dl-certify report")
    code, _, _ = run_cli("report", path, "--out", tmp_path / "r.html")
    assert code == 0 and "</html>" in (tmp_path / "r.html").read_text()
    (tmp_path / "garbage.json").write_text("{not json")
    code, _, err = run_cli("report", tmp_path / "garbage.json")
    assert code == 2 and "valid JSON" in err
    (tmp_path / "foreign.json").write_text(json.dumps({"schema": "someone/else/1", "theorems": []}))
    code, _, err = run_cli("report", tmp_path / "foreign.json")
    assert code == 2 and "someone/else/1" in err
    broken = json.loads(json.dumps(small_cert))
    del broken["theorems"][0]["hypotheses"]
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    code, _, err = run_cli("report", tmp_path / "broken.json")
    assert code == 2 and "required key 'hypotheses' is missing" in err


# ------------------------------------------------------------------ headless browser


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


def _browser(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    exe = chromium()
    if exe is None:
        pytest.skip("headless browser test skipped: no chromium found (install Debian's `chromium`; .ci/run tries)")
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
           f"--user-data-dir={tmp_path / 'profile'}", *args, url]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    except subprocess.TimeoutExpired:
        pytest.skip("headless chromium did not finish within 90 s on this machine")


# Injected into a test copy of the report only (reports themselves carry no scripts): records what
# the browser laid out, so --dump-dom shows whether images decoded and formulas have a size.
_PROBE = """<script>
window.addEventListener('load', () => {
  const r = document.body;
  r.dataset.imgs = [...document.images].map(i => i.naturalWidth + 'x' + i.naturalHeight).join(',');
  r.dataset.math = [...document.querySelectorAll('svg.math')].filter(s => s.getBoundingClientRect().width > 2).length;
  r.dataset.mathTotal = document.querySelectorAll('svg.math').length;
  r.dataset.sections = [...document.querySelectorAll('section')].filter(s => s.offsetHeight > 10).map(s => s.id).join(',');
  r.dataset.overflow = document.documentElement.scrollWidth - window.innerWidth;
});
</script></body>"""


def _probe(tmp_path: Path, html: str, width: int) -> dict:
    page = tmp_path / f"probe-{width}.html"
    page.write_text(html.replace("</body>", _PROBE, 1), encoding="utf-8")
    res = _browser(tmp_path, page.as_uri(), f"--window-size={width},900", "--virtual-time-budget=5000", "--dump-dom")
    m = re.search(r"<body([^>]*)>", res.stdout)
    assert m, f"chromium printed no DOM: {res.stderr[-500:]}"
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', m.group(1)))


def _nonblank(png_path: Path) -> float:
    import matplotlib.image as mpimg

    img = mpimg.imread(png_path)[..., :3]
    return float((img.min(axis=-1) < 0.9).mean())


def test_report_renders_in_headless_chromium(small_cert, tmp_path):
    html = render_html(small_cert, figures={"dzps2019-two-layer-gd": [("a test figure", _png())]})
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    shot = tmp_path / "report.png"
    _browser(tmp_path, page.as_uri(), f"--screenshot={shot}", "--window-size=1000,1400")
    assert shot.exists(), "chromium wrote no screenshot"
    assert 0.02 < _nonblank(shot) < 0.9, "the screenshot is blank (or solid)"

    desktop = _probe(tmp_path, html, 1000)
    assert desktop["imgs"] and all(not s.startswith("0x") for s in desktop["imgs"].split(",")), desktop
    assert int(desktop["math"]) == int(desktop["math-total"]) > 0
    for section in ["summary", "environment"] + [t["id"] for t in small_cert["theorems"]]:
        assert section in desktop["sections"].split(","), desktop["sections"]
    phone = _probe(tmp_path, html, 390)
    assert int(phone["overflow"]) <= 1, "the page scrolls sideways on a phone-sized screen"

    pdf = tmp_path / "report.pdf"
    _browser(tmp_path, page.as_uri(), f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


def test_explain_renders_in_headless_chromium(tmp_path):
    thm = get_theorem("dzps2019-two-layer-gd")
    s = proof_check(thm.id)
    html = render_explain_html(thm.statement_dict(), [[x["result"] for x in c["steps"]] for c in s["constants"]])
    probe = _probe(tmp_path, html, 390)
    assert int(probe["math"]) == int(probe["math-total"]) > 10
    assert {"statement", "hypotheses", "derivations"} <= set(probe["sections"].split(","))
    assert int(probe["overflow"]) <= 1


def test_report_warns_when_the_certificate_was_edited(small_cert):
    assert "Warning:" not in render_html(small_cert, figures={})
    edited = json.loads(json.dumps(small_cert))
    edited["theorems"][0]["quantities"]["lambda0"]["hi"] = "0.5"
    assert "content_sha256 does not match" in render_html(edited, figures={})
    assert "> **Warning:** This certificate was edited" in render_markdown(edited)


def test_run_report_draws_the_recorded_empirical_figures(tmp_path):
    """`certify run` with [empirical]: figures drawn from the recorded summary, embedded once,
    free of metadata, and the same bytes on every rendering."""
    from certify.pipeline import run

    cfg = {**SMALL, "certify": {"theorems": ["dzps2019-two-layer-gd", "dzps2019-two-layer-gf"], "delta": 0.1},
           "empirical": {"enabled": True, "widths": [8, 32], "seeds": [0], "steps": 15, "device": "cpu"}}
    cert = run(cfg)
    first, second = render_html(cert), render_html(cert)
    assert first == second
    pngs = [base64.b64decode(b) for b in re.findall(r'src="data:image/png;base64,([^"]+)"', first)]
    assert pngs, "no figure embedded"
    assert len(set(pngs)) == len(pngs), "a figure shared by two theorems is embedded twice"
    for png in pngs:
        assert not {b"tEXt", b"zTXt", b"iTXt", b"tIME"} & set(_chunks(png))
    assert "the same as under" in first  # gf's figures refer to gd's
    assert "Empirical evidence" in first and "float runs beside the verdict" in first


def test_html_is_byte_identical_across_processes(tmp_path):
    """Reports diff cleanly: two processes with different hash seeds write the same bytes."""
    import subprocess
    import sys

    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"explain-{seed}.html"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", "from certify.cli import main; main()", "explain",
                        "dzps2019-two-layer-gf", "--format", "html", "--out", str(out)], env=env, check=True)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
