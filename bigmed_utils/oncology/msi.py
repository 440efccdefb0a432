"""Microsatellite instability (MSI), mismatch-repair (MMR) status, hypermutation and POLE flags.

MSI from a tool's score with the cut-offs published for that tool (:data:`MSI_ASSAYS`; ``assay=`` picks one):

* ``tumor_normal``: MSIsensor on a tumour-normal pair of a large targeted panel (MSK-IMPACT; Middha et al.,
  JCO Precis Oncol 2017;1:PO.17.00084): MSI-H at a score ``>= 10``, MSS ``< 3``, and ``3 <= score < 10``
  **indeterminate** ("slightly elevated"; 96.6 % of them were MSS by MSI-PCR). 99.4 % concordance with
  MSI-PCR/MMR IHC in colorectal and endometrial cancer.
* ``msisensor_exome``: MSIsensor on tumour-normal exomes (Niu et al., Bioinformatics 2014;30:1015-6: 70 of 71
  MSI exomes scored > 3.5 and 165 of 168 MSS exomes < 3.5): MSI-H at ``>= 3.5``; no indeterminate band published.
* ``tumor_only``: MSIsensor2 (https://github.com/niu-lab/msisensor2 README: "The recommended msi score cutoff
  value is 20% (msi high: msi score >= 20%)"); no indeterminate band published.
* ``mantis``: MANTIS step-wise difference (Kautto et al., Oncotarget 2017;8:7452-63; the tool's default
  ``--difference-threshold`` 0.4, "unstable" at a score ``>= 0.4``); a score between 0 and 1, not a percentage.

Thresholds depend on the assay and its microsatellite sites; pass ``threshold=`` (and ``indeterminate_from=``)
for a locally validated value. MMR immunohistochemistry: loss of any of MLH1, MSH2, MSH6 or PMS2 is MMR
deficient (dMMR) (NCCN Colon Cancer guideline; Sepulveda et al., J Clin Oncol 2017;35:1453-86). A tumour is
flagged MSI-H/dMMR when either test says so; an indeterminate score is decided by IHC when given; a
disagreement between a definite score and IHC is reported as discordant.

Hypermutation (Campbell et al., Cell 2017;171:1042-56): hypermutant > 10 mut/Mb, ultra-hypermutant
> 100 mut/Mb; ultra-hypermutation with a POLE exonuclease-domain (proofreading) mutation is the POLE
phenotype. The TCGA colorectal paper (Nature 2012;487:330-7) used > 12 mut per 10^6 bases; we follow
Campbell's 10. POLE exonuclease domain = residues 268-471 (the boundaries used by León-Castillo et al.,
J Pathol 2020;250:323-35, for pathogenic POLE exonuclease-domain mutations; hotspots P286R, V411L,
S459F lie inside).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Mapping

import pandas as pd

from ..errors import InputDataError, ParameterError
from .hgvsp import parse_hgvsp



@dataclass(frozen=True)
class MSIAssay:
    """Published cut-offs of an MSI tool: MSI-H at ``score >= msi_high``; ``indeterminate_from <= score <
    msi_high`` is indeterminate when the tool's validation defined such a band (else ``None``)."""

    tool: str
    msi_high: float
    indeterminate_from: float | None
    unit: str
    source: str


