"""Curvature of a network's loss at a point, proved (``docs/critical_points_networks.md``).

* :mod:`.activation_derivatives`: enclosures of sigma, sigma', sigma'' (ReLU: kink detection);
* :mod:`.taylor_jets`: second-order Taylor arithmetic along a direction (loss, slope, curvature);
* :mod:`.loss_gradient`: the gradient by one reverse pass, in interval or Arb ball arithmetic;
* :mod:`.ball_activations`: activations, slopes and scalings on Arb balls;
* :mod:`.newton_refinement`: Newton steps to a two-float center with an Arb gradient (search
  with rigorous bookkeeping);
* :mod:`.ball_hessian`: the Hessian of a one-hidden-layer net enclosed over a ball, and the split
  (core + deviation) used for every depth;
* :mod:`.deep_ball_hessian`: the same for deep-fc / resnet of any depth (second-order adjoints);
* :mod:`.perturbed_products`: products with a factor perturbed within a Frobenius ball;
* :mod:`.lanczos`: FLOAT Lanczos on Hessian-vector products (the search);
* :mod:`.critical_point`: the classification (strict saddle, strict local minimum, zero loss,
  undecided).
"""
