"""Oncoplot matrix, mutual exclusivity, TMB plot, cohort join, drivers and the VCF-table-to-MAF converter."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from pathlib import Path

import pandas as pd
import pytest

from bigmed_utils.errors import InputDataError
from bigmed_utils.io.maf import read_maf
from bigmed_utils.oncology.cohort import cohort_table, driver_mutations, match_barcodes, read_clinical
from bigmed_utils.oncology.oncoplot import mutation_matrix, mutual_exclusivity, oncoplot, tmb_by_msi_plot
from bigmed_utils.oncology.tmb import compute_tmb
from bigmed_utils.oncology.vcf_to_maf import maf_from_vcf_table

DATA = Path(__file__).resolve().parents[1] / "data" / "oncology"


@pytest.fixture(scope="module")
def maf():
    return read_maf(DATA / "small.maf")


def test_mutation_matrix_marks_multi_hits(maf):
    m = mutation_matrix(maf, top_n=50, samples=["CRC0001-T", "CRC0002-T", "CRC0003-T"])
    assert m.loc["APC", "CRC0001-T"] == "Multi_Hit"  # nonsense + frameshift
    assert m.loc["KRAS", "CRC0001-T"] == "Missense_Mutation"  # one variant on two rows is one hit
    assert m.loc["APC", "CRC0003-T"] == "" and m.shape == (10, 3)
    assert m.columns[-1] == "CRC0003-T"  # unmutated tumour sorted last
    assert "TTN" not in m.index and "MALAT1" not in m.index  # silent and RNA not counted


def test_mutation_matrix_ranks_genes_by_mutated_tumours():
    maf = pd.DataFrame({"Hugo_Symbol": ["APC", "APC", "APC", "KRAS", "KRAS", "BRAF"],
                        "Tumor_Sample_Barcode": ["T1", "T2", "T3", "T2", "T3", "T1"],
                        "Variant_Classification": ["Nonsense_Mutation"] * 3 + ["Missense_Mutation"] * 3})
    m = mutation_matrix(maf, top_n=2)
    assert list(m.index) == ["APC", "KRAS"]
    assert list(m.columns) == ["T2", "T3", "T1"]  # memo sort: APC+KRAS tumours first


def test_oncoplot_with_annotation_tracks(maf):
    clinical = read_clinical(DATA / "clinical.csv")
    fig, m = oncoplot(maf, clinical=clinical, top_n=5)
    labels = [ax.get_yticklabels()[0].get_text() for ax in fig.axes if ax.get_yticklabels()]
    assert "msi_status" in labels and "side" in labels
    assert m.shape[0] == 5


def test_mutual_exclusivity_kras_braf():
    # 40 tumours: 14 KRAS-only, 6 BRAF-only, 0 both, 20 neither -> exclusive trend
    wide = pd.DataFrame({"KRAS": [True] * 14 + [False] * 26, "BRAF": [False] * 14 + [True] * 6 + [False] * 20})
    r = mutual_exclusivity(wide, "KRAS", "BRAF")
    assert (r.both, r.a_only, r.b_only, r.neither) == (0, 14, 6, 20)
    from scipy.stats import fisher_exact
    assert r.p_value == pytest.approx(fisher_exact([[0, 14], [6, 20]])[1])
    assert r.odds_ratio == 0 and r.p_exclusive < r.p_value
    assert r.to_dict()["odds_ratio"] == 0.0


def test_mutual_exclusivity_from_maf_counts_unmutated_tumours(maf):
    r = mutual_exclusivity(maf, "KRAS", "BRAF", samples=["CRC0001-T", "CRC0002-T", "CRC0003-T"])
    # BRAF intron variant of CRC0001-T is not counted; BRAF V600E in CRC0002-T is
    assert (r.both, r.a_only, r.b_only, r.neither) == (0, 1, 1, 1)


def test_tmb_by_msi_plot():
    df = pd.DataFrame({"patient_id": ["A", "B", "C", "D"], "tmb": [2.0, 3.5, 45.0, 0.0],
                       "msi_status": ["MSS", "MSS", "MSI-H", "MSS"]})
    fig = tmb_by_msi_plot(df, highlight="C")
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["MSI-H", "MSS"]


def test_match_barcodes():
    m = match_barcodes(["CRC0001-T", "CRC0010-T", "TCGA.AG.A002.01", "X"], ["CRC0001", "CRC0010", "TCGA-AG-A002"])
    assert m == {"CRC0001-T": "CRC0001", "CRC0010-T": "CRC0010", "TCGA.AG.A002.01": "TCGA-AG-A002"}
    # CRC0001 must not claim CRC00010-T
    assert match_barcodes(["CRC00010-T"], ["CRC0001"]) == {}


def test_cohort_table_and_drivers(maf):
    clinical = read_clinical(DATA / "clinical.csv")
    t = cohort_table(clinical, maf, callable_mb=0.5).set_index("patient_id")
    assert t.loc["CRC0001", "tmb"] == 12.0 and t.loc["CRC0001", "kras_braf"] == "KRAS"
    assert t.loc["CRC0002", "kras_braf"] == "BRAF V600E" and bool(t.loc["CRC0002", "braf_v600e"])
    assert pd.isna(t.loc["CRC0003", "tmb"])  # no tumour in the MAF
    d = driver_mutations(maf[maf["Tumor_Sample_Barcode"] == "CRC0001-T"])
    assert list(d["gene"][:3]) == ["APC", "APC", "TP53"]
    assert "chr12:25245350:C:T" in set(d["variant"])
    assert "G12D" in set(d["hgvsp"])


def test_read_clinical_rejects_bad_stage(tmp_path):
    p = tmp_path / "clinical.csv"
    p.write_text("patient_id,stage,os_months,os_event\nCRC1,III,10,1\nCRC2,V,12,0\n")
    with pytest.raises(InputDataError, match=r"column 'stage' has value 'V' for patient CRC2"):
        read_clinical(p)


def test_maf_from_vcf_table():
    df = pd.DataFrame({
        "gene": ["KRAS", "APC", "BRAF", "EGFR"],
        "hgvsp": ["ENSP00000256078.4:p.Gly12Asp", "p.Thr1556AsnfsTer3", "p.Val600Glu", None],
        "consequence": ["missense_variant", "frameshift_variant", "missense_variant&splice_region_variant",
                        "intron_variant"],
        "chrom": ["chr12", "chr5", "chr7", "chr7"], "pos": [25245350, 112840258, 140753336, 55000000],
        "ref": ["C", "C", "A", "ATG"], "alt": ["T", "CA", "T", "A"],
    })
    maf = maf_from_vcf_table(df, tumor_sample="T1")
    assert list(maf["Variant_Classification"]) == ["Missense_Mutation", "Frame_Shift_Ins", "Missense_Mutation", "Intron"]
    ins = maf.iloc[1]
    assert (ins["Start_Position"], ins["End_Position"], ins["Reference_Allele"], ins["Tumor_Seq_Allele2"],
            ins["Variant_Type"]) == (112840258, 112840259, "-", "A", "INS")
    dele = maf.iloc[3]
    assert (dele["Start_Position"], dele["Reference_Allele"], dele["Tumor_Seq_Allele2"]) == (55000001, "TG", "-")
    assert maf.loc[0, "HGVSp_Short"] == "p.G12D" and maf.loc[0, "variant"] == "chr12:25245350:C:T"
    assert compute_tmb(maf, callable_mb=1.0).n_variants == 3