#: MSI tools and their published cut-offs (see the module docstring)
MSI_ASSAYS: dict[str, MSIAssay] = {
    "tumor_normal": MSIAssay("MSIsensor, tumour-normal, large panel", 10.0, 3.0, "% unstable sites",
                             "Middha et al., JCO Precis Oncol 2017;1:PO.17.00084 (MSK-IMPACT): MSI-H >= 10, "
                             "indeterminate 3 to < 10, MSS < 3"),
    "msisensor_exome": MSIAssay("MSIsensor, tumour-normal, exome", 3.5, None, "% unstable sites",
                                "Niu et al., Bioinformatics 2014;30:1015-6: MSI-H >= 3.5"),
    "tumor_only": MSIAssay("MSIsensor2, tumour only", 20.0, None, "% unstable sites",
                           "MSIsensor2 README (niu-lab/msisensor2): MSI-H at msi score >= 20%"),
    "mantis": MSIAssay("MANTIS, tumour-normal", 0.4, None, "step-wise difference (0-1)",
                       "Kautto et al., Oncotarget 2017;8:7452-63; MANTIS default difference threshold 0.4"),
}
#: MSI-H cut-off per assay (``score >= threshold``)
MSI_SCORE_THRESHOLDS: dict[str, float] = {name: a.msi_high for name, a in MSI_ASSAYS.items()}
#: mismatch-repair proteins tested by IHC; loss of any = dMMR
MMR_PROTEINS: tuple[str, ...] = ("MLH1", "MSH2", "MSH6", "PMS2")
#: hypermutation thresholds in mut/Mb (Campbell et al. 2017)
HYPERMUTATION_THRESHOLD: float = 10.0
ULTRAMUTATION_THRESHOLD: float = 100.0
#: POLE exonuclease (proofreading) domain, amino-acid residues (León-Castillo et al. 2020)
POLE_EXONUCLEASE_DOMAIN: tuple[int, int] = (268, 471)
#: pathogenic POLE exonuclease-domain mutations: the 5 recurrent hotspots and 6 further mutations classified
#: pathogenic by the POLE-score (León-Castillo et al., J Pathol 2020;250:323-35; listed in the ESGO/ESTRO/ESP
#: endometrial carcinoma guideline, Concin et al., Int J Gynecol Cancer 2021;31:12-39). Other exonuclease-domain
#: variants are mostly passengers of hypermutated tumours.
POLE_PATHOGENIC_EDM: tuple[str, ...] = ("P286R", "V411L", "S297F", "A456P", "S459F",
                                        "F367S", "L424I", "M295R", "P436R", "M444K", "D368Y")

_DEFICIENT = {"deficient", "dmmr", "mmr-d", "mmrd", "loss", "lost", "absent", "negative", "abnormal"}
_PROFICIENT = {"proficient", "pmmr", "mmr-p", "mmrp", "intact", "retained", "present", "positive", "normal"}
# protein-level words: "negative" staining = loss, "positive" = retained; for an overall result
# ("MMR negative"?) they are ambiguous and refused
_AMBIGUOUS_OVERALL = {"negative", "positive", "normal", "abnormal"}


@dataclass(frozen=True)
class MSIResult:
    """MSI/MMR call for one tumour.

    ``status`` is ``'MSI-H'`` (MSI-high or dMMR), ``'MSS'``, ``'indeterminate'`` (a score in the tool's
    indeterminate band and no IHC) or ``'unknown'``; ``score_status`` is the score's own call (``'MSI-H'``,
    ``'indeterminate'``, ``'MSS'``); ``source`` says which test(s) were used (``'msi_score'``, ``'mmr_ihc'``,
    ``'msi_score+mmr_ihc'``); ``discordant`` is True when a definite score and IHC disagree (status is then
    MSI-H and ``note`` explains); ``mmr_lost`` lists the proteins lost on IHC when given per protein."""

    status: str
    score: float | None
    threshold: float | None
    assay: str | None
    score_status: str | None
    mmr_status: str | None
    source: str | None
    discordant: bool
    note: str = ""
    indeterminate_from: float | None = None
    mmr_lost: tuple[str, ...] | None = None

    @property
    def msi_high(self) -> bool:
        return self.status == "MSI-H"

    def to_dict(self) -> dict:
        return asdict(self)


