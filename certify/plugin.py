"""pytest plugin of dl-certify (entry point `pytest11`: `dl_certify = "certify.plugin"`).

Regression tests for theorem bounds:

* fixture `certify`: `certify(CONFIG)` certifies a configuration (a TOML path, or a dict with the
  TOML's tables, read relative to the test file) inside a test and returns a `Certified` with
  assertions on verdicts (`assert_certified`, `assert_verdict`) and on constants and quantities
  (`assert_constant(..., at_most=, at_least=)`, rigorous: the whole enclosure must satisfy it),
  and `lock(key)`, which compares the derived bounds with the lock file.
* fixture `certify_bounds`: `certify_bounds.check(cert, key)` for a certificate dict you already
  have (e.g. read from a file).
* the lock file (JSON, `dl-certify/bounds-lock/1`) records per key and theorem: the configuration
  hash, the status and every hypothesis verdict, each quantity's and constant's enclosure and each
  symbolic form (constant formulas, their O-forms, hypothesis statements). A looser bound, a
  changed verdict or a changed symbolic form fails the test with a readable diff; a tighter bound
  passes and is reported at the end of the session. `pytest --certify-update` rewrites the entries
  the session checked (entries of tests that did not run are kept).
* where the lock lives: `--certify-lock PATH`, else the ini option `certify_lock`, else
  `certify.lock` in the rootdir; a conftest may override the fixture `certify_lock_path`.

Only pytest is imported here; dl-certify is imported when a fixture is used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

LOCK_SCHEMA = "dl-certify/bounds-lock/1"
DEFAULT_RTOL = 1e-9
_STATE_KEY = pytest.StashKey[dict]()


def pytest_addoption(parser):
    group = parser.getgroup("dl-certify", "regression tests of theorem bounds (dl-certify)")
    group.addoption("--certify-update", action="store_true", default=False,
                    help="rewrite the dl-certify bounds lock with the bounds derived in this session")
    group.addoption("--certify-lock", default=None, metavar="PATH",
                    help="the bounds lock file (default: ini option certify_lock, else certify.lock in rootdir)")
    parser.addini("certify_lock", "path of the dl-certify bounds lock, relative to the rootdir", default="certify.lock")
    parser.addini("certify_rtol", "relative tolerance below which a bound's move is not a change (platform libm "
                  "differences); disjoint enclosures always fail", default=str(DEFAULT_RTOL))


def pytest_configure(config):
    config.stash[_STATE_KEY] = {"locks": {}, "runs": {}}
    config.addinivalue_line("markers", "certify: the test certifies a configuration with dl-certify")


# ------------------------------------------------------------------ the lock


def lock_entry(cert: dict) -> dict:
    """What the lock records of a certificate: per theorem, verdicts, enclosures, symbolic forms."""
    from certify.commands.diff import config_hash, constant_sense

    theorems = {}
    for t in cert["theorems"]:
        theorems[t["id"]] = {
            "status": t["status"],
            "hypotheses": [{"id": h["id"], "verdict": h["verdict"], "statement": h.get("statement", ""),
                            "latex": h.get("latex", "")} for h in t["hypotheses"]],
            "quantities": {k: {"lo": q.get("lo"), "hi": q.get("hi"), **({"rigorous": False} if q.get("rigorous") is False
                                                                          else {})}
                           for k, q in t.get("quantities", {}).items()},
            "constants": {k: {"lo": c.get("lo"), "hi": c.get("hi"), "expr": c.get("expr"), "big_o": c.get("big_o"),
                              "order": c.get("order"), "tighter": constant_sense(t["id"], k)}
                          for k, c in t.get("constants", {}).items()},
            "derivation_status": dict(t.get("derivation_status", {})),
        }
    return {"config_hash": config_hash(cert), "theorems": theorems}


def compare_entries(old: dict, new: dict, rtol: float = DEFAULT_RTOL) -> list:
    """The changes from a locked entry to a fresh one (certify.commands.diff.Change objects)."""
    from certify.commands.diff import Change, compare_theorem

    changes = []
    same = old.get("config_hash") == new.get("config_hash")
    if not same:
        changes.append(Change("config", "configuration hash", old.get("config_hash"), new.get("config_hash"),
                              "the configuration or its data changed since the lock was written", regression=True))
    ot, nt = old.get("theorems", {}), new.get("theorems", {})
    for tid in list(ot) + [t for t in nt if t not in ot]:
        if tid not in nt:
            changes.append(Change("theorem", f"theorem {tid}", ot[tid]["status"], None, "no longer certified here",
                                  verdict_changed=True, regression=True))
        elif tid not in ot:
            changes.append(Change("theorem", f"theorem {tid}", None, nt[tid]["status"], "not in the lock",
                                  verdict_changed=True, regression=True))
        else:
            changes += compare_theorem(tid, ot[tid], nt[tid], same, rtol)
    return changes


def format_lock_failure(key: str, path: Path, changes: list) -> str:
    lines = [f"dl-certify: derived bounds of {key!r} differ from the lock {path}:"]
    for c in changes:
        if not (c.regression or c.tighter):
            continue
        tag = "VERDICT CHANGED" if c.verdict_changed else ("tighter" if c.tighter else "REGRESSION")
        lines.append(f"  [{tag}] {c.where}")
        lines.append(f"      locked: {_short(c.old)}")
        lines.append(f"      now:    {_short(c.new)}")
        if c.note:
            lines.append(f"      {c.note}")
    lines.append("If this change is intended, run `pytest --certify-update` and commit the lock file.")
    return "\n".join(lines)


def _short(x) -> str:
    text = x if isinstance(x, str) else json.dumps(x)
    return text if len(text) <= 160 else text[:157] + "..."


@dataclass
class BoundsLock:
    """One lock file: its recorded entries, and what this session found."""

    path: Path
    update: bool
    rtol: float = DEFAULT_RTOL
    entries: dict = field(default_factory=dict)
    fresh: dict = field(default_factory=dict)
    outcomes: dict = field(default_factory=dict)  # key -> (kind, detail)

    @classmethod
    def open(cls, path: Path, update: bool, rtol: float = DEFAULT_RTOL) -> "BoundsLock":
        entries = {}
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise pytest.UsageError(f"dl-certify: cannot read the bounds lock {path}: {exc}") from None
            if not isinstance(data, dict) or data.get("schema") != LOCK_SCHEMA:
                raise pytest.UsageError(f"dl-certify: {path} is not a bounds lock (schema {LOCK_SCHEMA!r})")
            entries = data.get("entries", {})
        return cls(path=path, update=update, rtol=rtol, entries=entries)

    def check(self, cert: dict, key: str) -> list:
        """Compare `cert` with the entry `key`; fail the test on a regression (unless updating)."""
        entry = lock_entry(cert)
        self.fresh[key] = entry
        old = self.entries.get(key)
        if old is None:
            self.outcomes[key] = ("new", "no entry in the lock")
            if not self.update:
                pytest.fail(f"dl-certify: the lock {self.path} has no entry {key!r}; "
                            f"run `pytest --certify-update` to record its bounds", pytrace=False)
            return []
        changes = compare_entries(old, entry, self.rtol)
        regressions = [c for c in changes if c.regression]
        tighter = [c for c in changes if c.tighter]
        if regressions:
            self.outcomes[key] = ("regression", f"{len(regressions)} regression(s)")
            if not self.update:
                pytest.fail(format_lock_failure(key, self.path, changes), pytrace=False)
        elif tighter:
            self.outcomes[key] = ("tighter", "; ".join(c.where for c in tighter))
        elif changes:
            self.outcomes[key] = ("changed", "; ".join(c.where for c in changes))
        else:
            self.outcomes[key] = ("same", "")
        return changes

    def write(self) -> bool:
        """Write the updated lock; True when the file changed."""
        merged = {**self.entries, **self.fresh}
        text = json.dumps({"schema": LOCK_SCHEMA, "entries": dict(sorted(merged.items()))},
                          indent=2, sort_keys=True) + "\n"
        if self.path.exists() and self.path.read_text(encoding="utf-8") == text:
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(self.path)
        return True


def _lock_for(config, path: Path) -> BoundsLock:
    locks = config.stash[_STATE_KEY]["locks"]
    path = Path(path).resolve()
    if path not in locks:
        try:
            rtol = float(config.getini("certify_rtol"))
        except ValueError:
            raise pytest.UsageError(f"dl-certify: certify_rtol must be a number, got {config.getini('certify_rtol')!r}")
        locks[path] = BoundsLock.open(path, config.getoption("certify_update"), rtol)
    return locks[path]


def pytest_sessionfinish(session, exitstatus):
    state = session.config.stash.get(_STATE_KEY, None)
    if not state:
        return
    for lock in state["locks"].values():
        if lock.update and lock.fresh:
            state.setdefault("written", {})[lock.path] = lock.write()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    state = config.stash.get(_STATE_KEY, None)
    if not state or not state["locks"]:
        return
    lines = []
    for lock in state["locks"].values():
        tighter = {k: d for k, (kind, d) in lock.outcomes.items() if kind == "tighter"}
        for key, detail in sorted(tighter.items()):
            lines.append(f"tighter bound for {key!r}: {detail}"
                         + ("" if lock.update else " (run `pytest --certify-update` to record it)"))
        if lock.update:
            counts = {}
            for kind, _ in lock.outcomes.values():
                counts[kind] = counts.get(kind, 0) + 1
            written = state.get("written", {}).get(lock.path)
            summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
            lines.append(f"{'rewrote' if written else 'unchanged'} {lock.path} ({summary})")
    if lines:
        terminalreporter.write_sep("-", "dl-certify bounds")
        for line in lines:
            terminalreporter.write_line(line)


# ------------------------------------------------------------------ fixtures


@pytest.fixture
def certify_lock_path(request) -> Path:
    """The bounds lock of this test (override in a conftest to use another file)."""
    config = request.config
    given = config.getoption("certify_lock") or config.getini("certify_lock") or "certify.lock"
    path = Path(given)
    return path if path.is_absolute() else Path(config.rootpath) / path


class CertifyBounds:
    """`check(cert, key)`: compare a certificate's derived bounds with the lock."""

    def __init__(self, lock: BoundsLock, default_key: str):
        self._lock = lock
        self._default_key = default_key

    @property
    def path(self) -> Path:
        return self._lock.path

    def check(self, cert: dict, key: str | None = None) -> list:
        return self._lock.check(cert, key or self._default_key)


