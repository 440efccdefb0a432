"""A validated, queryable pedigree built from the PED DataFrame of ``bigmed_utils.io.ped.read_ped``.

Columns: ``family_id, individual_id, paternal_id, maternal_id`` (None when missing), ``sex`` (1 male,
2 female, 0 unknown), ``phenotype`` (1 unaffected, 2 affected, 0 unknown). Used by the cascade, segregation
and drawing modules; it names the individual at fault when the pedigree is inconsistent.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Iterable

import pandas as pd

from ..errors import InputDataError, ParameterError

REQUIRED = ("family_id", "individual_id", "paternal_id", "maternal_id", "sex", "phenotype")
_MISSING_IDS = {"", "0", "-9", ".", "none", "nan", "na"}


def _clean_id(value) -> str | None:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    s = str(value).strip()
    return None if s.lower() in _MISSING_IDS else s


def _code(value, allowed: set[int], default: int = 0) -> int:
    try:
        v = int(float(value))
    except (TypeError, ValueError):
        return default
    return v if v in allowed else default


@dataclass
class Pedigree:
    """One family: parents, children, sex and affection status per individual."""

    family_id: str | None
    sex: dict[str, int]
    phenotype: dict[str, int]
    father: dict[str, str | None]
    mother: dict[str, str | None]
    order: list[str] = field(default_factory=list)
    children: dict[str, list[str]] = field(default_factory=dict)

    # -- construction --------------------------------------------------------------------------------
    @classmethod
    def from_dataframe(
        cls, ped: pd.DataFrame, *, family_id: str | None = None, source: str = "pedigree"
    ) -> "Pedigree":
        """Validate ``ped`` and build the pedigree (of ``family_id`` when the table holds several families).

        Raises
        ------
        InputDataError
            Missing columns, duplicate individuals, a parent id without its own row, a father coded female
            (or a mother coded male), or a loop in the ancestry (someone their own ancestor); the message
            names the individual.
        """
        if not isinstance(ped, pd.DataFrame):
            raise ParameterError(f"{source}: expected a pandas DataFrame, got {type(ped).__name__}")
        missing = [c for c in REQUIRED if c not in ped.columns]
        if missing:
            raise InputDataError(f"{source}: missing column(s) {missing}")
        df = ped
        fams = sorted({str(f) for f in df["family_id"].dropna()})
        if family_id is not None:
            df = df[df["family_id"].astype(str) == str(family_id)]
            if df.empty:
                raise InputDataError(f"{source}: no rows for family {family_id!r} (families: {fams})")
        elif len(fams) > 1:
            raise ParameterError(f"{source}: {len(fams)} families {fams}; pass family_id")
        fam = str(family_id) if family_id is not None else (fams[0] if fams else None)

        sex: dict[str, int] = {}
        phen: dict[str, int] = {}
        father: dict[str, str | None] = {}
        mother: dict[str, str | None] = {}
        order: list[str] = []
        for rec in df.to_dict(orient="records"):
            iid = _clean_id(rec["individual_id"])
            if iid is None:
                raise InputDataError(f"{source}: a row of family {fam!r} has no individual_id")
            if iid in sex:
                raise InputDataError(f"{source}: individual {iid!r} appears more than once")
            order.append(iid)
            sex[iid] = _code(rec["sex"], {0, 1, 2})
            phen[iid] = _code(rec["phenotype"], {0, 1, 2})
            father[iid] = _clean_id(rec["paternal_id"])
            mother[iid] = _clean_id(rec["maternal_id"])
        for iid in order:
            for role, parent, wrong_sex in (("father", father[iid], 2), ("mother", mother[iid], 1)):
                if parent is None:
                    continue
                if parent not in sex:
                    raise InputDataError(
                        f"{source}: {role} {parent!r} of individual {iid!r} has no row in the pedigree"
                    )
                if parent == iid:
                    raise InputDataError(f"{source}: individual {iid!r} is listed as their own {role} (loop)")
                if sex[parent] == wrong_sex:
                    raise InputDataError(
                        f"{source}: {role} {parent!r} of individual {iid!r} is coded "
                        f"{'female' if wrong_sex == 2 else 'male'}"
                    )
        children: dict[str, list[str]] = {i: [] for i in order}
        for iid in order:
            for parent in (father[iid], mother[iid]):
                if parent is not None:
                    children[parent].append(iid)
        ped_obj = cls(fam, sex, phen, father, mother, order, children)
        ped_obj._check_loops(source)
        return ped_obj

    def _check_loops(self, source: str) -> None:
        # depth-first search over parent links; a back edge means someone is their own ancestor
        state: dict[str, int] = {}  # 1 = on stack, 2 = done
        for start in self.order:
            if state.get(start) == 2:
                continue
            stack = [(start, iter(self.parents(start)))]
            state[start] = 1
            while stack:
                node, it = stack[-1]
                nxt = next(it, None)
                if nxt is None:
                    state[node] = 2
                    stack.pop()
                    continue
                if state.get(nxt) == 1:
                    raise InputDataError(
                        f"{source}: loop in the ancestry: individual {nxt!r} is their own ancestor"
                    )
                if state.get(nxt) is None:
                    state[nxt] = 1
                    stack.append((nxt, iter(self.parents(nxt))))

    # -- basic queries -------------------------------------------------------------------------------
    def __contains__(self, iid: object) -> bool:
        return iid in self.sex

    def require(self, iid: str, what: str = "individual") -> str:
        key = _clean_id(iid)
        if key is None or key not in self.sex:
            raise ParameterError(f"{what} {iid!r} is not in the pedigree of family {self.family_id!r}")
        return key

    def parents(self, iid: str) -> list[str]:
        return [p for p in (self.father[iid], self.mother[iid]) if p is not None]

    def siblings(self, iid: str, *, include_half: bool = True) -> list[str]:
        out = []
        mine = set(self.parents(iid))
        if not mine:
            return out
        for other in self.order:
            if other == iid:
                continue
            theirs = set(self.parents(other))
            shared = mine & theirs
            if not shared:
                continue
            if include_half or (shared == mine and len(mine) == 2 and theirs == mine):
                out.append(other)
        return out

    def is_full_sibling(self, a: str, b: str) -> bool:
        pa, pb = set(self.parents(a)), set(self.parents(b))
        return len(pa) == 2 and pa == pb

    def first_degree(self, iid: str) -> list[str]:
        """Parents, full siblings and children (in that order)."""
        out = list(self.parents(iid))
        out += [s for s in self.siblings(iid) if self.is_full_sibling(iid, s)]
        out += list(self.children.get(iid, []))
        return list(dict.fromkeys(out))

    def partners(self, iid: str) -> list[str]:
        out = []
        for child in self.children.get(iid, []):
            for p in self.parents(child):
                if p != iid and p not in out:
                    out.append(p)
        return out

    def ancestors(self, iid: str) -> dict[str, int]:
        """Ancestors with their generation distance (self at 0); the shortest distance when several."""
        dist = {iid: 0}
        queue = deque([iid])
        while queue:
            node = queue.popleft()
            for p in self.parents(node):
                if p not in dist:
                    dist[p] = dist[node] + 1
                    queue.append(p)
        return dist

    def descendants(self, iid: str) -> set[str]:
        out: set[str] = set()
        queue = deque(self.children.get(iid, []))
        while queue:
            node = queue.popleft()
            if node not in out:
                out.add(node)
                queue.extend(self.children.get(node, []))
        return out

    def is_blood_relative(self, a: str, b: str) -> bool:
        return bool(set(self.ancestors(a)) & set(self.ancestors(b)))

    def generation(self) -> dict[str, int]:
        """Depth of each individual (founders 0, child = 1 + deepest parent); married-in founders take their
        partner's depth so that couples are drawn on one row."""
        depth: dict[str, int] = {}

        def d(i: str) -> int:
            if i not in depth:
                ps = self.parents(i)
                depth[i] = 0 if not ps else 1 + max(d(p) for p in ps)
            return depth[i]

        for i in self.order:
            d(i)
        changed = True
        while changed:
            changed = False
            for i in self.order:
                if self.parents(i):
                    continue
                for partner in self.partners(i):
                    if depth[partner] > depth[i]:
                        depth[i] = depth[partner]
                        changed = True
            for i in self.order:  # keep children below their (possibly moved) parents
                ps = self.parents(i)
                if ps:
                    want = 1 + max(depth[p] for p in ps)
                    if depth[i] < want:
                        depth[i] = want
                        changed = True
        return depth

    # -- relationships -------------------------------------------------------------------------------
    def relationship(self, proband: str, relative: str) -> tuple[str, int | None]:
        """``(relation, degree)`` of ``relative`` seen from ``proband`` (e.g. ``('paternal aunt', 2)``).

        Degree: parents/children/full siblings 1; grandparents, aunts/uncles, nephews/nieces,
        half-siblings, grandchildren 2; first cousins, great-grandparents 3 ... ``None`` for partners and
        in-laws (not blood relatives).
        """
        if proband == relative:
            return "proband", 0
        anc_p, anc_r = self.ancestors(proband), self.ancestors(relative)
        common = set(anc_p) & set(anc_r)
        sex = self.sex.get(relative, 0)
        if not common:
            if relative in self.partners(proband):
                return "partner", None
            for blood in self.partners(relative):
                if self.is_blood_relative(proband, blood):
                    rel, _ = self.relationship(proband, blood)
                    return f"partner of {rel} ({blood})", None
            return "unrelated", None
        best = min(anc_p[c] + anc_r[c] for c in common)
        tops = [c for c in common if anc_p[c] + anc_r[c] == best]
        a, b = anc_p[tops[0]], anc_r[tops[0]]
        side = self._side(proband, tops, a) if a >= 2 else ""
        gendered = lambda m, f, n: m if sex == 1 else f if sex == 2 else n  # noqa: E731
        if a == 0:  # relative descends from the proband
            names = {1: gendered("son", "daughter", "child"), 2: gendered("grandson", "granddaughter", "grandchild")}
            name = names.get(b, "great-" * (b - 2) + gendered("grandson", "granddaughter", "grandchild"))
            return name, b
        if b == 0:  # relative is an ancestor
            names = {1: gendered("father", "mother", "parent"), 2: gendered("grandfather", "grandmother", "grandparent")}
            name = names.get(a, "great-" * (a - 2) + gendered("grandfather", "grandmother", "grandparent"))
            return (f"{side} {name}".strip(), a)
        full = len(tops) >= 2  # both members of the ancestral couple are shared
        degree = a + b - 1 if full else a + b
        half = "" if full else "half-"
        if a == 1 and b == 1:
            name = gendered("brother", "sister", "sibling")
        elif a == 2 and b == 1:
            name = gendered("uncle", "aunt", "aunt/uncle")
        elif a == 1 and b == 2:
            name = gendered("nephew", "niece", "nephew/niece")
        elif a == 3 and b == 1:
            name = "great-" + gendered("uncle", "aunt", "aunt/uncle")
        elif a == 1 and b == 3:
            name = "grand" + gendered("nephew", "niece", "nephew/niece")
        else:
            k = min(a, b) - 1
            removed = abs(a - b)
            ordinal = {1: "first", 2: "second", 3: "third"}.get(k, f"{k}th")
            name = f"{ordinal} cousin" + (f" {removed}x removed" if removed else "")
            if removed == 1:
                name = f"{ordinal} cousin once removed"
            elif removed == 2:
                name = f"{ordinal} cousin twice removed"
        return (f"{side} {half}{name}".strip(), degree)

    def _side(self, proband: str, tops: list[str], a: int) -> str:
        for label, parent in (("paternal", self.father[proband]), ("maternal", self.mother[proband])):
            if parent is None:
                continue
            anc = self.ancestors(parent)
            if any(anc.get(t) == a - 1 for t in tops):
                return label
        return ""

    # -- graph helpers -------------------------------------------------------------------------------
    def neighbours(self, iid: str) -> list[str]:
        """Parents and children: the undirected edges (meioses) of the pedigree graph."""
        return self.parents(iid) + list(self.children.get(iid, []))

    def shortest_path(self, sources: Iterable[str], target: str) -> list[str] | None:
        """Shortest parent/child path from any of ``sources`` to ``target`` (inclusive), or None."""
        sources = list(sources)
        prev: dict[str, str | None] = {s: None for s in sources}
        queue = deque(sources)
        while queue:
            node = queue.popleft()
            if node == target:
                path = [node]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return path[::-1]
            for nb in self.neighbours(node):
                if nb not in prev:
                    prev[nb] = node
                    queue.append(nb)
        return None


def pedigree_from(ped: "pd.DataFrame | Pedigree", *, family_id: str | None = None) -> Pedigree:
    """A :class:`Pedigree` from a PED DataFrame (validated) or an existing Pedigree."""
    if isinstance(ped, Pedigree):
        return ped
    return Pedigree.from_dataframe(ped, family_id=family_id)


def validate_pedigree(ped: pd.DataFrame, *, family_id: str | None = None, source: str = "pedigree") -> Pedigree:
    """Validate a PED DataFrame (see :meth:`Pedigree.from_dataframe`) and return the :class:`Pedigree`."""
    return Pedigree.from_dataframe(ped, family_id=family_id, source=source)


__all__ = ["Pedigree", "pedigree_from", "validate_pedigree"]