def _cutoffs(assay: str, threshold: float | None, indeterminate_from: float | None) -> tuple[float, float | None]:
    if threshold is None:
        if assay not in MSI_ASSAYS:
            raise ParameterError(f"assay must be one of {', '.join(MSI_ASSAYS)} (or give threshold=), got {assay!r}")
        a = MSI_ASSAYS[assay]
        threshold = a.msi_high
        indeterminate_from = a.indeterminate_from if indeterminate_from is None else indeterminate_from
    if indeterminate_from is not None and not 0 <= indeterminate_from < threshold:
        raise ParameterError(f"indeterminate_from ({indeterminate_from:g}) must lie below the MSI-H threshold "
                             f"({threshold:g})")
    return float(threshold), indeterminate_from


def classify_msi_score(
    score: float,
    *,
    assay: str = "tumor_normal",
    threshold: float | None = None,
    indeterminate_from: float | None = None,
) -> str:
    """``'MSI-H'`` if ``score >= threshold``, ``'indeterminate'`` in the assay's indeterminate band, else ``'MSS'``.

    The threshold and band are the assay's (:data:`MSI_ASSAYS`) unless given; a custom ``threshold`` has no
    band unless ``indeterminate_from`` is given too.

    Raises
    ------
    ParameterError
        Unknown ``assay``, a score that is not a number in [0, 100], or a band above the threshold.
    """
    threshold, lower = _cutoffs(assay, threshold, indeterminate_from)
    try:
        value = float(score)
    except (TypeError, ValueError):
        raise ParameterError(f"msi_score must be a number (% unstable sites), got {score!r}") from None
    if not math.isfinite(value) or value < 0 or value > 100:
        raise ParameterError(f"msi_score must be a percentage between 0 and 100, got {score!r}")
    if value >= threshold:
        return "MSI-H"
    return "indeterminate" if lower is not None and value >= lower else "MSS"


def mmr_lost_proteins(mmr_ihc: str | Mapping[str, str] | None) -> tuple[str, ...] | None:
    """The MMR proteins lost on IHC (in :data:`MMR_PROTEINS` order) when results are given per protein, else
    ``None`` (an overall result does not say which)."""
    if not isinstance(mmr_ihc, Mapping):
        return None
    classify_mmr_ihc(mmr_ihc)  # validates names and words
    lost = {str(p).upper() for p, r in mmr_ihc.items() if str(r).strip().lower() in _DEFICIENT}
    return tuple(p for p in MMR_PROTEINS if p in lost)


def classify_mmr_ihc(mmr_ihc: str | Mapping[str, str]) -> str:
    """``'dMMR'`` or ``'pMMR'`` from an overall IHC result or per-protein results.

    Parameters
    ----------
    mmr_ihc
        ``'deficient'``/``'proficient'`` (also ``dMMR``/``pMMR``), or a mapping such as
        ``{'MLH1': 'loss', 'MSH2': 'intact', 'MSH6': 'intact', 'PMS2': 'loss'}``.

    Raises
    ------
    ParameterError
        A value that is neither a loss nor a retained-expression word, or an unknown protein.
    """
    if isinstance(mmr_ihc, Mapping):
        lost = []
        for protein, result in mmr_ihc.items():
            name = str(protein).upper()
            if name not in MMR_PROTEINS:
                raise ParameterError(f"mmr_ihc: unknown MMR protein {protein!r} (expected {', '.join(MMR_PROTEINS)})")
            word = str(result).strip().lower()
            if word in _DEFICIENT:
                lost.append(name)
            elif word not in _PROFICIENT:
                raise ParameterError(f"mmr_ihc: {name} result {result!r} is neither loss nor retained")
        return "dMMR" if lost else "pMMR"
    word = str(mmr_ihc).strip().lower()
    if word in _AMBIGUOUS_OVERALL:
        raise ParameterError(
            f"mmr_ihc {mmr_ihc!r} is ambiguous for an overall result; write 'deficient' or 'proficient'"
        )
    if word in _DEFICIENT:
        return "dMMR"
    if word in _PROFICIENT:
        return "pMMR"
    raise ParameterError(f"mmr_ihc must be 'deficient' or 'proficient' (or per-protein results), got {mmr_ihc!r}")


