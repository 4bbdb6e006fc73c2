"""Symbolic objects made numeric: user expressions and their rigorous evaluation.

* :mod:`.expression`: the restricted grammar for user text (never eval).
* :mod:`.enclosure`: sympy expressions evaluated in Arb ball arithmetic; relations decided.
* :mod:`.derivatives`: interval enclosures of gradients and Hessians of smooth objectives.
* :mod:`.ideal_saturation`: Groebner-basis certificates for polynomial critical sets.
"""
