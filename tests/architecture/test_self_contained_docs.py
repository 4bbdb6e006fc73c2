"""Everything a reader is sent to is inside the repository.

Code, docstrings, tests, templates and documentation may cite papers and the pages of docs/, but
never the project's private design notes (which users who install the package cannot read), and
every relative link in README.md and docs/*.md must resolve to a file of the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED_DIRS = ("certify", "proofs", "numerics", "tests", "benchmarks", "examples", "docs")
SCANNED_FILES = ("README.md", "pyproject.toml")
SUFFIXES = {".py", ".md", ".j2", ".toml", ".json", ".txt", ".cfg", ".ini", ".yaml", ".yml"}

# the names of the notes that lived outside the repository, spelled so this file does not match itself
OUTSIDE = re.compile("|".join([
    r"DESIGN" + r"\.md", r"STYLE" + r"\.md", r"over" + r"param\.md", r"saddles_non" + r"smooth",
    r"software_" + r"anchors", r"(?<![\w.])shared" + r"/", r"/work" + r"/",
]))
MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _scanned() -> list[Path]:
    out = [ROOT / name for name in SCANNED_FILES if (ROOT / name).exists()]
    for d in SCANNED_DIRS:
        out += [p for p in sorted((ROOT / d).rglob("*")) if p.is_file() and p.suffix in SUFFIXES
                and "__pycache__" not in p.parts and p != Path(__file__).resolve()]
    return out


def test_no_reference_to_notes_outside_the_repository():
    hits = []
    for path in _scanned():
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not hits, ("references to notes users cannot read; point to docs/ or cite the paper:\n"
                      + "\n".join(hits))


def test_the_pattern_catches_what_it_is_meant_to():
    for text in ("see DESIGN" ".md", "(over" "param.md 7.4)", "/work" "/shared/x", "shared" "/reference/a.md",
                 "software_" "anchors.md 4.2", "saddles_non" "smooth_landscapes.md (d)", "STYLE" ".md section 1"):
        assert OUTSIDE.search(text), text
    for text in ("symbols shared by the three theorems", "docs/spectral_method.md", "numerics/arith/"):
        assert not OUTSIDE.search(text), text


def test_relative_links_in_the_documentation_resolve():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    broken = []
    for page in pages:
        for target in MARKDOWN_LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue                       # http:, https:, mailto:
            if not (page.parent / target).resolve().exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert not broken, "\n".join(broken)


def test_docs_pages_named_in_code_exist():
    """A docstring or message that says docs/<page>.md points to a page that is there."""
    missing = set()
    for path in _scanned():
        if path.suffix != ".py":
            continue
        for page in re.findall(r"docs/([\w-]+\.md)", path.read_text(encoding="utf-8")):
            if not (ROOT / "docs" / page).exists():
                missing.add(f"{path.relative_to(ROOT)} -> docs/{page}")
    assert not missing, "\n".join(sorted(missing))
