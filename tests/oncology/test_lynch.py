"""Lynch syndrome triage paths (NICE DG27; NCCN Genetic/Familial High-Risk Assessment: Colorectal)."""

from __future__ import annotations

import pytest

from bigmed_utils.oncology.lynch import LYNCH_STATUSES, lynch_triage
from bigmed_utils.oncology.msi import assess_msi

MSI_H = assess_msi(msi_score=28.0, mmr_ihc="deficient")


def test_msi_h_with_braf_v600e_is_likely_sporadic():
    t = lynch_triage(MSI_H, braf_v600e=True)
    assert t.status == "likely_sporadic" and "BRAF V600E" in t.reason and "NICE DG27" in t.source


def test_msi_h_with_mlh1_methylation_is_likely_sporadic():
    t = lynch_triage(MSI_H, braf_v600e=False, mlh1_methylation=True)
    assert t.status == "likely_sporadic" and "MLH1 promoter hypermethylation" in t.reason


@pytest.mark.parametrize("methylation, words", [(None, "without a MLH1 promoter methylation result"),
                                                (False, "unmethylated MLH1 promoter")])
def test_msi_h_without_either_is_germline_referral(methylation, words):
    t = lynch_triage(MSI_H, braf_v600e=False, mlh1_methylation=methylation)
    assert t.status == "germline_referral" and words in t.reason


def test_mss_is_not_applicable_and_missing_data():
    assert lynch_triage(assess_msi(msi_score=1.0, mmr_ihc="proficient"), braf_v600e=True).status == "not_applicable"
    assert lynch_triage(assess_msi(), braf_v600e=False).status == "not_assessed"
    assert lynch_triage(assess_msi(msi_score=5.0), braf_v600e=False).status == "indeterminate"
    # dMMR by IHC alone (no score) is enough to triage
    assert lynch_triage(assess_msi(mmr_ihc="deficient"), braf_v600e=True).status == "likely_sporadic"


def test_traps():
    # MSH2/MSH6 loss: BRAF V600E and MLH1 methylation do not make the tumour sporadic
    msh2 = assess_msi(mmr_ihc={"MLH1": "intact", "PMS2": "intact", "MSH2": "loss", "MSH6": "loss"})
    t = lynch_triage(msh2, braf_v600e=True, mlh1_methylation=True)
    assert t.status == "germline_referral" and "MSH2, MSH6 without MLH1 loss" in t.reason
    # isolated PMS2 loss: refer as well
    assert lynch_triage(assess_msi(mmr_ihc={"PMS2": "loss", "MLH1": "intact", "MSH2": "intact", "MSH6": "intact"}),
                        braf_v600e=True).status == "germline_referral"
    # MLH1/PMS2 loss with BRAF V600E: the sporadic path
    mlh1 = assess_msi(mmr_ihc={"MLH1": "loss", "PMS2": "loss", "MSH2": "intact", "MSH6": "intact"})
    assert lynch_triage(mlh1, braf_v600e=True).status == "likely_sporadic"
    # an unmethylated MLH1 promoter outweighs BRAF V600E
    assert lynch_triage(mlh1, braf_v600e=True, mlh1_methylation=False).status == "germline_referral"
    assert {lynch_triage(MSI_H, braf_v600e=b).status for b in (True, False)} <= set(LYNCH_STATUSES)
