"""The report of `certify critical`: certified bounds, the Lanczos spectrum estimate (a figure)
and the loss along the escape direction (a figure).

The bounds in the table are rigorous (enclosures of :mod:`numerics.curvature`); the Ritz values
and the loss curve are FLOAT and labelled so. matplotlib is imported inside the functions.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import numpy as np

RITZ_FIGURE = "ritz_values.png"
LINE_FIGURE = "loss_along_direction.png"


def _save(fig, path: Path) -> None:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(buf.getvalue())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _line_losses(params, X, y, v: np.ndarray, ts: np.ndarray) -> np.ndarray:
    from numerics.networks.float_forward import outputs

    theta = params.flatten()
    return np.array([0.5 * float(np.sum((outputs(params.unflatten(theta + t * v), X) - y) ** 2)) for t in ts])


def line_span(loss: float, curvature: float) -> float:
    """Half-width of the plotted segment: where the quadratic model moves by about the loss."""
    if curvature == 0 or not np.isfinite(curvature):
        return 1.0
    return float(min(1.0, 2.0 * np.sqrt(max(loss, 1e-12) / abs(curvature))))


def write_figures(out: Path, res, params, X, y) -> list[str]:
    """The Ritz-value figure and, when a direction was tested, the loss along it (FLOAT)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    names = []
    spec = res.spectrum
    if spec is None:            # the float search failed: nothing to draw
        return names
    fig, ax = plt.subplots(figsize=(6, 2.6))
    ax.plot(spec.values, np.zeros_like(spec.values), "|", markersize=18)
    ax.axvline(0.0, color="grey", lw=0.8)
    if res.lambda_min is not None:
        ax.axvspan(res.lambda_min[0], res.lambda_min[1], color="tab:green", alpha=0.3,
                   label="certified lambda_min on the ball")
        ax.legend(loc="upper right", fontsize=8)
    if res.direction_value is not None and res.status in ("strict-saddle", "negative-curvature"):
        ax.axvline(float(res.direction_value.hi), color="tab:red", lw=1, label="certified v^T H v / |v|^2 <=")
        ax.legend(loc="upper right", fontsize=8)
    ax.set_yticks([])
    ax.set_xlabel("Ritz values of the Hessian (FLOAT, Lanczos)")
    fig.tight_layout()
    _save(fig, out / RITZ_FIGURE)
    plt.close(fig)
    names.append(RITZ_FIGURE)
    if res.direction is not None:
        v = np.asarray(res.direction)
        q = float(res.direction_value.mid()) if res.direction_value is not None else 0.0
        s = line_span(res.spectrum.loss, q)
        ts = np.linspace(-s, s, 61)
        Xf = np.asarray(X, dtype=np.float64)
        Xf = Xf / np.linalg.norm(Xf, axis=1, keepdims=True) if res.normalized else Xf
        fig, ax = plt.subplots(figsize=(6, 3))
        ax.plot(ts, _line_losses(params, Xf, np.asarray(y, dtype=np.float64), v, ts), label="L(theta + t v) (FLOAT)")
        ax.plot(ts, res.spectrum.loss + 0.5 * q * ts ** 2, "--", label="L(theta) + q t^2 / 2")
        ax.set_xlabel("t (v a unit vector)")
        ax.legend(fontsize=8)
        fig.tight_layout()
        _save(fig, out / LINE_FIGURE)
        plt.close(fig)
        names.append(LINE_FIGURE)
    return names


def _pair(p) -> str:
    """``[lo, hi]`` with 6 digits; a value that is not a pair of numbers is shown as written."""
    if p is None:
        return "-"
    try:
        return f"[{float(p[0]):.6g}, {float(p[1]):.6g}]"
    except (TypeError, ValueError, IndexError, KeyError):
        return str(p)


