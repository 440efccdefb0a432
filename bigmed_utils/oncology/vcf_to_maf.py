"""Convert a small table of VEP-annotated somatic variants (from a VCF) into MAF-like rows.

Consequence -> ``Variant_Classification`` follows vcf2maf (Kandoth et al., https://github.com/mskcc/vcf2maf,
``GetVariantClassification``): the most severe Sequence Ontology term of a ``&``-joined consequence
decides; frameshifts and in-frame indels are split into ``_Del``/``_Ins`` by allele lengths. Positions
and alleles are converted to MAF conventions: the shared anchor base of an indel is removed, ``-`` marks
the empty allele, and an insertion spans the two bases around it.
"""

from __future__ import annotations

import pandas as pd

from ..errors import InputDataError
from .hgvsp import normalise_hgvsp

#: SO consequence terms, most severe first (Ensembl VEP consequence ranking)
_SEVERITY: tuple[str, ...] = (
    "transcript_ablation", "splice_acceptor_variant", "splice_donor_variant", "stop_gained",
    "frameshift_variant", "stop_lost", "start_lost", "transcript_amplification", "inframe_insertion",
    "inframe_deletion", "missense_variant", "protein_altering_variant", "splice_region_variant",
    "incomplete_terminal_codon_variant", "start_retained_variant", "stop_retained_variant",
    "synonymous_variant", "coding_sequence_variant", "mature_miRNA_variant", "5_prime_UTR_variant",
    "3_prime_UTR_variant", "non_coding_transcript_exon_variant", "intron_variant",
    "NMD_transcript_variant", "non_coding_transcript_variant", "upstream_gene_variant",
    "downstream_gene_variant", "TFBS_ablation", "TFBS_amplification", "TF_binding_site_variant",
    "regulatory_region_ablation", "regulatory_region_amplification", "feature_elongation",
    "regulatory_region_variant", "feature_truncation", "intergenic_variant",
)
_RANK = {term: i for i, term in enumerate(_SEVERITY)}

_SIMPLE = {
    "transcript_ablation": "Splice_Site",
    "splice_acceptor_variant": "Splice_Site",
    "splice_donor_variant": "Splice_Site",
    "stop_gained": "Nonsense_Mutation",
    "stop_lost": "Nonstop_Mutation",
    "start_lost": "Translation_Start_Site",
    "missense_variant": "Missense_Mutation",
    "coding_sequence_variant": "Missense_Mutation",
    "conservative_missense_variant": "Missense_Mutation",
    "rare_amino_acid_variant": "Missense_Mutation",
    "transcript_amplification": "Intron",
    "splice_region_variant": "Splice_Region",
    "incomplete_terminal_codon_variant": "Silent",
    "synonymous_variant": "Silent",
    "stop_retained_variant": "Silent",
    "start_retained_variant": "Silent",
    "NMD_transcript_variant": "Silent",
    "mature_miRNA_variant": "RNA",
    "non_coding_exon_variant": "RNA",
    "non_coding_transcript_exon_variant": "RNA",
    "non_coding_transcript_variant": "RNA",
    "nc_transcript_variant": "RNA",
    "5_prime_UTR_variant": "5'UTR",
    "5_prime_UTR_premature_start_codon_gain_variant": "5'UTR",
    "3_prime_UTR_variant": "3'UTR",
    "intron_variant": "Intron",
    "upstream_gene_variant": "5'Flank",
    "downstream_gene_variant": "3'Flank",
}


def _most_severe(consequence: str) -> str:
    terms = [t.strip() for t in str(consequence).split("&") if t.strip()]
    if not terms:
        return ""
    return min(terms, key=lambda t: _RANK.get(t, len(_RANK)))


