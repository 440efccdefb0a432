"""Pedigree drawing with the standard symbols (Bennett RL et al. Standardized human pedigree nomenclature:
update and assessment of the recommendations of the NSGC. J Genet Couns 2008;17:424-433; 2022 update
J Genet Couns 2022;31:1238-1248): square male, circle female, diamond sex unknown, filled affected, central
dot carrier (unaffected heterozygote), diagonal slash deceased, arrow for the proband.

Every drawn element carries a ``gid`` (``symbol:<id>``, ``carrier:<id>``, ``deceased:<id>``,
``mating:<a>|<b>``, ``sibship:<a>|<b>``, ``descent:<id>``, ``proband-arrow``) so tests and reports can check
the structure without looking at pixels.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import pandas as pd

from .pedigree import Pedigree, pedigree_from

SYMBOL = 0.6        # symbol width in data units
COL_SPACING = 1.2   # minimal horizontal distance between neighbours
ROW_SPACING = 2.2   # vertical distance between generations
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]


def layout(p: Pedigree) -> dict[str, tuple[float, float]]:
    """(x, y) of every individual: generations as rows, partners side by side, sibships under their parents."""
    gen = p.generation()
    rows: dict[int, list[str]] = {}
    for i in p.order:
        rows.setdefault(gen[i], []).append(i)
    pos: dict[str, tuple[float, float]] = {}
    for g in sorted(rows):
        y = -g * ROW_SPACING
        members = rows[g]
        placed: list[str] = []
        blood = [i for i in members if p.parents(i)]
        married_in = [i for i in members if not p.parents(i)]

        def parent_mid(i: str) -> float:
            xs = [pos[q][0] for q in p.parents(i) if q in pos]
            return sum(xs) / len(xs) if xs else 0.0

        if g == min(rows):
            order = []
            for i in members:
                if i in order:
                    continue
                order.append(i)
                order += [q for q in p.partners(i) if q in members and q not in order]
            x = 0.0
            for i in order:
                pos[i] = (x, y)
                x += COL_SPACING * 1.5
            continue
        # group children by parental couple, ordered by the couple's x
        groups: dict[tuple, list[str]] = {}
        for i in blood:
            groups.setdefault(tuple(sorted(p.parents(i))), []).append(i)
        last_x = None
        for key in sorted(groups, key=lambda k: parent_mid(groups[k][0])):
            kids = groups[key]
            # a child's married-in partner is drawn next to them, so reserve room
            width = sum(1 + len([q for q in p.partners(k) if q in married_in]) for k in kids)
            start = parent_mid(kids[0]) - (width - 1) * COL_SPACING / 2
            x = start if last_x is None else max(start, last_x + COL_SPACING)
            for k in kids:
                pos[k] = (x, y)
                placed.append(k)
                last_x = x
                for q in p.partners(k):
                    if q in married_in and q not in pos:
                        x += COL_SPACING
                        pos[q] = (x, y)
                        placed.append(q)
                        last_x = x
                x += COL_SPACING
        for i in members:  # anyone left (e.g. isolated founders) goes to the right
            if i not in pos:
                x = (last_x + COL_SPACING) if last_x is not None else 0.0
                pos[i] = (x, y)
                last_x = x
    return pos


def draw_pedigree(
    ped_df: pd.DataFrame | Pedigree,
    *,
    proband: str | None,
    carriers: Iterable[str] = (),
    deceased: Iterable[str] = (),
    ax: Any = None,
    family_id: str | None = None,
    labels: bool | Mapping[str, str] = True,
    title: str | None = None,
):
    """Draw a pedigree with standard symbols and return the matplotlib Figure.

    Parameters
    ----------
    ped_df
        PED DataFrame (``read_ped`` columns) or a :class:`~bigmed_utils.cardiac.pedigree.Pedigree`.
    proband
        Id of the proband (arrow); ``None`` for no arrow.
    carriers
        Ids of variant carriers (central dot: black in an open symbol, white in a filled one).
    deceased
        Ids of deceased individuals (diagonal slash).
    ax
        Axes to draw on; a new figure when ``None``.
    labels
        Write each individual's id under the symbol (``True``), nothing (``False``), or the label given by a
        mapping id -> label (e.g. pseudonyms; ids not in the mapping are written as they are).
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle, Polygon, Rectangle

    p = pedigree_from(ped_df, family_id=family_id)
    carriers = {p.require(str(c), "carrier") for c in carriers}
    deceased = {p.require(str(d), "deceased") for d in deceased}
    prob = p.require(proband, "proband") if proband is not None else None
    pos = layout(p)
    if ax is None:
        n_cols = max(1, len({round(x, 3) for x, _ in pos.values()}))
        n_rows = max(1, len({y for _, y in pos.values()}))
        fig, ax = plt.subplots(figsize=(max(4.0, 0.9 * n_cols + 1), max(3.0, 1.6 * n_rows + 0.5)))
    else:
        fig = ax.figure
    h = SYMBOL / 2

    def line(xs, ys, gid, **kw):
        ln = Line2D(xs, ys, color="black", linewidth=1.2, **kw)
        ln.set_gid(gid)
        ax.add_line(ln)
        return ln

    # mating lines and lines of descent
    couples: dict[tuple[str, ...], list[str]] = {}
    for i in p.order:
        ps = p.parents(i)
        if ps:
            couples.setdefault(tuple(sorted(ps)), []).append(i)
    for couple, kids in couples.items():
        if len(couple) == 2:
            (x1, y1), (x2, y2) = pos[couple[0]], pos[couple[1]]
            left, right = sorted([(x1, y1), (x2, y2)])
            line([left[0] + h, right[0] - h], [left[1], right[1]], f"mating:{couple[0]}|{couple[1]}")
            top_x, top_y = (x1 + x2) / 2, y1
        else:
            top_x, top_y = pos[couple[0]][0], pos[couple[0]][1] - h
        child_y = min(pos[k][1] for k in kids)
        bar_y = child_y + h + 0.45
        xs = [pos[k][0] for k in kids]
        line([top_x, top_x], [top_y, bar_y], f"sibship:{'|'.join(couple)}")
        line([min(xs + [top_x]), max(xs + [top_x])], [bar_y, bar_y], f"sibship:{'|'.join(couple)}")
        for k in kids:
            line([pos[k][0], pos[k][0]], [bar_y, pos[k][1] + h], f"descent:{k}")

    for i in p.order:
        x, y = pos[i]
        affected = p.phenotype[i] == 2
        face = "black" if affected else "white"
        if p.sex[i] == 1:
            sym = Rectangle((x - h, y - h), SYMBOL, SYMBOL, facecolor=face, edgecolor="black", linewidth=1.2)
        elif p.sex[i] == 2:
            sym = Circle((x, y), h, facecolor=face, edgecolor="black", linewidth=1.2)
        else:
            sym = Polygon([(x, y + h * 1.2), (x + h * 1.2, y), (x, y - h * 1.2), (x - h * 1.2, y)],
                          closed=True, facecolor=face, edgecolor="black", linewidth=1.2)
        sym.set_gid(f"symbol:{i}")
        ax.add_patch(sym)
        if p.phenotype[i] == 0:
            ax.text(x, y, "?", ha="center", va="center", fontsize=9)
        if i in carriers:
            dot = Circle((x, y), SYMBOL / 8, facecolor="white" if affected else "black", edgecolor="none")
            dot.set_gid(f"carrier:{i}")
            ax.add_patch(dot)
        if i in deceased:
            line([x - h * 1.4, x + h * 1.4], [y - h * 1.4, y + h * 1.4], f"deceased:{i}")
        if labels:
            text = labels.get(i, i) if isinstance(labels, Mapping) else i
            ax.text(x, y - h - 0.25, text, ha="center", va="top", fontsize=7)
    if prob is not None:
        x, y = pos[prob]
        arrow = ax.annotate("", xy=(x - h * 1.05, y - h * 1.05), xytext=(x - h * 2.6, y - h * 2.6),
                            arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.5})
        arrow.set_gid("proband-arrow")
        ax.text(x - h * 2.8, y - h * 2.8, "P", ha="right", va="top", fontsize=8, fontweight="bold")
    ys = sorted({y for _, y in pos.values()}, reverse=True)
    xmin = min(x for x, _ in pos.values()) - 1.6
    xmax = max(x for x, _ in pos.values()) + 1.0
    for k, y in enumerate(ys):
        ax.text(xmin + 0.2, y, ROMAN[k] if k < len(ROMAN) else str(k + 1), ha="left", va="center",
                fontsize=9, fontweight="bold")
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(min(ys) - 1.2, max(ys) + 0.8)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title or (f"Family {p.family_id}" if p.family_id else "Pedigree"))
    return fig


def pedigree_elements(fig_or_ax: Any) -> dict[str, int]:
    """Count of drawn elements per kind (``symbol``, ``carrier``, ``deceased``, ``mating``, ``sibship``,
    ``descent``, ``proband-arrow``) found by their gids — for tests and report checks."""
    from matplotlib.figure import Figure

    axes = fig_or_ax.axes if isinstance(fig_or_ax, Figure) else [fig_or_ax]
    counts: dict[str, int] = {}
    for ax in axes:
        for artist in list(ax.patches) + list(ax.lines) + list(ax.texts):
            gid = artist.get_gid()
            if gid:
                kind = gid.split(":", 1)[0]
                counts[kind] = counts.get(kind, 0) + 1
    return counts


__all__ = ["draw_pedigree", "layout", "pedigree_elements"]
