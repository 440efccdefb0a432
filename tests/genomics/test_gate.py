"""The consequence gate: published term lists, each reason, the ClinVar reading, and the Hail twin."""

from __future__ import annotations

import pytest

from bigmed_utils.genomics.csq import CONSEQUENCE_SEVERITY
from bigmed_utils.genomics.gate import (
    GATE_REASONS,
    PROTEIN_ALTERING_TERMS,
    SPLICE_TERMS,
    SPLICEAI_MIN_DELTA,
    clinvar_pathogenic,
    gate_expr,
    gate_reason,
)

#: slivar's impact order (brentp/slivar src/slivarpkg/default-order.txt): every term above IMPACTFUL_CUTOFF
#: sets INFO.impactful, the rule its compound-het recipe applies to both sides
SLIVAR_IMPACTFUL = (
    "transcript_ablation splice_acceptor splice_donor stop_gained exon_loss frameshift stop_lost start_lost "
    "transcript_amplification gene_fusion disruptive_inframe_insertion disruptive_inframe_deletion inframe_insertion "
    "inframe_deletion missense protein_protein_contact conservative_inframe_insertion conservative_inframe_deletion "
    "protein_altering inframe_altering splice_region structural_interaction_variant bidirectional_gene_fusion "
    "incomplete_terminal_codon start_retained stop_retained rare_amino_acid 5_prime_utr_truncation "
    "3_prime_utr_truncation"
).split()


def _short(term: str) -> str:
    return term[: -len("_variant")] if term.endswith("_variant") else term


def test_gate_terms_follow_slivar_impactful_with_the_documented_differences():
    gate = {_short(t) for t in PROTEIN_ALTERING_TERMS + SPLICE_TERMS} - {"initiator_codon"}
    ensembl = {_short(t) for t, _ in CONSEQUENCE_SEVERITY}
    slivar_vep = set(SLIVAR_IMPACTFUL) & ensembl  # the VEP (Ensembl) terms of slivar's list
    # beyond slivar: donor 5th base and donor region (+3..+6); left out: start/stop retained (protein unchanged)
    assert gate - slivar_vep == {"splice_donor_5th_base", "splice_donor_region"}
    assert slivar_vep - gate == {"start_retained", "stop_retained"}


def test_spliceai_threshold_is_the_published_high_recall_cut_off():
    # Jaganathan et al. 2019 Cell: 0.2 high recall, 0.5 recommended, 0.8 high precision; Walker et al. 2023 PP3
    assert SPLICEAI_MIN_DELTA == 0.2
    assert GATE_REASONS == ("protein_altering", "splice", "spliceai", "clinvar")


@pytest.mark.parametrize(
    ("consequence", "spliceai", "clin_sig", "expected"),
    [
        ("frameshift_variant", None, None, "protein_altering"),
        ("missense_variant&splice_region_variant", None, None, "protein_altering"),
        ("inframe_deletion", None, None, "protein_altering"),
        ("start_lost", None, None, "protein_altering"),
        ("stop_lost", None, None, "protein_altering"),
        ("splice_donor_variant&intron_variant", None, None, "splice"),
        ("splice_region_variant&synonymous_variant", 0.01, None, "splice"),
        ("splice_donor_5th_base_variant&intron_variant", None, None, "splice"),
        ("intron_variant", 0.2, None, "spliceai"),
        ("intron_variant", 0.19, None, None),
        ("synonymous_variant", 0.05, None, None),
        ("synonymous_variant", None, "likely_pathogenic", "clinvar"),
        ("intron_variant", None, "pathogenic/likely_pathogenic", "clinvar"),
        ("intron_variant", None, "conflicting_interpretations_of_pathogenicity", None),
        ("3_prime_UTR_variant", None, "benign", None),
        ("stop_retained_variant", None, None, None),
        ("upstream_gene_variant", float("nan"), None, None),
    ],
)
def test_gate_reason(consequence, spliceai, clin_sig, expected):
    assert gate_reason(consequence=consequence, spliceai=spliceai, clin_sig=clin_sig) == expected


def test_clinvar_reading():
    assert clinvar_pathogenic("Pathogenic")
    assert clinvar_pathogenic("likely pathogenic")
    assert not clinvar_pathogenic("pathogenic&benign")  # both directions: no assertion
    assert not clinvar_pathogenic("uncertain_significance")
    assert not clinvar_pathogenic(None)


def test_hail_gate_agrees_with_python(hail_session):
    hl = hail_session
    cases = [
        ("stop_gained", None, None), ("splice_region_variant&intron_variant", None, None),
        ("intron_variant", 0.31, None), ("intron_variant", 0.05, None), ("synonymous_variant", None, "Pathogenic"),
        ("intron_variant", None, "pathogenic&benign"), ("intron_variant", None, "Conflicting_interpretations"),
        ("5_prime_UTR_variant", None, None), (None, None, None),
    ]
    ht = hl.Table.parallelize(
        [hl.Struct(i=i, consequence_terms=c, spliceai=s, clin_sig=v) for i, (c, s, v) in enumerate(cases)],
        hl.tstruct(i=hl.tint32, consequence_terms=hl.tstr, spliceai=hl.tfloat64, clin_sig=hl.tstr),
    )
    got = dict(ht.aggregate(hl.agg.collect((ht.i, gate_expr(ht)))))
    assert got == {i: gate_reason(consequence=c, spliceai=s, clin_sig=v) for i, (c, s, v) in enumerate(cases)}
    assert got[0] == "protein_altering" and got[2] == "spliceai" and got[4] == "clinvar" and got[7] is None
