"""Pedigree drawing: structure checked through element ids (not pixels)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Circle, Polygon, Rectangle  # noqa: E402

from bigmed_utils.cardiac import draw_pedigree, pedigree_elements  # noqa: E402
from bigmed_utils.cardiac.pedigree import Pedigree  # noqa: E402
from bigmed_utils.cardiac.pedigree_plot import layout  # noqa: E402
from bigmed_utils.errors import ParameterError  # noqa: E402

from test_cardiac_cascade import F1, F2  # noqa: E402


def _by_gid(fig, prefix):
    ax = fig.axes[0]
    return [a for a in list(ax.patches) + list(ax.lines) + list(ax.texts)
            if (a.get_gid() or "").startswith(prefix)]


def test_symbols_carriers_deceased_and_proband_arrow():
    fig = draw_pedigree(F1, proband="PB", carriers=["PB", "FA", "SI2"], deceased=["GF"])
    counts = pedigree_elements(fig)
    assert counts["symbol"] == len(F1)
    assert counts["carrier"] == 3
    assert counts["deceased"] == 1
    assert counts["proband-arrow"] == 1
    # four couples with children -> four mating lines; every child hangs from a line of descent
    assert counts["mating"] == 4
    assert counts["descent"] == int(F1["paternal_id"].notna().sum())
    plt.close(fig)


def test_symbol_shapes_and_fill_follow_sex_and_affection():
    fig = draw_pedigree(F1, proband="PB")
    sym = {a.get_gid().split(":", 1)[1]: a for a in _by_gid(fig, "symbol:")}
    assert isinstance(sym["PB"], Rectangle) and isinstance(sym["MO"], Circle)
    assert sym["PB"].get_facecolor()[:3] == (0.0, 0.0, 0.0)    # affected: filled
    assert sym["MO"].get_facecolor()[:3] == (1.0, 1.0, 1.0)    # unaffected: open
    plt.close(fig)


def test_unknown_sex_is_a_diamond():
    import pandas as pd
    df = pd.DataFrame([{"family_id": "X", "individual_id": "U1", "paternal_id": None, "maternal_id": None,
                        "sex": 0, "phenotype": 1}])
    fig = draw_pedigree(df, proband=None)
    assert isinstance(_by_gid(fig, "symbol:U1")[0], Polygon)
    assert "proband-arrow" not in pedigree_elements(fig)
    plt.close(fig)


def test_generations_are_rows_and_partners_share_a_row():
    p = Pedigree.from_dataframe(F2)
    pos = layout(p)
    assert pos["G1"][1] == pos["G2"][1] > pos["DA"][1] == pos["MA"][1] == pos["AH"][1] > pos["PR"][1]
    xs = sorted(x for x, y in pos.values() if y == pos["PR"][1])
    assert all(b - a >= 1.0 for a, b in zip(xs, xs[1:]))  # no overlapping symbols


def test_draws_on_given_axes_and_unknown_proband_is_an_error():
    fig, ax = plt.subplots()
    assert draw_pedigree(F2, proband="PR", ax=ax) is fig
    with pytest.raises(ParameterError, match="proband 'NOPE' is not in the pedigree"):
        draw_pedigree(F2, proband="NOPE")
    plt.close("all")
