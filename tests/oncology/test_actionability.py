"""Actionability knowledge base and matching on spelled variants."""

from __future__ import annotations

import pandas as pd
import pytest

from bigmed_utils.errors import ReferenceDataError
from bigmed_utils.oncology.actionability import (
    exon_of_codon,
    load_knowledge_base,
    match_actionability,
    summarise_actionability,
)
from bigmed_utils.oncology.hgvsp import normalise_hgvsp, parse_hgvsp


def alts(*rows):
    return pd.DataFrame(rows, columns=["gene", "hgvsp"])


def therapies(df, kind=None):
    d = df if kind is None else df[df["kind"] == kind]
    return set(zip(d["alteration"], d["therapy"], d["level"]))


@pytest.mark.parametrize("text", ["p.V600E", "p.Val600Glu", "V600E", "ENSP00000419060.1:p.Val600Glu", "p.(Val600Glu)"])
def test_hgvsp_spellings_normalise(text):
    assert normalise_hgvsp(text) == "V600E"


def test_hgvsp_parsing():
    assert parse_hgvsp("p.Gly12Cys").position == 12
    assert parse_hgvsp("p.R213X").short == "R213*"
    assert parse_hgvsp("p.Ter468GlnextTer20").position == 468
    assert parse_hgvsp("p.T1556Nfs*3").alt is None
    assert normalise_hgvsp(".") is None and normalise_hgvsp(float("nan")) is None


def test_kb_is_versioned_and_cited():
    kb = load_knowledge_base()
    assert kb.attrs["version"] and kb.attrs["date"] == "2026-11-29"
    assert "OncoKB" in open(kb.attrs["path"]).read(2000)
    assert kb["source"].str.len().min() > 10
    assert set(kb["level"]) <= {"1", "2", "3A", "3B", "4", "R1", "R2"}


@pytest.mark.parametrize("spelling", ["p.V600E", "p.Val600Glu"])
def test_braf_v600e_both_forms(spelling):
    m = match_actionability(alts(("BRAF", spelling)))
    assert ("BRAF V600E", "encorafenib + cetuximab", "1") in therapies(m)
    assert "BEACON" in m.loc[m["therapy"] == "encorafenib + cetuximab", "source"].iloc[0]


def test_braf_v600k_does_not_match_v600e_rule():
    # in colorectal cancer the encorafenib approvals name V600E only
    assert match_actionability(alts(("BRAF", "p.V600K"))).empty


def test_kras_g12c_versus_g12d():
    g12c = match_actionability(alts(("KRAS", "p.Gly12Cys")))
    assert {("KRAS G12C", "sotorasib + panitumumab", "1"), ("KRAS G12C", "adagrasib + cetuximab", "1")} <= therapies(g12c, "sensitive")
    g12d = match_actionability(alts(("KRAS", "p.G12D")))
    assert therapies(g12d, "sensitive") == set()
    assert therapies(g12d, "resistance") == {("KRAS G12D", "cetuximab", "R1"), ("KRAS G12D", "panitumumab", "R1")}


def test_nras_exon4_a146t_is_anti_egfr_resistance():
    m = match_actionability(alts(("NRAS", "p.Ala146Thr")))
    assert therapies(m) == {("NRAS A146T", "cetuximab", "R1"), ("NRAS A146T", "panitumumab", "R1")}
    assert "NCCN" in m["source"].iloc[0] and "Sepulveda" in m["source"].iloc[0]


def test_exon_rule_beyond_hotspots_and_exon_number():
    assert exon_of_codon("KRAS", 12) == 2 and exon_of_codon("KRAS", 61) == 3 and exon_of_codon("NRAS", 146) == 4
    # KRAS Q22K (exon 2, not a label hotspot) still excludes anti-EGFR (NCCN: any exon 2-4 mutation)
    m = match_actionability(alts(("KRAS", "p.Q22K")))
    assert m["rule_id"].str.contains("RAS-E").all() and set(m["level"]) == {"R1"}
    # Exon_Number from the MAF wins over the codon table; exon 5 -> no rule
    df = pd.DataFrame({"gene": ["KRAS"], "hgvsp": ["p.K169N"], "Exon_Number": ["5/5"],
                       "Variant_Classification": ["Missense_Mutation"]})
    assert match_actionability(df).empty
    # a synonymous change at codon 12 is not a RAS mutation
    df = pd.DataFrame({"gene": ["KRAS"], "hgvsp": ["p.G12="], "Variant_Classification": ["Silent"]})
    assert match_actionability(df).empty