def variant_classification(consequence: str, ref: str, alt: str) -> str:
    """MAF ``Variant_Classification`` of a VEP consequence (vcf2maf rules)."""
    term = _most_severe(consequence)
    inframe = abs(len(ref) - len(alt)) % 3 == 0
    is_del, is_ins = len(ref) > len(alt), len(alt) > len(ref)
    if term == "frameshift_variant" or (term == "protein_altering_variant" and not inframe):
        return "Frame_Shift_Del" if is_del else "Frame_Shift_Ins" if is_ins else "Missense_Mutation"
    if term in ("inframe_insertion", "inframe_deletion") or (term == "protein_altering_variant" and inframe):
        return "In_Frame_Ins" if is_ins else "In_Frame_Del" if is_del else "Missense_Mutation"
    if term in _SIMPLE:
        return _SIMPLE[term]
    if term in ("", "intergenic_variant") or term.startswith(("TF", "regulatory", "feature")):
        return "IGR" if term in ("", "intergenic_variant") else "Targeted_Region"
    return "Targeted_Region"


def _maf_alleles(pos: int, ref: str, alt: str) -> tuple[int, int, str, str, str]:
    """MAF start, end, ref, alt and Variant_Type from VCF pos/ref/alt (anchor base removed)."""
    # strip the shared prefix (VCF anchor) and suffix
    prefix = 0
    while prefix < min(len(ref), len(alt)) and ref[prefix] == alt[prefix]:
        prefix += 1
    r, a = ref[prefix:], alt[prefix:]
    start = pos + prefix
    if not r:  # insertion between start-1 and start
        return start - 1, start, "-", a, "INS"
    if not a:
        return start, start + len(r) - 1, r, "-", "DEL"
    vtype = {1: "SNP", 2: "DNP", 3: "TNP"}.get(len(r), "ONP") if len(r) == len(a) else (
        "DEL" if len(r) > len(a) else "INS")
    return start, start + len(r) - 1, r, a, vtype


def maf_from_vcf_table(df: pd.DataFrame, *, tumor_sample: str | None = None) -> pd.DataFrame:
    """MAF-like rows from a table with ``gene, hgvsp, consequence, chrom, pos, ref, alt``.

    Optional columns ``sample`` (tumour barcode) and ``exon`` are carried over as
    ``Tumor_Sample_Barcode`` and ``Exon_Number``; ``tumor_sample`` fills the barcode otherwise. The
    original VCF coordinates are kept in column ``variant`` (``chrom:pos:ref:alt``).
    """
    required = ["gene", "hgvsp", "consequence", "chrom", "pos", "ref", "alt"]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputDataError(f"variant table lacks column(s) {', '.join(missing)} for MAF conversion")
    rows = []
    for rec in df.to_dict("records"):
        ref, alt = str(rec["ref"]).upper(), str(rec["alt"]).upper()
        start, end, mref, malt, vtype = _maf_alleles(int(rec["pos"]), ref, alt)
        short = normalise_hgvsp(rec["hgvsp"])
        rows.append({
            "Hugo_Symbol": rec["gene"],
            "Chromosome": str(rec["chrom"]),
            "Start_Position": start,
            "End_Position": end,
            "Reference_Allele": mref,
            "Tumor_Seq_Allele1": mref,
            "Tumor_Seq_Allele2": malt,
            "Variant_Classification": variant_classification(rec["consequence"], ref, alt),
            "Variant_Type": vtype,
            "Tumor_Sample_Barcode": rec.get("sample", tumor_sample) if rec.get("sample") is not None else tumor_sample,
            "HGVSp_Short": f"p.{short}" if short else pd.NA,
            "Exon_Number": rec.get("exon"),
            "variant": f"{rec['chrom']}:{rec['pos']}:{ref}:{alt}",
        })
    out = pd.DataFrame(rows, columns=["Hugo_Symbol", "Chromosome", "Start_Position", "End_Position",
                                      "Reference_Allele", "Tumor_Seq_Allele1", "Tumor_Seq_Allele2",
                                      "Variant_Classification", "Variant_Type", "Tumor_Sample_Barcode",
                                      "HGVSp_Short", "Exon_Number", "variant"])
    out["Start_Position"] = out["Start_Position"].astype("Int64")
    out["End_Position"] = out["End_Position"].astype("Int64")
    return out


__all__ = ["maf_from_vcf_table", "variant_classification"]