def assess_msi(
    *,
    msi_score: float | None = None,
    mmr_ihc: str | Mapping[str, str] | None = None,
    assay: str = "tumor_normal",
    threshold: float | None = None,
    indeterminate_from: float | None = None,
) -> MSIResult:
    """Combine an MSI score and/or MMR IHC into one MSI/MMR call.

    MSI-H when the score is at or above the threshold or IHC shows dMMR; MSS when all available tests are
    negative; an indeterminate score is decided by IHC when given (dMMR -> MSI-H, pMMR -> MSS), else the
    status is ``'indeterminate'`` (confirm with MMR IHC or MSI-PCR); ``'unknown'`` when neither is given.
    Discordance (a definite MSS score but dMMR, or MSI-H but pMMR) is flagged: such tumours deserve a second
    test (e.g. MSI-PCR), and checkpoint-inhibitor eligibility follows either positive test.
    """
    has_score = msi_score is not None and not (isinstance(msi_score, float) and math.isnan(msi_score))
    has_ihc = mmr_ihc is not None and not (isinstance(mmr_ihc, float) and math.isnan(mmr_ihc))
    thr, lower = _cutoffs(assay, threshold, indeterminate_from)
    score_status = classify_msi_score(msi_score, threshold=thr, indeterminate_from=lower) if has_score else None
    mmr_status = classify_mmr_ihc(mmr_ihc) if has_ihc else None
    lost = mmr_lost_proteins(mmr_ihc) if has_ihc else None
    if not has_score and not has_ihc:
        return MSIResult("unknown", None, thr, assay, None, None, None, False, "no MSI score and no MMR IHC",
                         lower, None)
    positive = score_status == "MSI-H" or mmr_status == "dMMR"
    definite = score_status in ("MSI-H", "MSS")
    discordant = has_score and has_ihc and definite and ((score_status == "MSI-H") != (mmr_status == "dMMR"))
    note = ""
    if discordant:
        note = (f"discordant: MSI score {float(msi_score):g} ({score_status}) but MMR IHC {mmr_status}; "
                "confirm with an orthogonal test")
    elif score_status == "indeterminate":
        band = f"{lower:g} <= score < {thr:g}"
        note = (f"MSI score {float(msi_score):g} in the indeterminate band ({band}); "
                + (f"status from MMR IHC ({mmr_status})" if has_ihc else "confirm with MMR IHC or MSI-PCR"))
    status = "MSI-H" if positive else ("indeterminate" if score_status == "indeterminate" and not has_ihc else "MSS")
    source = "+".join(s for s, ok in (("msi_score", has_score), ("mmr_ihc", has_ihc)) if ok)
    return MSIResult(
        status=status,
        score=float(msi_score) if has_score else None,
        threshold=thr if has_score else None,
        assay=assay if has_score else None,
        score_status=score_status,
        mmr_status=mmr_status,
        source=source,
        discordant=bool(discordant),
        note=note,
        indeterminate_from=lower if has_score else None,
        mmr_lost=lost,
    )


def is_pole_exonuclease_mutation(hgvsp: object, *, variant_classification: str | None = "Missense_Mutation") -> bool:
    """Whether a POLE protein change lies in the exonuclease domain (residues 268-471).

    Pathogenic POLE proofreading mutations are missense substitutions; by default only
    ``Missense_Mutation`` rows count (pass ``variant_classification=None`` to skip the check)."""
    if variant_classification is not None and variant_classification != "Missense_Mutation":
        return False
    change = parse_hgvsp(hgvsp)
    if change is None or change.position is None or not change.is_substitution or change.alt in ("=", "*"):
        return False
    lo, hi = POLE_EXONUCLEASE_DOMAIN
    return lo <= change.position <= hi


