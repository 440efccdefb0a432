"""MSI thresholds, MMR IHC, discordance, hypermutation and POLE exonuclease-domain flags."""

from __future__ import annotations

import pandas as pd
import pytest

from bigmed_utils.errors import ParameterError
from bigmed_utils.oncology.msi import (
    HYPERMUTATION_THRESHOLD,
    MSI_SCORE_THRESHOLDS,
    POLE_EXONUCLEASE_DOMAIN,
    ULTRAMUTATION_THRESHOLD,
    assess_msi,
    classify_mmr_ihc,
    classify_msi_score,
    hypermutation_status,
    is_pole_exonuclease_mutation,
    pole_exonuclease_mutations,
)


def test_published_thresholds():
    # MSIsensor tumour-normal >= 10 (Middha et al. 2017, MSK-IMPACT); MSIsensor2 tumour-only >= 20 %
    assert MSI_SCORE_THRESHOLDS == {"tumor_normal": 10.0, "tumor_only": 20.0}
    # Campbell et al. 2017: hypermutant > 10, ultra-hypermutant > 100 mut/Mb
    assert (HYPERMUTATION_THRESHOLD, ULTRAMUTATION_THRESHOLD) == (10.0, 100.0)
    assert POLE_EXONUCLEASE_DOMAIN == (268, 471)


def test_score_classification_per_assay():
    assert classify_msi_score(10.0) == "MSI-H"
    assert classify_msi_score(9.9) == "MSS"
    assert classify_msi_score(15.0, assay="tumor_only") == "MSS"
    assert classify_msi_score(20.0, assay="tumor_only") == "MSI-H"
    assert classify_msi_score(5.0, threshold=3.5) == "MSI-H"
    with pytest.raises(ParameterError, match="assay"):
        classify_msi_score(5.0, assay="panel")
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
