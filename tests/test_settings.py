"""The suite is deterministic: the loaded Hypothesis profile draws the same examples every run
and replays nothing from an example database."""

import os

import pytest
from hypothesis import settings


@pytest.mark.skipif(os.environ.get("HYPOTHESIS_PROFILE", "default") != "default", reason="an exploring profile is loaded on purpose")
def test_the_default_profile_is_derandomized_without_a_database():
    loaded = settings()
    assert loaded.derandomize is True
    assert loaded.database is None
    assert loaded.deadline is None