def is_pathogenic_pole_mutation(hgvsp: object) -> bool:
    """Whether a POLE protein change is one of the pathogenic exonuclease-domain mutations
    (:data:`POLE_PATHOGENIC_EDM`, León-Castillo et al. 2020)."""
    change = parse_hgvsp(hgvsp)
    return change is not None and change.short in POLE_PATHOGENIC_EDM


def pole_exonuclease_mutations(maf: pd.DataFrame) -> pd.DataFrame:
    """POLE exonuclease-domain missense rows of a MAF table."""
    for col in ("Hugo_Symbol", "HGVSp_Short", "Variant_Classification"):
        if col not in maf.columns:
            raise InputDataError(f"{maf.attrs.get('path', 'MAF table')}: missing column '{col}'")
    pole = maf[maf["Hugo_Symbol"] == "POLE"]
    mask = [is_pole_exonuclease_mutation(h, variant_classification=vc)
            for h, vc in zip(pole["HGVSp_Short"], pole["Variant_Classification"])]
    return pole[mask] if len(pole) else pole


@dataclass(frozen=True)
class HypermutationResult:
    """``category``: ``'non-hypermutated'``, ``'hypermutated'`` (> 10 mut/Mb) or ``'ultra-hypermutated'``
    (> 100 mut/Mb); ``pole_driven`` when ultra-hypermutated with a POLE exonuclease-domain mutation."""

    tmb: float
    hypermutated: bool
    ultramutated: bool
    pole_edm: bool
    pole_driven: bool
    category: str
    note: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def hypermutation_status(tmb: float, *, pole_edm: bool = False, msi_high: bool | None = None) -> HypermutationResult:
    """Hypermutation category of a tumour from its TMB (mut/Mb) and POLE/MSI findings (Campbell 2017).

    A POLE exonuclease-domain mutation without ultra-hypermutation is reported but not called POLE-driven
    (many exonuclease-domain variants are passengers; the phenotype, TMB > 100, supports pathogenicity).
    """
    try:
        value = float(tmb)
    except (TypeError, ValueError):
        raise ParameterError(f"tmb must be a number (mut/Mb), got {tmb!r}") from None
    if not math.isfinite(value) or value < 0:
        raise ParameterError(f"tmb must be >= 0 mut/Mb, got {tmb!r}")
    hyper = value > HYPERMUTATION_THRESHOLD
    ultra = value > ULTRAMUTATION_THRESHOLD
    pole_driven = bool(ultra and pole_edm)
    category = "ultra-hypermutated" if ultra else "hypermutated" if hyper else "non-hypermutated"
    notes = []
    if pole_driven:
        notes.append("POLE exonuclease-domain mutation with ultra-hypermutation (POLE phenotype)")
    elif pole_edm:
        notes.append("POLE exonuclease-domain mutation without ultra-hypermutation (pathogenicity uncertain)")
    if hyper and not ultra and msi_high is False:
        notes.append("hypermutated but MSS: consider POLE/POLD1 or other causes")
    if ultra and not pole_edm:
        notes.append("ultra-hypermutated without a POLE exonuclease-domain mutation")
    return HypermutationResult(value, hyper, ultra, bool(pole_edm), pole_driven, category, "; ".join(notes))


__all__ = [
    "MSIResult",
    "HypermutationResult",
    "assess_msi",
    "classify_msi_score",
    "classify_mmr_ihc",
    "mmr_lost_proteins",
    "hypermutation_status",
    "is_pole_exonuclease_mutation",
    "is_pathogenic_pole_mutation",
    "pole_exonuclease_mutations",
    "MSI_SCORE_THRESHOLDS",
    "MSI_ASSAYS",
    "MSIAssay",
    "MMR_PROTEINS",
    "POLE_EXONUCLEASE_DOMAIN",
    "POLE_PATHOGENIC_EDM",
    "HYPERMUTATION_THRESHOLD",
    "ULTRAMUTATION_THRESHOLD",
]
