"""Test configuration: Hypothesis profiles, the tests' import path, and the message of a
failed comparison between results (their text and their structure).

The default profile is derandomized and keeps no example database, so that every run of a
commit draws the same examples on every machine and nothing saved by an earlier run replays:
``make test`` gives the same result every time.  ``HYPOTHESIS_PROFILE=explore`` opts into
random exploration (new examples each run, a database under .hypothesis/); a failure it finds
is then fixed and kept as an explicit example.
"""

import os
import sys

from hypothesis import HealthCheck, settings

from matcalc.expr.structure import TextRepr

sys.path.insert(0, os.path.dirname(__file__))


def pytest_assertrepr_compare(op, left, right):
    """A failed ``==`` between results shows both texts and both structures: two trees can
    print alike and still differ."""
    if op == "==" and isinstance(left, TextRepr) and isinstance(right, TextRepr):
        return [f"{left!r} == {right!r}", "structures:", f"  left:  {left.structure()}",
                f"  right: {right.structure()}"]
    return None

settings.register_profile(
    "default",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile("explore", parent=settings.get_profile("default"), derandomize=False,
                          database=settings.default.database, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
