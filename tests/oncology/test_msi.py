"""MSI thresholds, MMR IHC, discordance, hypermutation and POLE exonuclease-domain flags."""

from __future__ import annotations

import pandas as pd
import pytest

from bigmed_utils.errors import ParameterError
from bigmed_utils.oncology.msi import (
    HYPERMUTATION_THRESHOLD,
    MSI_ASSAYS,
    MSI_SCORE_THRESHOLDS,
    POLE_EXONUCLEASE_DOMAIN,
    POLE_PATHOGENIC_EDM,
    ULTRAMUTATION_THRESHOLD,
    assess_msi,
    classify_mmr_ihc,
    classify_msi_score,
    hypermutation_status,
    is_pathogenic_pole_mutation,
    is_pole_exonuclease_mutation,
    mmr_lost_proteins,
    pole_exonuclease_mutations,
)


def test_published_thresholds():
    # MSIsensor panel tumour-normal >= 10, indeterminate 3 to < 10 (Middha et al. 2017, MSK-IMPACT); MSIsensor
    # exome >= 3.5 (Niu et al. 2014); MSIsensor2 tumour-only >= 20 % (README); MANTIS >= 0.4 (Kautto et al. 2017)
    assert MSI_SCORE_THRESHOLDS == {"tumor_normal": 10.0, "msisensor_exome": 3.5, "tumor_only": 20.0, "mantis": 0.4}
    assert {k: a.indeterminate_from for k, a in MSI_ASSAYS.items()} == {
        "tumor_normal": 3.0, "msisensor_exome": None, "tumor_only": None, "mantis": None}
    assert "Middha" in MSI_ASSAYS["tumor_normal"].source and "Kautto" in MSI_ASSAYS["mantis"].source
    # Campbell et al. 2017: hypermutant > 10, ultra-hypermutant > 100 mut/Mb
    assert (HYPERMUTATION_THRESHOLD, ULTRAMUTATION_THRESHOLD) == (10.0, 100.0)
    assert POLE_EXONUCLEASE_DOMAIN == (268, 471)


def test_score_classification_per_assay():
    assert classify_msi_score(10.0) == "MSI-H"
    assert classify_msi_score(9.9) == "indeterminate"  # Middha et al. 2017: 3 <= score < 10
    assert classify_msi_score(3.0) == "indeterminate"
    assert classify_msi_score(2.99) == "MSS"
    assert classify_msi_score(3.5, assay="msisensor_exome") == "MSI-H"
    assert classify_msi_score(3.4, assay="msisensor_exome") == "MSS"
    assert classify_msi_score(0.4, assay="mantis") == "MSI-H"
    assert classify_msi_score(0.39, assay="mantis") == "MSS"
    assert classify_msi_score(15.0, assay="tumor_only") == "MSS"
    assert classify_msi_score(20.0, assay="tumor_only") == "MSI-H"
    assert classify_msi_score(5.0, threshold=3.5) == "MSI-H"
    assert classify_msi_score(3.0, threshold=3.5) == "MSS"  # a custom threshold has no band unless given
    assert classify_msi_score(3.0, threshold=3.5, indeterminate_from=2.0) == "indeterminate"
    with pytest.raises(ParameterError, match="assay"):
        classify_msi_score(5.0, assay="panel")
    with pytest.raises(ParameterError, match=r"indeterminate_from \(12\) must lie below the MSI-H threshold \(10\)"):
        classify_msi_score(5.0, indeterminate_from=12)
    with pytest.raises(ParameterError, match="msi_score"):
        classify_msi_score(-1)


def test_mmr_ihc():
    assert classify_mmr_ihc("deficient") == "dMMR"
    assert classify_mmr_ihc("proficient") == "pMMR"
    assert classify_mmr_ihc({"MLH1": "loss", "MSH2": "intact", "MSH6": "intact", "PMS2": "loss"}) == "dMMR"
    assert classify_mmr_ihc({"MLH1": "retained", "MSH2": "retained", "MSH6": "retained", "PMS2": "retained"}) == "pMMR"
    with pytest.raises(ParameterError, match="MLH3"):
        classify_mmr_ihc({"MLH3": "loss"})
    with pytest.raises(ParameterError, match="ambiguous"):
        classify_mmr_ihc("negative")
    assert mmr_lost_proteins({"PMS2": "loss", "MLH1": "absent", "MSH2": "intact"}) == ("MLH1", "PMS2")
    assert mmr_lost_proteins("deficient") is None


