"""Small value checks shared by the areas (private)."""

from __future__ import annotations

from typing import Any

import pandas as pd


def is_missing(value: Any) -> bool:
    """True for ``None`` and pandas/NumPy missing values (NaN, NaT, NA); False for anything else, lists too."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array: not one missing value
        return False