def test_biomarkers_msi_and_tmb():
    m = match_actionability(alts(), msi_status="MSI-H", tmb_high=True)
    assert {("MSI-H", "pembrolizumab", "1"), ("MSI-H", "nivolumab", "1"), ("MSI-H", "nivolumab + ipilimumab", "1"),
            ("TMB-H", "pembrolizumab", "1")} == therapies(m)
    assert match_actionability(alts(), msi_status="MSS", tmb_high=False).empty
    assert len(match_actionability(alts(), msi_status="dMMR")) == 3


def test_her2_amplification_needs_ras_wild_type():
    amp = pd.DataFrame({"gene": ["ERBB2"], "alteration_type": ["amplification"], "hgvsp": [None]})
    m = match_actionability(amp)
    assert ("ERBB2 amplification", "tucatinib + trastuzumab", "1") in therapies(m)
    assert ("ERBB2 amplification", "trastuzumab + pertuzumab", "2") in therapies(m)
    with_kras = pd.concat([amp, pd.DataFrame({"gene": ["KRAS"], "hgvsp": ["p.G13D"]})], ignore_index=True)
    assert not (match_actionability(with_kras)["gene"] == "ERBB2").any()


def test_ntrk_fusion_and_pole():
    fusion = pd.DataFrame({"gene": ["NTRK1"], "alteration": ["TPM3-NTRK1 fusion"]})
    assert therapies(match_actionability(fusion)) == {("TPM3-NTRK1 fusion", "larotrectinib", "1"),
                                                      ("TPM3-NTRK1 fusion", "entrectinib", "1")}
    pole = match_actionability(alts(("POLE", "p.Pro286Arg")))
    assert set(pole["level"]) == {"4"}
    assert match_actionability(alts(("POLE", "p.R1826W"))).empty


def test_maf_input_per_sample_and_summary():
    maf = pd.DataFrame({
        "Hugo_Symbol": ["KRAS", "BRAF", "ERBB2"],
        "HGVSp_Short": ["p.G12C", "p.V600E", None],
        "Variant_Classification": ["Missense_Mutation", "Missense_Mutation", None],
        "alteration_type": ["mutation", "mutation", "amplification"],
        "Tumor_Sample_Barcode": ["T1", "T2", "T2"],
    })
    m = match_actionability(maf, msi_status="MSI-H")
    assert set(m["sample"]) == {"T1", "T2"}
    # HER2 therapy only in T2 (RAS wild type there)
    assert set(m.loc[m["gene"] == "ERBB2", "sample"]) == {"T2"}
    assert m.attrs["kb_version"]
    s = summarise_actionability(m[m["sample"] == "T1"])
    assert {"alteration", "therapy", "level", "source"} == set(s["actionable"][0])
    assert {r["therapy"] for r in s["resistance"]} == {"cetuximab", "panitumumab"}
    # sorted by level: level 1 first, resistance last
    levels = list(m[m["sample"] == "T1"]["level"])
    assert levels.index("1") < levels.index("R1")


def test_bad_knowledge_base(tmp_path):
    p = tmp_path / "kb.tsv"
    p.write_text("# version: x\n# date: 2026-01-01\nid\tgene\trule_type\trule\tcondition\tlevel\tkind\ttherapy\tsource\n"
                 "X1\tBRAF\tprotein\tV600E\t\t5\tsensitive\tdrug\tsrc\n")
    with pytest.raises(ReferenceDataError, match="rule X1: unknown level '5'"):
        load_knowledge_base(p)
    p.write_text("# version: x\n# date: 2026-01-01\nid\tgene\trule_type\trule\tcondition\tlevel\tkind\ttherapy\tsource\n"
                 "X2\tBRAF\tprotein\tV600E\t\tR1\tsensitive\tdrug\tsrc\n")
    with pytest.raises(ReferenceDataError, match="X2: level R1 does not fit kind 'sensitive'"):
        load_knowledge_base(p)