def test_assess_msi_sources_and_discordance():
    r = assess_msi(msi_score=28.4, mmr_ihc="deficient")
    assert (r.status, r.source, r.discordant) == ("MSI-H", "msi_score+mmr_ihc", False)
    r = assess_msi(msi_score=1.2)
    assert (r.status, r.source, r.score) == ("MSS", "msi_score", 1.2)
    r = assess_msi(mmr_ihc="deficient")
    assert (r.status, r.source) == ("MSI-H", "mmr_ihc")
    r = assess_msi(msi_score=2.0, mmr_ihc="deficient")
    assert r.status == "MSI-H" and r.discordant and "discordant" in r.note
    assert assess_msi().status == "unknown"


def test_indeterminate_band():
    r = assess_msi(msi_score=6.0)
    assert (r.status, r.score_status, r.indeterminate_from) == ("indeterminate", "indeterminate", 3.0)
    assert not r.msi_high and "indeterminate band (3 <= score < 10)" in r.note and "MMR IHC or MSI-PCR" in r.note
    # IHC decides an indeterminate score, and that is not a discordance
    r = assess_msi(msi_score=6.0, mmr_ihc="deficient")
    assert (r.status, r.discordant) == ("MSI-H", False) and "status from MMR IHC (dMMR)" in r.note
    r = assess_msi(msi_score=6.0, mmr_ihc="proficient")
    assert (r.status, r.discordant) == ("MSS", False)
    # the tumour-only assay has no published band: 15 % is MSS
    assert assess_msi(msi_score=15.0, assay="tumor_only").status == "MSS"


def test_pole_pathogenic_mutations_match_the_knowledge_base():
    from bigmed_utils.oncology.actionability import load_knowledge_base

    # León-Castillo et al. 2020: 5 recurrent hotspots + 6 further pathogenic exonuclease-domain mutations
    assert POLE_PATHOGENIC_EDM[:5] == ("P286R", "V411L", "S297F", "A456P", "S459F") and len(POLE_PATHOGENIC_EDM) == 11
    lo, hi = POLE_EXONUCLEASE_DOMAIN
    assert all(lo <= int(m[1:-1]) <= hi for m in POLE_PATHOGENIC_EDM)
    kb = load_knowledge_base()
    rule = kb.loc[kb["id"] == "POLE-01", "rule"].iloc[0]
    assert set(rule.split(",")) == set(POLE_PATHOGENIC_EDM)
    assert is_pathogenic_pole_mutation("p.Pro286Arg") and not is_pathogenic_pole_mutation("p.D275H")


def test_pole_exonuclease_domain():
    assert is_pole_exonuclease_mutation("p.P286R")
    assert is_pole_exonuclease_mutation("p.Val411Leu")
    assert is_pole_exonuclease_mutation("p.S459F")
    assert is_pole_exonuclease_mutation("p.D268N") and is_pole_exonuclease_mutation("p.E471K")
    assert not is_pole_exonuclease_mutation("p.R267W")
    assert not is_pole_exonuclease_mutation("p.A472V")
    assert not is_pole_exonuclease_mutation("p.P286R", variant_classification="Silent")
    maf = pd.DataFrame({"Hugo_Symbol": ["POLE", "POLE", "KRAS"], "HGVSp_Short": ["p.P286R", "p.R1826W", "p.P286R"],
                        "Variant_Classification": ["Missense_Mutation"] * 3})
    assert list(pole_exonuclease_mutations(maf)["HGVSp_Short"]) == ["p.P286R"]


def test_hypermutation_categories():
    assert hypermutation_status(4.0).category == "non-hypermutated"
    h = hypermutation_status(45.0, msi_high=True)
    assert h.category == "hypermutated" and h.hypermutated and not h.ultramutated
    u = hypermutation_status(250.0, pole_edm=True)
    assert u.category == "ultra-hypermutated" and u.pole_driven
    assert not hypermutation_status(250.0).pole_driven
    assert not hypermutation_status(12.0, pole_edm=True).pole_driven
    with pytest.raises(ParameterError, match="tmb"):
        hypermutation_status(-1)
