"""CSQ parsing: Ensembl severity order, VEP allele notation, transcript/gene choice, field subsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from bigmed_utils.genomics.csq import (
    CONSEQUENCE_SEVERITY,
    TRANSCRIPT_RULE,
    consequence_rank,
    parse_csq_format,
    vep_allele_expr,
)
from bigmed_utils.io.vcf import read_vcf

DATA = Path(__file__).resolve().parents[1] / "data" / "vcf"


def test_severity_order_matches_ensembl_table():
    # Ensembl "Calculated variant consequences" table (release 113), most severe first; the same list is
    # published as Clinical-Genomics/reference-files rare-disease/vep_variant_consequences v1.0
    published = (
        "transcript_ablation splice_acceptor_variant splice_donor_variant stop_gained frameshift_variant "
        "stop_lost start_lost transcript_amplification feature_elongation feature_truncation inframe_insertion "
        "inframe_deletion missense_variant protein_altering_variant splice_donor_5th_base_variant "
        "splice_region_variant splice_donor_region_variant splice_polypyrimidine_tract_variant "
        "incomplete_terminal_codon_variant start_retained_variant stop_retained_variant synonymous_variant "
        "coding_sequence_variant mature_miRNA_variant 5_prime_UTR_variant 3_prime_UTR_variant "
        "non_coding_transcript_exon_variant intron_variant NMD_transcript_variant non_coding_transcript_variant "
        "coding_transcript_variant upstream_gene_variant downstream_gene_variant TFBS_ablation TFBS_amplification "
        "TF_binding_site_variant regulatory_region_ablation regulatory_region_amplification "
        "regulatory_region_variant intergenic_variant sequence_variant"
    ).split()
    assert [t for t, _ in CONSEQUENCE_SEVERITY] == published
    impact = dict(CONSEQUENCE_SEVERITY)
    assert impact["stop_gained"] == "HIGH" and impact["missense_variant"] == "MODERATE"
    assert impact["synonymous_variant"] == "LOW" and impact["intron_variant"] == "MODIFIER"
    assert consequence_rank("initiator_codon_variant") == consequence_rank("start_lost")  # VEP < 2015 name
    assert consequence_rank("made_up_term") == len(CONSEQUENCE_SEVERITY)
    assert "CANONICAL=YES" in TRANSCRIPT_RULE


def test_parse_csq_format():
    desc = "Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL"
    assert parse_csq_format(desc) == ["Allele", "Consequence", "IMPACT", "SYMBOL"]
    assert parse_csq_format("no format here") == []


@pytest.mark.parametrize(
    "alleles, index, expected",
    [
        (["A", "G"], 1, "G"),  # SNV unchanged
        (["T", "TC"], 1, "C"),  # insertion: shared first base dropped
        (["CT", "C"], 1, "-"),  # deletion: empty allele is '-'
        (["A", "G", "AT"], 1, "G"),  # indel record, first bases differ: nothing trimmed
        (["A", "G", "AT"], 2, "AT"),
        (["AT", "A", "ATT"], 1, "-"),  # all share 'A': trimmed
        (["AT", "A", "ATT"], 2, "TT"),
        (["ATG", "GTC"], 1, "GTC"),  # MNV: unchanged
    ],
)
def test_vep_allele_notation(hail_session, alleles, index, expected):
    hl = hail_session
    assert hl.eval(vep_allele_expr(hl.literal(alleles), hl.int32(index))) == expected


@pytest.fixture(scope="module")
def trio_rows(hail_session):
    return {r.variant_id: r for r in read_vcf(DATA / "trio.vcf").rows().collect()}


def test_split_multiallelic_matches_each_allele(trio_rows):
    snv, ins = trio_rows["chr6:6000600:A:G"], trio_rows["chr6:6000600:A:AT"]
    assert (snv.consequence, snv.max_af) == ("missense_variant", 0.3)
    assert (ins.consequence, ins.max_af, ins.impact) == ("frameshift_variant", 0.2, "HIGH")
    assert snv.was_split and ins.was_split


def test_indel_alleles(trio_rows):
    assert trio_rows["chr6:6000700:CT:C"].gene == "DELG"
    assert trio_rows["chr6:6000800:T:TA"].gene == "INSG"


def test_canonical_beats_severity_within_gene_and_severity_across_genes(trio_rows):
    r = trio_rows["chr7:7000700:C:G"]
    # GENEB: canonical synonymous chosen over the non-canonical missense; GENEB (synonymous) beats GENEA (intron)
    assert (r.gene, r.transcript, r.consequence, r.canonical) == ("GENEB", "ENST_GENEB_1", "synonymous_variant", True)
    assert r.genes == ["GENEA", "GENEB"]


def test_fields_and_af(trio_rows):
    r = trio_rows["chr2:2000200:C:T"]
    assert (r.gene, r.gene_id, r.hgvsp, r.exon, r.max_af, r.af_missing) == (
        "RECG", "ENSG_RECG", "ENSP_RECG:p.Arg10Ter", "2/10", 0.001, False
    )
    novel = trio_rows["chr1:1000100:A:G"]
    assert novel.max_af == 0.0 and novel.af_missing  # no frequency: treated as novel, flagged
    assert novel.revel == pytest.approx(0.9)
    assert trio_rows["chrX:50000000:G:A"].clin_sig == "pathogenic"


def test_subset_of_csq_fields(hail_session):
    (r,) = read_vcf(DATA / "csq_subset.vcf").rows().collect()
    # only Consequence|Allele|SYMBOL|Feature|CANONICAL: canonical ENST1 wins over the stop_gained ENST2
    assert (r.gene, r.transcript, r.consequence) == ("SUB1", "ENST1", "missense_variant")
    assert r.consequence_terms == "missense_variant&splice_region_variant"
    assert r.impact == "MODERATE"  # no IMPACT field: taken from the Ensembl table
    assert r.gene_id is None and r.hgvsc is None and r.revel is None
