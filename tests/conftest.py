"""Shared test setup: ``tests/`` is on ``sys.path`` (pytest's prepend import mode puts a
conftest's directory there), so the high-precision oracles import as ``numerics_oracle``."""