def _title(doc: dict) -> str:
    cp, arch = doc["critical_point"], doc["architecture"]
    return (f"Critical point of a {arch['kind']} {arch['activation']} net (width {arch['width']}, depth "
            f"{arch['depth']}, P = {cp['parameters']}, n = {cp['n']})")


def certified_rows(doc: dict) -> list[tuple[str, str]]:
    """(quantity, certified value) rows of the report's table (rigorous numbers only)."""
    cp = doc["critical_point"]
    curv = cp["curvature"]
    return [("loss L(theta) (or at the critical point)", _pair(cp["loss"])),
            ("gradient norm <=", str(cp["grad_norm_upper"])),
            ("v^T H v / ‖v‖² (smallest Ritz vector)", _pair(curv["direction_value"])),
            ("v^T H v / ‖v‖² <=", str(curv["direction_value_upper"] or "-")),
            ("lambda_min(H) on the ball", _pair(curv["lambda_min"])),
            ("ball radius" + (" (around the refined center)" if cp.get("refinement") else ""),
             str(cp["radius"] or "-")),
            ("distance to the exact critical point <=", str(cp["critical_point_distance"] or "-"))] + _refined(cp)


def _refined(cp: dict) -> list[tuple[str, str]]:
    """Rows of the refined center (Newton steps with an Arb gradient), when there is one."""
    ref = cp.get("refinement")
    if not isinstance(ref, dict):
        return []
    return [("gradient norm at the refined center <=", str(ref.get("center_grad_norm_upper"))),
            ("refined center's distance from theta <=", str(ref.get("moved_upper")))]


def _paragraphs(doc: dict) -> tuple[list[str], str, str]:
    """(structure notes, the inputs line, the spectrum paragraph)."""
    cp, fs = doc["critical_point"], doc["float_search"]
    inputs = f"Inputs: {doc['inputs']}; point: {doc['point'].get('point')}; {cp['seconds']} s."
    if not fs.get("ritz_values"):
        return list(cp["structure"]), inputs, f"No spectrum estimate: {fs.get('failed', 'the float search failed')}."
    spectrum = (f"Smallest Ritz values {', '.join(f'{v:.4g}' for v in fs['ritz_values'][:3])}; largest "
                f"{fs['ritz_values'][-1]:.4g}. These are estimates; only the table above is proved."
                + _unconverged(cp, fs))
    return list(cp["structure"]), inputs, spectrum


def _unconverged(cp: dict, fs: dict) -> str:
    """A note when the certified lambda_min's upper end lies below the smallest Ritz value: the
    Lanczos run had not reached the bottom of the spectrum (the proof does not depend on it)."""
    lam = (cp.get("curvature") or {}).get("lambda_min")
    try:
        hi, ritz = float(lam[1]), float(fs["ritz_values"][0])
    except (TypeError, ValueError, IndexError, KeyError):
        return ""
    if not hi < ritz:
        return ""
    return (f" The certified lambda_min (at most {hi:.4g}) lies below the smallest Ritz value: the Lanczos run "
            "had not converged at the bottom of the spectrum, which the proof (a verified eigenvalue "
            "bound of the whole Hessian enclosure) does not depend on.")


def _banner(doc: dict) -> str | None:
    from certify.certificate import integrity_warning

    return integrity_warning(doc, "certify critical")


def render_markdown(doc: dict, figures: list[str]) -> str:
    """The report.md of a `certify critical` run (and `certify report --format md`)."""
    cp, fs = doc["critical_point"], doc["float_search"]
    structure, inputs, spectrum = _paragraphs(doc)
    banner = _banner(doc)
    lines = [f"# {_title(doc)}", ""] + ([f"> **Warning:** {banner}", ""] if banner else [])
    lines += [f"**Status: {cp['status']}** — {cp['reason']}", "", "| quantity | certified value |", "|---|---|"]
    lines += [f"| {q} | {v} |" for q, v in certified_rows(doc)] + [""]
    lines += [f"- {s}" for s in structure]
    lines += ["", inputs, "", f"## Spectrum estimate (FLOAT: {fs['steps']} Lanczos steps)", "", spectrum, ""]
    lines += [f"![{name}]({name})" for name in figures]
    return "\n".join(lines) + "\n"


