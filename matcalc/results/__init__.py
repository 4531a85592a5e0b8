"""Stage: results.  Takes the stages before it; gives what the API hands back, assembled from them: the gradient and
the differential (``gradient``), Jacobians and Hessians (``jacobian``), backpropagation rules
and stationary points (``backprop``), step-by-step derivations (``derivation``); and gives the
expression tree its methods that need later stages (``expression``: str, LaTeX, evaluate).

May import: every earlier stage (errors, language, expr, calculus, simplify, printing, numeric).
"""
