"""The flat public API: every advertised name resolves to a documented object."""

from __future__ import annotations

import inspect

import pytest

import bigmed_utils as bm


@pytest.mark.parametrize("name", [n for n in bm.__all__ if n != "__version__"])
def test_public_name_resolves_and_is_documented(name):
    obj = getattr(bm, name)
    assert inspect.getdoc(obj), f"bigmed_utils.{name} has no docstring"


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'nonexistent'"):
        bm.nonexistent  # noqa: B018