@pytest.fixture
def certify_bounds(request, certify_lock_path) -> CertifyBounds:
    return CertifyBounds(_lock_for(request.config, certify_lock_path), request.node.nodeid)


@dataclass(frozen=True)
class Enclosure:
    lo: float | None
    hi: float | None

    def __contains__(self, x) -> bool:
        return self.lo is not None and self.lo <= x <= self.hi


class Certified:
    """A certificate produced inside a test, with assertions that explain their failures."""

    def __init__(self, cert: dict, bounds: CertifyBounds, key: str):
        self.cert = cert
        self._bounds = bounds
        self._key = key

    @property
    def verdict(self) -> str:
        return self.cert["verdict"]

    def theorem(self, theorem_id: str) -> dict:
        for t in self.cert["theorems"]:
            if t["id"] == theorem_id:
                return t
        raise AssertionError(f"theorem {theorem_id!r} was not certified in this run; "
                             f"present: {', '.join(t['id'] for t in self.cert['theorems'])}")

    def _why_not(self, t: dict) -> str:
        bad = [f"{h['id']}: {h['verdict']}" + (f" ({h['message']})" if h.get("message") else "")
               for h in t["hypotheses"] if h["verdict"] != "holds"]
        return f"{t['id']} is {t['status']}: " + "; ".join(bad)

    def assert_certified(self, *theorem_ids: str) -> None:
        """Every named theorem (all when none named) is certified."""
        ts = [self.theorem(i) for i in theorem_ids] if theorem_ids else self.cert["theorems"]
        failing = [self._why_not(t) for t in ts if t["status"] != "certified"]
        if failing:
            raise AssertionError("not certified:\n  " + "\n  ".join(failing))

    def assert_not_certified(self, theorem_id: str) -> None:
        t = self.theorem(theorem_id)
        if t["status"] == "certified":
            raise AssertionError(f"{theorem_id} is certified, expected not-certified")

    def hypothesis(self, theorem_id: str, hypothesis_id: str) -> dict:
        t = self.theorem(theorem_id)
        for h in t["hypotheses"]:
            if h["id"] == hypothesis_id:
                return h
        raise AssertionError(f"{theorem_id} has no hypothesis {hypothesis_id!r}; "
                             f"it has: {', '.join(h['id'] for h in t['hypotheses'])}")

    def assert_verdict(self, theorem_id: str, hypothesis_id: str, expected: str | tuple[str, ...]) -> None:
        """The hypothesis's verdict is `expected` (a verdict or a tuple of allowed verdicts)."""
        allowed = (expected,) if isinstance(expected, str) else tuple(expected)
        h = self.hypothesis(theorem_id, hypothesis_id)
        if h["verdict"] not in allowed:
            msg = f" ({h['message']})" if h.get("message") else ""
            raise AssertionError(f"{theorem_id} / {hypothesis_id}: verdict {h['verdict']!r}, "
                                 f"expected {' or '.join(map(repr, allowed))}{msg}")

    def _enclosure(self, theorem_id: str, kind: str, name: str) -> Enclosure:
        t = self.theorem(theorem_id)
        if name not in t.get(kind, {}):
            raise AssertionError(f"{theorem_id} has no {kind[:-1]} {name!r}; it has: {', '.join(t.get(kind, {}))}")
        d = t[kind][name]
        return Enclosure(None if d.get("lo") is None else float(d["lo"]),
                         None if d.get("hi") is None else float(d["hi"]))

    def constant(self, theorem_id: str, name: str) -> Enclosure:
        return self._enclosure(theorem_id, "constants", name)

    def quantity(self, theorem_id: str, name: str) -> Enclosure:
        return self._enclosure(theorem_id, "quantities", name)

    def _assert_bounds(self, what: str, enc: Enclosure, at_most, at_least) -> None:
        if enc.lo is None:
            raise AssertionError(f"{what} is not enclosed")
        if at_most is not None and not enc.hi <= at_most:
            raise AssertionError(f"{what} in [{enc.lo!r}, {enc.hi!r}]: not provably <= {at_most!r}")
        if at_least is not None and not enc.lo >= at_least:
            raise AssertionError(f"{what} in [{enc.lo!r}, {enc.hi!r}]: not provably >= {at_least!r}")

    def assert_constant(self, theorem_id: str, name: str, *, at_most=None, at_least=None) -> None:
        """The whole enclosure of the constant lies below `at_most` and above `at_least`."""
        self._assert_bounds(f"{theorem_id} / constant {name}", self.constant(theorem_id, name), at_most, at_least)

    def assert_quantity(self, theorem_id: str, name: str, *, at_most=None, at_least=None) -> None:
        self._assert_bounds(f"{theorem_id} / quantity {name}", self.quantity(theorem_id, name), at_most, at_least)

    def lock(self, key: str | None = None) -> list:
        """Compare this certificate's derived bounds with the lock entry `key`."""
        return self._bounds.check(self.cert, key or self._key)


