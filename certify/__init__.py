"""dl-certify's application layer: certify a configuration, report, regression-test bounds.

`certify.run(config)` is the Python API behind `certify run`; it accepts a path to a TOML file,
a dict with the same structure, or a validated `certify.config.Config`.
"""

from __future__ import annotations


def run(config, *, empirical: bool = True):
    """Certify a configuration and return the sealed certificate (a dict)."""
    from certify.pipeline import run as _run

    return _run(config, empirical=empirical)


__all__ = ["run"]
