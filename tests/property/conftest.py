"""Hypothesis settings for the property tests: no example database in the checkout, no deadline (a reader
may start slowly on a shared 2-core machine), and a fixed derandomised search so that CI and a developer
see the same examples. ``HYPOTHESIS_PROFILE=explore`` searches more widely with fresh randomness.

Hypothesis's pytest plugin caches the constants of local modules at collection, in ``.hypothesis/`` of the
working directory: that cache goes to the temporary folder instead, so ``pytest --collect-only`` writes nothing
into the checkout (tests/test_collection.py)."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), f"bigmed-hypothesis-{os.getuid()}"),
)

from hypothesis import HealthCheck, settings  # noqa: E402  (after its storage folder is chosen)

settings.register_profile(
    "ci", database=None, deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "explore", database=None, deadline=None, max_examples=1000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
