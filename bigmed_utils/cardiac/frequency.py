"""Population allele frequency for the cardiac analysis: which frequency a variant is judged on, and the
maximum credible allele frequency test of Whiffin et al. in its filtering-AF and allele-count forms.

Whiffin N, Minikel E, Walsh R et al. Using high-resolution variant frequencies to empower clinical genome
interpretation. Genet Med 2017;19:1151-1158. A variant is too common to cause a condition when its
**filtering allele frequency** (FAF: the lower bound of the one-sided 95 % confidence interval of the allele
frequency, in the genetic ancestry group where it is highest) exceeds the condition's maximum credible
population allele frequency. The same test in allele counts: the variant is too common when its allele count
AC exceeds the *maximum tolerated allele count*, the 95th percentile of a Poisson with mean
AN × maximum credible AF (:func:`~bigmed_utils.cardiac.panels.max_tolerated_ac`). gnomAD computes the FAF the
same way and only over groups without a population bottleneck (gnomAD help, "Filtering allele frequency":
the Amish, Ashkenazi Jewish, Finnish and "Remaining" groups are excluded; Karczewski KJ et al. Nature
2020;581:434 for the v2 "popmax" definition, which also excludes them).

What the VCF may carry, and how each is used (:func:`assess_frequency`)

1. a gnomAD FAF field (``faf95``, ``faf95_max``, ``fafmax_faf95_max``, ``faf95_popmax``, per group): the
   largest FAF of a non-bottlenecked group (or the group maximum) is compared with the ceiling;
2. gnomAD allele counts and numbers per group (``AC_nfe``/``AN_nfe``, ``gnomADe_NFE_AC`` ...): the
   allele-count test per group (any group over its maximum tolerated AC: too common); the FAF is computed
   from AC and AN for the table;
3. only raw allele frequencies (what ``vep --af_gnomade`` writes): the FAF cannot be computed without the
   allele number. Whatever the allele number, the FAF of an allele seen AC >= 1 times at frequency p is at
   least p × (−ln 0.95) (the FAF of a single allele), so the variant is removed only when even that lower
   bound exceeds the ceiling. A raw frequency above the ceiling but below that bound is kept and flagged
   *frequency indeterminate*: a variant seen once in a large group must never be lost because only its raw
   frequency is known;
4. absent from every population field: rare (novel or unannotated).

Never used for the decision: bottlenecked or small groups (Amish, Ashkenazi Jewish, Finnish, Middle
Eastern, "other"/"remaining"), gnomAD subsets and sub-populations, sex-specific fields, and 1000 Genomes
or ESP fields (a few hundred to a few thousand alleles per population: one allele is already above every
cardiac ceiling). VEP's ``MAX_AF`` (the maximum over all of these) is used only when the VCF has no gnomAD
field at all, and the table says so.

Research use only; not a medical device.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Mapping

from ..errors import ParameterError
from .panels import max_tolerated_ac

#: one-sided confidence of the FAF and of the maximum tolerated allele count (Whiffin et al. 2017; gnomAD faf95)
CONFIDENCE = 0.95

#: gnomAD genetic ancestry groups without a population bottleneck: the FAF / popmax / grpmax groups
#: (gnomAD v2: afr, amr, eas, nfe, sas; Karczewski et al. 2020). gnomAD v4 exome FAF also includes ``mid``,
#: but its genome FAF does not (small group): it is left out here, a conservative choice (fewer removals).
NON_BOTTLENECKED_GROUPS = frozenset({"afr", "amr", "eas", "nfe", "sas"})
#: groups never used for the decision (bottlenecked or small), named so the table can say why
EXCLUDED_GROUPS = frozenset({"ami", "asj", "fin", "mid", "oth", "remaining", "rmi"})
#: fields that already hold the maximum over the non-bottlenecked groups
MAX_GROUPS = frozenset({"popmax", "grpmax", "max"})

#: tokens naming the gnomAD data set inside a field name (``gnomAD_exomes_NFE_AC``, ``gnomADg_AF``)
_DATASET_TOKENS = frozenset({"exomes", "exome", "genomes", "genome", "joint"})
_MEASURE_TOKENS = {"af": "af", "ac": "ac", "an": "an", "faf95": "faf95"}
_SOURCE_RE = re.compile(r"^(gnomad|exac)([a-z0-9.]*)$")

#: lowest possible FAF of a variant observed at raw frequency p, over every allele number: a single allele,
#: FAF = −ln(CONFIDENCE) / AN = p × −ln(CONFIDENCE) (the Poisson lower bound for AC = 1)
SINGLE_ALLELE_FAF_FACTOR = -math.log(CONFIDENCE)


@dataclass(frozen=True)
class FrequencyField:
    """One population-frequency field of the VCF: ``source`` (e.g. ``gnomade``, ``gnomad_exomes``),
    ``group`` (``nfe``, ``max`` ... or ``None`` for the whole data set) and ``measure``
    (``af``, ``ac``, ``an``, ``faf95``)."""

    name: str
    source: str
    group: str | None
    measure: str

    @property
    def eligible(self) -> bool:
        """True for the groups the decision may use (non-bottlenecked, group maximum, or whole data set)."""
        return self.group is None or self.group in NON_BOTTLENECKED_GROUPS or self.group in MAX_GROUPS

    @property
    def label(self) -> str:
        group = "all groups" if self.group is None else self.group.upper() if self.group not in MAX_GROUPS \
            else "group maximum"
        return f"{self.name} ({group})"


def parse_frequency_field(name: str) -> FrequencyField | None:
    """The :class:`FrequencyField` a VCF INFO or CSQ field name stands for, or ``None`` when the field is not
    a gnomAD/ExAC frequency the cardiac filter uses.

    Examples: ``gnomADe_NFE_AF`` (VEP), ``gnomAD_exomes_NFE_AC`` (dbNSFP), ``gnomad_popmax_af`` (slivar),
    ``GNOMADAF_popmax`` (Scout), ``gnomADe_faf95_max`` / ``gnomADe_fafmax_faf95_max`` (VEP ``--custom``
    with gnomAD v4). Sub-populations (``nfe_bgr``), subsets (``non_cancer``, ``controls``), sex-specific
    fields (``XX``/``XY``) and FAF99 are not used.
    """
    tokens = [t for t in str(name).strip().lower().split("_") if t]
    if not tokens:
        return None
    m = _SOURCE_RE.match(tokens[0])
    if m is None:
        return None
    head, measure = tokens[0], None
    if m.group(2) == "af":  # Scout's GNOMADAF / GNOMADAF_popmax: the measure glued to the source name
        head, measure = m.group(1), "af"
    source_parts = [head]
    group: str | None = None
    for t in tokens[1:]:
        if t in _DATASET_TOKENS:
            source_parts.append(t)
        elif t in _MEASURE_TOKENS:
            if measure is not None:
                return None
            measure = _MEASURE_TOKENS[t]
        elif t == "fafmax" or t in MAX_GROUPS:
            if group not in (None, "max"):
                return None
            group = "max"
        elif t in NON_BOTTLENECKED_GROUPS or t in EXCLUDED_GROUPS:
            if group is not None:
                return None  # two group tokens: a sub-population such as nfe_onf
            group = t
        else:
            return None  # subsets, sub-populations, sex, faf99, hom counts, strings (..._gen_anc)
    if measure is None:
        return None
    return FrequencyField(name=str(name), source="_".join(source_parts), group=group, measure=measure)


def frequency_fields(names: Iterable[str]) -> list[FrequencyField]:
    """The frequency fields among ``names`` (CSQ or INFO field names), in their order."""
    out = []
    for n in names:
        f = parse_frequency_field(n)
        if f is not None:
            out.append(f)
    return out


def filtering_af(ac: float, an: float, *, confidence: float = CONFIDENCE) -> float:
    """The filtering allele frequency from an allele count and number: the largest AF at which observing
    ``ac`` or more alleles in ``an`` has probability at most 1 − ``confidence`` (Poisson), i.e. the lower
    bound of the one-sided ``confidence`` interval of the AF (Whiffin et al. 2017; gnomAD ``faf95``;
    ``hail.experimental.filtering_allele_frequency``). ``0`` when ``ac`` is 0.

    For one allele the bound is ``−ln(confidence) / an`` (0.0513 / AN at 95 %).
    """
    from scipy.stats import gamma

    if not 0 < confidence < 1:
        raise ParameterError(f"confidence: must be in (0, 1), got {confidence!r}")
    if an is None or not an > 0:
        raise ParameterError(f"allele number: must be positive, got {an!r}")
    if ac is None or ac < 0:
        raise ParameterError(f"allele count: must be >= 0, got {ac!r}")
    if ac == 0:
        return 0.0
    # P(X >= k | lambda) = P(Gamma(k, 1) <= lambda): the bound is the (1 - confidence) quantile of Gamma(k)
    return float(gamma.ppf(1.0 - confidence, float(ac)) / float(an))


@dataclass
class FrequencyEvidence:
    """The frequency judgement of one variant for one condition (a row of the report's frequency columns).

    ``basis`` is ``'faf95'``, ``'allele_count'``, ``'raw_af'``, ``'vep_max_af'`` or ``'absent'``;
    ``filtering_af`` the FAF used (None when it cannot be known); ``raw_af`` the largest raw frequency of an
    eligible group (what PM2 sees); ``too_common`` True when the variant is removed; ``indeterminate``
    True when only a raw frequency above the ceiling is known; ``reason`` one sentence for the report.
    """

    ceiling: float
    basis: str
    filtering_af: float | None = None
    raw_af: float | None = None
    source_field: str | None = None
    ac: int | None = None
    an: int | None = None
    max_tolerated_ac: int | None = None
    too_common: bool = False
    indeterminate: bool = False
    reason: str = ""
    ignored: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _num(v: Any) -> float | None:
    if v is None:
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    if math.isnan(x) or x < 0:
        return None
    return x


def _fmt(x: float) -> str:
    return f"{x:.2g}" if x >= 1e-3 else f"{x:.1e}"


def assess_frequency(
    values: Mapping[str, Any],
    *,
    ceiling: float,
    condition_label: str = "the condition",
    confidence: float = CONFIDENCE,
) -> FrequencyEvidence:
    """Judge one variant's population frequency against a maximum credible allele frequency.

    Parameters
    ----------
    values
        Field name -> value for the variant's frequency fields (CSQ and INFO, see
        :func:`parse_frequency_field`; other names are ignored). Missing values may be ``None`` or NaN.
    ceiling
        The condition's maximum credible population allele frequency
        (:func:`~bigmed_utils.cardiac.panels.max_credible_af`).
    condition_label
        Named in the reason.

    Returns
    -------
    FrequencyEvidence
        See the module docstring for the order FAF > allele counts > raw AF > VEP MAX_AF > absent.
    """
    if not (isinstance(ceiling, (int, float)) and 0 < ceiling < 1):
        raise ParameterError(f"ceiling: must be a frequency in (0, 1), got {ceiling!r}")
    declared = frequency_fields(values)
    present = [(f, v) for f, v in ((f, _num(values.get(f.name))) for f in declared) if v is not None]
    ignored = sorted({f.label for f, v in present if not f.eligible and v > 0})
    eligible = [(f, v) for f, v in present if f.eligible]
    cl = f"maximum credible AF {_fmt(ceiling)} for {condition_label} (Whiffin et al. 2017)"

    raw_cands = _preferred(eligible, "af")
    raw = max(raw_cands, key=lambda fv: fv[1]) if raw_cands else None
    raw_af = raw[1] if raw else None
    ev = FrequencyEvidence(ceiling=float(ceiling), basis="absent", raw_af=raw_af, ignored=ignored)

    # 1. gnomAD FAF
    fafs = _preferred(eligible, "faf95")
    if fafs:
        f, v = max(fafs, key=lambda fv: fv[1])
        ev.basis, ev.filtering_af, ev.source_field = "faf95", v, f.name
        ev.too_common = v > ceiling
        ev.reason = (f"FAF95 {_fmt(v)} ({f.label}) {'>' if ev.too_common else '<='} {cl}")
        return ev

    # 2. allele counts: the allele-count form of the test, per data set and group
    pairs = []
    for f, ac in _preferred(eligible, "ac"):
        an = next((v for g, v in eligible if g.measure == "an" and g.source == f.source and g.group == f.group), None)
        if an and an > 0:
            pairs.append((f, int(round(ac)), int(round(an))))
    if pairs:
        rows = []
        for f, ac, an in pairs:
            tol = max_tolerated_ac(ceiling, allele_number=an, confidence=confidence)
            rows.append((f, ac, an, tol, filtering_af(ac, an, confidence=confidence)))
        worst = max(rows, key=lambda r: (r[1] > r[3], r[4]))
        f, ac, an, tol, faf = worst
        ev.basis, ev.filtering_af, ev.source_field = "allele_count", faf, f.name
        ev.ac, ev.an, ev.max_tolerated_ac = ac, an, tol
        if ev.raw_af is None:
            ev.raw_af = max(r[1] / r[2] for r in rows)
        ev.too_common = ac > tol
        group = "all groups" if f.group is None else ("group maximum" if f.group in MAX_GROUPS else f.group.upper())
        ev.reason = (f"allele count {ac} of {an:,} ({f.source}, {group}) "
                     f"{'exceeds' if ev.too_common else 'within'} the maximum tolerated {tol} "
                     f"(Poisson {confidence:.0%} bound at the {cl}); FAF95 {_fmt(faf)}")
        return ev

    # 3. raw allele frequencies only (no allele number): remove only when even one allele would be too many
    fallback = False
    if raw is None and not declared:  # VEP's MAX_AF only when the VCF has no gnomAD/ExAC field at all
        vep = _vep_max_af(values)
        if vep is not None:
            raw, raw_af, fallback = ("MAX_AF", vep), vep, True
            ev.raw_af = raw_af
    if raw is not None:
        name = raw[0].label if isinstance(raw[0], FrequencyField) else "VEP MAX_AF (every population, including "\
            "bottlenecked and small ones)"
        ev.basis = "vep_max_af" if fallback else "raw_af"
        ev.source_field = raw[0].name if isinstance(raw[0], FrequencyField) else "MAX_AF"
        lower = raw_af * SINGLE_ALLELE_FAF_FACTOR
        if lower > ceiling:
            ev.too_common = True
            ev.reason = (f"raw AF {_fmt(raw_af)} ({name}; no allele counts or FAF in the VCF): even a single "
                         f"observed allele would give a FAF95 of at least {_fmt(lower)} > {cl}")
        elif raw_af > ceiling:
            ev.indeterminate = True
            ev.reason = (f"frequency indeterminate: raw AF {_fmt(raw_af)} ({name}) is above the {cl}, but "
                         "without allele counts the FAF95 cannot be computed (it may be below the ceiling, e.g. "
                         "a single allele in a large group); kept, no BS1. Annotate gnomAD FAF95 or AC/AN to "
                         "apply the filter fully")
        else:
            ev.reason = f"raw AF {_fmt(raw_af)} ({name}) <= {cl}"
        return ev

    ev.reason = "absent from the population databases annotated in the VCF"
    if ignored:
        ev.reason = ("seen only in groups the filter does not use (bottlenecked or small: "
                     f"{', '.join(ignored)}); treated as absent from the eligible groups")
    return ev


def _preferred(eligible: list[tuple[FrequencyField, float]], measure: str) -> list[tuple[FrequencyField, float]]:
    """Values of ``measure`` per data set: its genetic ancestry groups (and group maximum) when the VCF gives
    them, else its whole-data-set value (which also counts the bottlenecked groups)."""
    out: list[tuple[FrequencyField, float]] = []
    for src in dict.fromkeys(f.source for f, _ in eligible):
        vals = [(f, v) for f, v in eligible if f.source == src and f.measure == measure]
        grouped = [(f, v) for f, v in vals if f.group is not None]
        out += grouped if grouped else vals
    return out


def _vep_max_af(values: Mapping[str, Any]) -> float | None:
    """VEP's MAX_AF, used only when no gnomAD/ExAC field is present."""
    for k, v in values.items():
        if str(k).lower() == "max_af":
            return _num(v)
    return None


def is_frequency_field_name(name: str) -> bool:
    """True for the names :func:`assess_frequency` reads (gnomAD/ExAC fields and VEP ``MAX_AF``)."""
    return str(name).lower() == "max_af" or parse_frequency_field(name) is not None


__all__ = [
    "CONFIDENCE",
    "NON_BOTTLENECKED_GROUPS",
    "EXCLUDED_GROUPS",
    "SINGLE_ALLELE_FAF_FACTOR",
    "FrequencyField",
    "FrequencyEvidence",
    "parse_frequency_field",
    "frequency_fields",
    "filtering_af",
    "assess_frequency",
    "is_frequency_field_name",
]
