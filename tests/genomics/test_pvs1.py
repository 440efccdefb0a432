"""PVS1 decision tree (Abou Tayoun et al. 2018) as far as VEP fields allow: NMD, last exon, the penultimate
exon, the 10 % rule, canonical splice sites, initiation codons."""

from __future__ import annotations

import pytest

from bigmed_utils.genomics.pvs1 import MIN_FRACTION_REMOVED, fraction_removed, pvs1_strength


def strength(**kw) -> str | None:
    out = pvs1_strength(**kw)
    return None if out is None else out[0]


def test_ten_percent_rule_is_the_published_value():
    assert MIN_FRACTION_REMOVED == 0.10  # Abou Tayoun et al. 2018 Figure 1: "removes > 10% of protein"
    assert fraction_removed("880/1000") == pytest.approx(0.12)
    assert fraction_removed("880") is None


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        # nonsense/frameshift predicted to undergo NMD: full strength
        (dict(consequences=["stop_gained"], exon="3/12"), "Very strong"),
        # last exon: NMD escape; > 10 % of the protein lost -> Strong, <= 10 % -> Moderate
        (dict(consequences=["stop_gained"], exon="12/12", protein_position="400/1000"), "Strong"),
        (dict(consequences=["frameshift_variant"], exon="12/12", protein_position="950/1000"), "Moderate"),
        (dict(consequences=["stop_gained"], exon="12/12"), "Strong"),  # no protein length: the branch's maximum
        # single-exon transcript: no exon junction, no NMD
        (dict(consequences=["stop_gained"], exon="1/1", protein_position="100/300"), "Strong"),
        # penultimate exon: the last 50 nt cannot be checked from VCF fields -> not full strength
        (dict(consequences=["stop_gained"], exon="11/12", protein_position="700/1000"), "Strong"),
        # the VEP NMD plugin decides when present
        (dict(consequences=["stop_gained"], exon="11/12", nmd_escaping=False), "Very strong"),
        (dict(consequences=["stop_gained"], exon="3/12", nmd_escaping=True, protein_position="95/100"), "Moderate"),
        # canonical splice sites: the last intron's altered region is at the 3' end
        (dict(consequences=["splice_donor_variant", "intron_variant"], intron="11/11"), "Strong"),
        (dict(consequences=["splice_acceptor_variant", "intron_variant"], intron="4/11"), "Very strong"),
        (dict(consequences=["start_lost"]), "Moderate"),
        (dict(consequences=["transcript_ablation"]), "Very strong"),
        (dict(consequences=["missense_variant"], exon="3/12"), None),
    ],
)
def test_decision_tree(kw, expected):
    assert strength(**kw) == expected


def test_reasons_say_what_the_vcf_cannot_decide():
    _, why = pvs1_strength(consequences=["stop_gained"], exon="11/12", protein_position="700/1000")
    assert why == ("penultimate exon (11/12): the last 50 nt of the exon cannot be checked from VCF fields, NMD "
                   "undetermined; removes 30% of the protein (> 10%)")
    _, why = pvs1_strength(consequences=["splice_donor_variant"], intron="4/11")
    assert "effect on the reading frame not assessable from VCF fields" in why
