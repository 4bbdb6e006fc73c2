"""Empirical layer: batched PyTorch runs that confirm (or embarrass) what a theorem promises.

Modules: ``two_layer`` (batched two-layer ReLU ensembles, DZPS parametrization), ``training`` (GD/SGD
with the theorem's observables), ``observables``, ``arora_trajectory``, ``statistics``, ``sweep``
(executors, JSON-lines run log), ``two_layer_experiments`` (``run_two_layer_experiments``), ``device``.
Results are float evidence, never verdicts.
"""
