"""Microsatellite instability (MSI), mismatch-repair (MMR) status, hypermutation and POLE flags.

MSI from an MSIsensor-style score (per cent of unstable microsatellite sites), with a threshold per assay:

* tumour-normal (MSIsensor; Niu et al., Bioinformatics 2014;30:1015-6): MSI-H at a score ``>= 10``, the
  cut-off validated against MSI-PCR and MMR IHC on MSK-IMPACT (Middha et al., JCO Precis Oncol 2017;
  1:PO.17.00084: 99.4 % concordance in colorectal and endometrial cancer);
* tumour-only (MSIsensor2, https://github.com/niu-lab/msisensor2 README: "The recommended msi score
  cutoff value is 20% (msi high: msi score >= 20%)").

Thresholds depend on the assay and its microsatellite sites; pass ``threshold=`` for a locally validated
value. MMR immunohistochemistry: loss of any of MLH1, MSH2, MSH6 or PMS2 is MMR deficient (dMMR)
(NCCN Colon Cancer guideline; Sepulveda et al., J Clin Oncol 2017;35:1453-86). A tumour is flagged
MSI-H/dMMR when either test says so; a disagreement between the two is reported as discordant.

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

#: MSIsensor-style score cut-offs (% unstable sites), MSI-H at score >= threshold
MSI_SCORE_THRESHOLDS: dict[str, float] = {
    "tumor_normal": 10.0,  # MSIsensor, Middha et al. 2017 (MSK-IMPACT)
    "tumor_only": 20.0,  # MSIsensor2 README recommended cut-off
}
#: mismatch-repair proteins tested by IHC; loss of any = dMMR
MMR_PROTEINS: tuple[str, ...] = ("MLH1", "MSH2", "MSH6", "PMS2")
#: hypermutation thresholds in mut/Mb (Campbell et al. 2017)
HYPERMUTATION_THRESHOLD: float = 10.0
ULTRAMUTATION_THRESHOLD: float = 100.0
#: POLE exonuclease (proofreading) domain, amino-acid residues (León-Castillo et al. 2020)
POLE_EXONUCLEASE_DOMAIN: tuple[int, int] = (268, 471)

_DEFICIENT = {"deficient", "dmmr", "mmr-d", "mmrd", "loss", "lost", "absent", "negative", "abnormal"}
_PROFICIENT = {"proficient", "pmmr", "mmr-p", "mmrp", "intact", "retained", "present", "positive", "normal"}
# protein-level words: "negative" staining = loss, "positive" = retained; for an overall result
# ("MMR negative"?) they are ambiguous and refused
_AMBIGUOUS_OVERALL = {"negative", "positive", "normal", "abnormal"}


@dataclass(frozen=True)
class MSIResult:
    """MSI/MMR call for one tumour.

    ``status`` is ``'MSI-H'`` (MSI-high or dMMR), ``'MSS'`` or ``'unknown'``; ``source`` says which test(s)
    were used (``'msi_score'``, ``'mmr_ihc'``, ``'msi_score+mmr_ihc'``); ``discordant`` is True when the
    score and IHC disagree (status is then MSI-H and ``note`` explains)."""

    status: str
    score: float | None
    threshold: float | None
    assay: str | None
    score_status: str | None
    mmr_status: str | None
    source: str | None
    discordant: bool
    note: str = ""

    @property
    def msi_high(self) -> bool:
        return self.status == "MSI-H"

    def to_dict(self) -> dict:
        return asdict(self)


def classify_msi_score(score: float, *, assay: str = "tumor_normal", threshold: float | None = None) -> str:
    """``'MSI-H'`` if ``score >= threshold`` else ``'MSS'`` (threshold per assay by default).

    Raises
    ------
    ParameterError
        Unknown ``assay``, or a score that is not a percentage in [0, 100].
    """
    if threshold is None:
        if assay not in MSI_SCORE_THRESHOLDS:
            raise ParameterError(
                f"assay must be one of {', '.join(MSI_SCORE_THRESHOLDS)} (or give threshold=), got {assay!r}"
            )
        threshold = MSI_SCORE_THRESHOLDS[assay]
    try:
        value = float(score)
    except (TypeError, ValueError):
        raise ParameterError(f"msi_score must be a number (% unstable sites), got {score!r}") from None
    if not math.isfinite(value) or value < 0 or value > 100:
        raise ParameterError(f"msi_score must be a percentage between 0 and 100, got {score!r}")
    return "MSI-H" if value >= threshold else "MSS"


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
) -> MSIResult:
    """Combine an MSIsensor-style score and/or MMR IHC into one MSI/MMR call.

    MSI-H when the score is at or above the threshold or IHC shows dMMR; MSS when all available tests are
    negative; ``'unknown'`` when neither is given. Discordance (score MSS but dMMR, or score MSI-H but
    pMMR) is flagged: such tumours deserve a second test (e.g. MSI-PCR), and checkpoint-inhibitor
    eligibility follows either positive test.
    """
    has_score = msi_score is not None and not (isinstance(msi_score, float) and math.isnan(msi_score))
    has_ihc = mmr_ihc is not None and not (isinstance(mmr_ihc, float) and math.isnan(mmr_ihc))
    thr = threshold if threshold is not None else MSI_SCORE_THRESHOLDS.get(assay)
    score_status = classify_msi_score(msi_score, assay=assay, threshold=threshold) if has_score else None
    mmr_status = classify_mmr_ihc(mmr_ihc) if has_ihc else None
    if not has_score and not has_ihc:
        return MSIResult("unknown", None, thr, assay, None, None, None, False, "no MSI score and no MMR IHC")
    positive = score_status == "MSI-H" or mmr_status == "dMMR"
    discordant = has_score and has_ihc and ((score_status == "MSI-H") != (mmr_status == "dMMR"))
    note = ""
    if discordant:
        note = (f"discordant: MSI score {float(msi_score):g} ({score_status}) but MMR IHC {mmr_status}; "
                "confirm with an orthogonal test")
    source = "+".join(s for s, ok in (("msi_score", has_score), ("mmr_ihc", has_ihc)) if ok)
    return MSIResult(
        status="MSI-H" if positive else "MSS",
        score=float(msi_score) if has_score else None,
        threshold=thr if has_score else None,
        assay=assay if has_score else None,
        score_status=score_status,
        mmr_status=mmr_status,
        source=source,
        discordant=bool(discordant),
        note=note,
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
    "hypermutation_status",
    "is_pole_exonuclease_mutation",
    "pole_exonuclease_mutations",
    "MSI_SCORE_THRESHOLDS",
    "MMR_PROTEINS",
    "POLE_EXONUCLEASE_DOMAIN",
    "HYPERMUTATION_THRESHOLD",
    "ULTRAMUTATION_THRESHOLD",
]
