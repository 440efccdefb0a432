"""is_missing: one answer for every kind of empty value the tables carry."""

import math

import numpy as np
import pandas as pd

from bigmed_utils._values import is_missing


def test_missing_values_are_missing_and_present_ones_are_not():
    assert all(is_missing(v) for v in (None, math.nan, np.nan, pd.NA, pd.NaT))
    assert not any(is_missing(v) for v in (0, 0.0, "", "NA", False, ["a", "b"]))