def render_html(doc: dict, directory: Path | None = None) -> str:
    """A self-contained HTML report (`certify report --format html`): the Markdown's content,
    with the figures found in ``directory`` embedded as data URIs (no scripts, no network)."""
    import base64
    import html

    esc = html.escape
    cp, fs = doc["critical_point"], doc["float_search"]
    structure, inputs, spectrum = _paragraphs(doc)
    banner = _banner(doc)
    parts = ["<!doctype html><html><head><meta charset='utf-8'>", f"<title>{esc(_title(doc))}</title>",
             ("<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
              "table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.2em .5em}"
              ".warn{background:#fee;border:1px solid #c00;padding:.5em}</style></head><body>"),
             f"<h1>{esc(_title(doc))}</h1>"]
    if banner:
        parts.append(f"<p class='warn'><b>Warning:</b> {esc(banner)}</p>")
    parts += [f"<p><b>Status: {esc(str(cp['status']))}</b> — {esc(str(cp['reason']))}</p>",
              "<table><tr><th>quantity</th><th>certified value</th></tr>"]
    parts += [f"<tr><td>{esc(q)}</td><td>{esc(v)}</td></tr>" for q, v in certified_rows(doc)]
    parts.append("</table>")
    if structure:
        parts.append("<ul>" + "".join(f"<li>{esc(s)}</li>" for s in structure) + "</ul>")
    parts += [f"<p>{esc(inputs)}</p>", f"<h2>Spectrum estimate (FLOAT: {esc(str(fs['steps']))} Lanczos steps)</h2>",
              f"<p>{esc(spectrum)}</p>"]
    for name in (RITZ_FIGURE, LINE_FIGURE):
        path = None if directory is None else Path(directory) / name
        if path is not None and path.is_file():
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            parts.append(f"<p><img alt='{esc(name)}' src='data:image/png;base64,{data}'></p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


REPORT_FIELDS = {"critical_point": ("status", "reason", "grad_norm_upper", "curvature", "loss", "radius",
                                     "critical_point_distance", "parameters", "n", "structure", "seconds"),
                 "curvature": ("direction_value", "direction_value_upper", "lambda_min"),
                 "architecture": ("kind", "activation", "width", "depth"),
                 "float_search": ("steps", "ritz_values"), "point": ()}
"""What the report reads (``curvature`` under ``critical_point``)."""


def require_report_fields(doc: dict) -> None:
    """BadInput naming the first field the report needs that the certificate lacks."""
    from certify.errors import BadInput

    for name, keys in REPORT_FIELDS.items():
        where = f"critical_point.{name}" if name == "curvature" else name
        node = (doc.get("critical_point") or {}).get(name) if name == "curvature" else doc.get(name)
        if not isinstance(node, dict):
            raise BadInput(f"CERT.{where}", node, "an object, as `certify critical` writes it")
        missing = [k for k in keys if k not in node]
        if missing:
            raise BadInput(f"CERT.{where}.{missing[0]}", None, "present, as `certify critical` writes it")
    if "inputs" not in doc:
        raise BadInput("CERT.inputs", None, "present, as `certify critical` writes it")
    ritz = doc["float_search"]["ritz_values"]
    if not isinstance(ritz, list) or not ritz or not all(isinstance(v, (int, float)) for v in ritz):
        raise BadInput("CERT.float_search.ritz_values", ritz, "a non-empty list of numbers")


def figures_beside(directory: Path) -> list[str]:
    """The report's figures present in ``directory`` (for `certify report --format md`)."""
    return [name for name in (RITZ_FIGURE, LINE_FIGURE) if (Path(directory) / name).is_file()]