def _config_key(config: Any, base: Path) -> tuple[str, str]:
    if isinstance(config, (str, Path)):
        p = Path(config)
        p = p if p.is_absolute() else base / p
        return "path", str(p.resolve())
    if isinstance(config, dict):
        return "dict", json.dumps(config, sort_keys=True, default=str) + f"@{base}"
    raise TypeError(f"certify(config): config must be a TOML path or a dict of TOML tables, got {type(config).__name__}")


@pytest.fixture
def certify(request, certify_bounds):
    """`certify(CONFIG, empirical=False, key=None) -> Certified`: certify a configuration in a test.

    CONFIG is a TOML path (relative to the test file's directory) or a dict of TOML tables. Runs
    are cached for the session. `key` names the lock entry used by `.lock()` (default: the path
    relative to the rootdir, or the test's node id for a dict).
    """
    base = Path(request.path).parent
    runs = request.config.stash[_STATE_KEY]["runs"]

    def _certify(config, *, empirical: bool = False, key: str | None = None) -> Certified:
        from certify.config import config_from_dict, load_config
        from certify.pipeline import run

        kind, ident = _config_key(config, base)
        cache_key = (ident, empirical)
        if cache_key not in runs:
            cfg = load_config(ident) if kind == "path" else config_from_dict(config, base_dir=base)
            runs[cache_key] = run(cfg, empirical=empirical)
        if key is None:
            if kind == "path":
                try:
                    key = Path(ident).relative_to(Path(request.config.rootpath).resolve()).as_posix()
                except ValueError:
                    key = ident
            else:
                key = request.node.nodeid
        return Certified(json.loads(json.dumps(runs[cache_key])), certify_bounds, key)

    return _certify
