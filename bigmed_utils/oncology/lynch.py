"""Lynch syndrome triage of an MSI-H/dMMR colorectal cancer from tumour findings.

Universal tumour testing (NICE diagnostics guidance DG27, "Molecular testing strategies for Lynch syndrome in
people with colorectal cancer", 2017; NCCN Genetic/Familial High-Risk Assessment: Colorectal; ESMO hereditary
gastrointestinal cancers guideline, Stjepanovic et al., Ann Oncol 2019;30:1558-71):

* MSS / MMR proficient: the tumour does not point to Lynch syndrome (``not_applicable``; a family history may
  still warrant referral).
* MSI-H or loss of MLH1 (with or without PMS2): a somatic BRAF V600E, or MLH1 promoter hypermethylation, makes
  a sporadic tumour likely (``likely_sporadic``); without either, refer for genetic counselling and germline
  MMR testing (``germline_referral``). NICE tests BRAF first and MLH1 promoter methylation next when BRAF is
  wild type: without a methylation result the referral says so.
* Loss of MSH2, MSH6 or PMS2 without MLH1 loss: BRAF and MLH1 methylation do not apply; refer
  (``germline_referral``) whatever BRAF shows.
* An indeterminate MSI score without IHC: ``indeterminate`` (test MMR IHC or MSI-PCR first); no MSI data:
  ``not_assessed``.

Research use only: this is a triage of tumour results for the tumour board, not a genetic diagnosis.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .msi import MSIResult

#: guideline sources of the triage
LYNCH_SOURCES = ("NICE DG27 (2017): molecular testing strategies for Lynch syndrome in people with colorectal cancer; "
                 "NCCN Genetic/Familial High-Risk Assessment: Colorectal; Stjepanovic et al., Ann Oncol 2019;30:1558-71 "
                 "(ESMO)")
#: the triage outcomes
LYNCH_STATUSES: tuple[str, ...] = ("likely_sporadic", "germline_referral", "indeterminate", "not_applicable",
                                   "not_assessed")


@dataclass(frozen=True)
class LynchTriage:
    """``status`` (one of :data:`LYNCH_STATUSES`), the ``reason`` in words and the ``source``."""

    status: str
    reason: str
    source: str = LYNCH_SOURCES

    def to_dict(self) -> dict:
        return asdict(self)


def lynch_triage(msi: MSIResult, *, braf_v600e: bool, mlh1_methylation: bool | None = None) -> LynchTriage:
    """Triage an MSI/MMR result for Lynch syndrome (see the module docstring for the rules and sources).

    Parameters
    ----------
    msi
        The tumour's :class:`~bigmed_utils.oncology.msi.MSIResult` (per-protein IHC, when given, is in
        ``msi.mmr_lost``).
    braf_v600e
        Whether the tumour carries BRAF V600E.
    mlh1_methylation
        MLH1 promoter hypermethylation: True (methylated), False (unmethylated) or None (not tested).
    """
    if msi.status == "unknown":
        return LynchTriage("not_assessed", "no MSI score and no MMR immunohistochemistry")
    if msi.status == "indeterminate":
        return LynchTriage("indeterminate", "MSI score in the indeterminate band and no MMR IHC: test MMR IHC or "
                                            "MSI-PCR before Lynch triage")
    if msi.status != "MSI-H":
        return LynchTriage("not_applicable", "MSS / MMR proficient: the tumour does not point to Lynch syndrome "
                                             "(a family history may still warrant referral)")
    lost = msi.mmr_lost
    if lost and "MLH1" not in lost:
        return LynchTriage("germline_referral",
                           f"loss of {', '.join(lost)} without MLH1 loss: BRAF V600E and MLH1 promoter methylation "
                           "do not explain it; refer for genetic counselling and germline MMR testing")
    if mlh1_methylation is False:
        extra = " although BRAF V600E is present" if braf_v600e else ""
        return LynchTriage("germline_referral",
                           f"MSI-H/dMMR with an unmethylated MLH1 promoter{extra}: refer for genetic counselling "
                           "and germline MMR testing")
    if braf_v600e:
        return LynchTriage("likely_sporadic", "MSI-H/dMMR with somatic BRAF V600E: sporadic MLH1 promoter "
                                              "hypermethylation likely; germline testing not indicated by the tumour")
    if mlh1_methylation:
        return LynchTriage("likely_sporadic", "MSI-H/dMMR with MLH1 promoter hypermethylation: sporadic tumour "
                                              "likely; germline testing not indicated by the tumour")
    return LynchTriage("germline_referral",
                       "MSI-H/dMMR without BRAF V600E and without a MLH1 promoter methylation result: refer for "
                       "genetic counselling and germline MMR testing (MLH1 promoter methylation testing can "
                       "first identify a sporadic tumour when MLH1 is lost)")


__all__ = ["LynchTriage", "lynch_triage", "LYNCH_SOURCES", "LYNCH_STATUSES"]
