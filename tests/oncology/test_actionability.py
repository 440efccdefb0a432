"""Actionability knowledge base and matching on spelled variants."""

from __future__ import annotations

import pandas as pd
import pytest

from bigmed_utils.errors import ReferenceDataError
from bigmed_utils.oncology.actionability import (
    RAS_HOTSPOT_CODONS,
    exon_of_codon,
    load_knowledge_base,
    match_actionability,
    summarise_actionability,
)
from bigmed_utils.oncology.msi import assess_msi
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
    assert kb.attrs["version"] == "2026.12.1" and kb.attrs["date"] == "2026-12-06"
    assert "OncoKB" in open(kb.attrs["path"]).read(2000)
    assert kb["source"].str.len().min() > 10
    # every row has an evidence level (or is an explicit 'unknown meaning' row), a date and a source
    rated = kb[kb["kind"] != "unknown"]
    assert set(rated["level"]) <= {"1", "2", "3A", "3B", "4", "R1", "R2"} and set(kb.loc[kb["kind"] == "unknown", "level"]) == {""}
    assert kb["date"].str.fullmatch(r"\d{4}(-\d{2}-\d{2})?").all()


def test_ras_hotspots_are_the_guideline_codons():
    # Allegra et al. 2016 (ASCO PCO), Sepulveda et al. 2017, ESMO 2023: exon 2 codons 12, 13; exon 3 codons 59, 61;
    # exon 4 codons 117, 146 of KRAS and NRAS
    assert RAS_HOTSPOT_CODONS == {12, 13, 59, 61, 117, 146}
    assert {exon_of_codon("KRAS", c) for c in (12, 13)} == {2} and {exon_of_codon("NRAS", c) for c in (59, 61)} == {3}
    assert {exon_of_codon("KRAS", c) for c in (117, 146)} == {4}
    kb = load_knowledge_base()
    ras = kb[kb["gene"].isin(["KRAS", "NRAS"]) & (kb["rule_type"] == "codon")]
    assert set(ras["rule"]) == {"12,13,59,61,117,146"} and set(ras["level"]) == {"R1"}
    assert set(zip(ras["gene"], ras["therapy"])) == {(g, t) for g in ("KRAS", "NRAS") for t in ("cetuximab", "panitumumab")}
    assert not (kb["rule_type"] == "exon").any()  # no blanket exon 2-4 rule any more


@pytest.mark.parametrize("spelling", ["p.V600E", "p.Val600Glu"])
def test_braf_v600e_both_forms(spelling):
    m = match_actionability(alts(("BRAF", spelling)))
    assert ("BRAF V600E", "encorafenib + cetuximab", "1") in therapies(m)
    assert "BEACON" in m.loc[m["therapy"] == "encorafenib + cetuximab", "source"].iloc[0]


def test_braf_v600e_flags_anti_egfr_monotherapy():
    m = match_actionability(alts(("BRAF", "p.V600E")))
    flag = m[m["kind"] == "resistance"]
    assert list(flag["therapy"]) == ["cetuximab or panitumumab without a BRAF inhibitor (alone or with chemotherapy)"]
    assert list(flag["level"]) == ["R2"] and "highly unlikely" in flag["source"].iloc[0]
    assert "Pietrantonio" in flag["source"].iloc[0]
    # the combination with encorafenib stays a level-1 option
    assert ("BRAF V600E", "encorafenib + cetuximab", "1") in therapies(m, "sensitive")


def test_braf_v600k_does_not_match_v600e_rule():
    # in colorectal cancer the encorafenib approvals name V600E only: V600K is shown as of unknown meaning
    m = match_actionability(alts(("BRAF", "p.V600K")))
    assert list(m["kind"]) == ["unknown"] and list(m["level"]) == [""]
    assert "V600E only" in m["source"].iloc[0]


def test_kras_g12c_versus_g12d():
    g12c = match_actionability(alts(("KRAS", "p.Gly12Cys")))
    assert {("KRAS G12C", "sotorasib + panitumumab", "1"), ("KRAS G12C", "adagrasib + cetuximab", "1")} <= therapies(g12c, "sensitive")
    g12d = match_actionability(alts(("KRAS", "p.G12D")))
    assert therapies(g12d, "sensitive") == set()
    assert therapies(g12d, "resistance") == {("KRAS G12D", "cetuximab", "R1"), ("KRAS G12D", "panitumumab", "R1")}


def test_nras_exon4_a146t_is_anti_egfr_resistance():
    m = match_actionability(alts(("NRAS", "p.Ala146Thr")))
    assert therapies(m) == {("NRAS A146T", "cetuximab", "R1"), ("NRAS A146T", "panitumumab", "R1")}
    assert "Allegra" in m["source"].iloc[0] and "Sepulveda" in m["source"].iloc[0]


def test_kras_e31k_is_unknown_meaning_not_resistance():
    # codon 31 lies in exon 2 but is not a guideline hotspot: shown as of unknown therapeutic meaning
    assert exon_of_codon("KRAS", 31) == 2
    m = match_actionability(alts(("KRAS", "p.Glu31Lys")))
    assert list(m["kind"]) == ["unknown"] and list(m["level"]) == [""]
    assert m["therapy"].iloc[0] == "cetuximab, panitumumab"
    assert "does not exclude cetuximab" in m["source"].iloc[0]
    s = summarise_actionability(m)
    assert s["resistance"] == [] and s["actionable"] == []
    assert [u["alteration"] for u in s["unknown_meaning"]] == ["KRAS E31K"]
    # NRAS too, and a non-hotspot exon 2 change such as KRAS Q22K
    for gene, change in (("NRAS", "p.E31K"), ("KRAS", "p.Q22K")):
        assert set(match_actionability(alts((gene, change)))["kind"]) == {"unknown"}


def test_kras_g13d_rules_out_anti_egfr():
    m = match_actionability(alts(("KRAS", "p.Gly13Asp")))
    assert therapies(m) == {("KRAS G13D", "cetuximab", "R1"), ("KRAS G13D", "panitumumab", "R1")}
    assert all("ICECREAM" in src for src in m["source"])


def test_exon_number_and_synonymous_changes():
    # a codon outside the hotspots with an exon number from the MAF: still unknown meaning, never resistance
    df = pd.DataFrame({"gene": ["KRAS"], "hgvsp": ["p.K169N"], "Exon_Number": ["5/5"],
                       "Variant_Classification": ["Missense_Mutation"]})
    assert set(match_actionability(df)["kind"]) == {"unknown"}
    # a synonymous change at codon 12 is not a RAS mutation and not shown
    df = pd.DataFrame({"gene": ["KRAS"], "hgvsp": ["p.G12="], "Variant_Classification": ["Silent"]})
    assert match_actionability(df).empty


def test_biomarkers_msi_and_tmb():
    m = match_actionability(alts(), msi_status="MSI-H", tmb_high=True)
    assert {("MSI-H", "pembrolizumab", "1"), ("MSI-H", "nivolumab", "1"), ("MSI-H", "nivolumab + ipilimumab", "1"),
            ("TMB-H", "pembrolizumab", "1")} == therapies(m)
    assert match_actionability(alts(), msi_status="MSS", tmb_high=False).empty
    # dMMR (by IHC) adds dostarlimab to the three MSI-H/dMMR rows
    assert len(match_actionability(alts(), msi_status="dMMR")) == 4


def test_dostarlimab_needs_dmmr_by_ihc():
    dost = lambda m: ("dMMR", "dostarlimab", "1") in therapies(m)  # noqa: E731
    assert not dost(match_actionability(alts(), msi_status="MSI-H"))  # MSI-H by sequencing only
    assert dost(match_actionability(alts(), msi_status="dMMR"))
    assert dost(match_actionability(alts(), msi_status=assess_msi(msi_score=30.0, mmr_ihc="deficient")))
    assert not dost(match_actionability(alts(), msi_status=assess_msi(msi_score=30.0)))


@pytest.mark.parametrize("alteration, kwargs, therapy, date", [
    (("MLH1", None, None), {"msi_status": "dMMR"}, "dostarlimab", "2021-08-17"),
    (("RET", "fusion", "NCOA4-RET fusion"), {}, "selpercatinib", "2022-09-21"),
    (("NTRK1", "fusion", "TPM3-NTRK1 fusion"), {}, "repotrectinib", "2024-06-13"),
    (("NTRK3", "fusion", "ETV6-NTRK3 fusion"), {}, "larotrectinib", "2018-11-26"),
    (("NTRK2", "fusion", "NTRK2 fusion"), {}, "entrectinib", "2019-08-15"),
    (("ERBB2", None, None), {"her2_ihc": "3+"}, "trastuzumab deruxtecan", "2024-04-05"),
    (("KRAS", "mutation", "p.G12C"), {}, "sotorasib + panitumumab", "2025-01-16"),
    (("KRAS", "mutation", "p.G12C"), {}, "adagrasib + cetuximab", "2024-06-21"),
    (("MLH1", None, None), {"msi_status": "MSI-H"}, "pembrolizumab", "2017-05-23"),
    (("MLH1", None, None), {"msi_status": "MSI-H"}, "nivolumab + ipilimumab", "2018-07-10"),
])
def test_approvals_with_dates(alteration, kwargs, therapy, date):
    gene, kind, text = alteration
    df = pd.DataFrame({"gene": [gene], "alteration_type": [kind or "mutation"], "alteration": [text],
                       "hgvsp": [text if kind == "mutation" else None]})
    m = match_actionability(df if kind else df.iloc[:0], **kwargs)
    row = m[m["therapy"] == therapy]
    assert len(row) == 1 and row["level"].iloc[0] == "1" and row["date"].iloc[0].startswith(date)
    assert "FDA" in row["source"].iloc[0]




def test_her2_amplification_needs_ras_and_braf_wild_type():
    amp = pd.DataFrame({"gene": ["ERBB2"], "alteration_type": ["amplification"], "hgvsp": [None]})
    m = match_actionability(amp)
    assert ("ERBB2 amplification", "tucatinib + trastuzumab", "1") in therapies(m)
    assert ("ERBB2 amplification", "trastuzumab + pertuzumab", "2") in therapies(m)
    assert ("ERBB2 amplification", "trastuzumab + lapatinib", "2") in therapies(m)

    def with_(gene, change):
        return pd.concat([amp, pd.DataFrame({"gene": [gene], "hgvsp": [change]})], ignore_index=True)

    assert not (match_actionability(with_("KRAS", "p.G13D"))["gene"] == "ERBB2").any()  # RAS mutant
    assert not (match_actionability(with_("NRAS", "p.Q61K"))["gene"] == "ERBB2").any()
    assert not (match_actionability(with_("BRAF", "p.V600E"))["gene"] == "ERBB2").any()  # BRAF V600E
    # a KRAS variant outside the hotspots leaves the tumour RAS wild type by the guideline definition
    assert ("ERBB2 amplification", "tucatinib + trastuzumab", "1") in therapies(match_actionability(with_("KRAS", "p.E31K")))


def test_her2_ihc3_trastuzumab_deruxtecan_without_ras_condition():
    ihc = match_actionability(pd.DataFrame({"gene": ["KRAS"], "hgvsp": ["p.G12D"]}), her2_ihc="3+")
    assert ("HER2 IHC 3+", "trastuzumab deruxtecan", "1") in therapies(ihc)  # tumour-agnostic label, any RAS
    assert "tucatinib + trastuzumab" not in set(ihc["therapy"])  # RAS/BRAF wild-type only
    wt = match_actionability(alts(), her2_ihc="3+")
    assert {"trastuzumab deruxtecan", "tucatinib + trastuzumab", "trastuzumab + pertuzumab"} <= set(wt["therapy"])
    assert match_actionability(alts(), her2_ihc="2+").empty


POLE_PATHOGENIC = ["P286R", "V411L", "S297F", "A456P", "S459F", "F367S", "L424I", "M295R", "P436R", "M444K", "D368Y"]


@pytest.mark.parametrize("change", POLE_PATHOGENIC)
def test_pole_pathogenic_exonuclease_mutations_earn_level_4(change):
    m = match_actionability(alts(("POLE", f"p.{change}")))
    assert therapies(m) == {(f"POLE {change}", "immune checkpoint inhibitor (investigational)", "4")}
    assert "León-Castillo" in m["source"].iloc[0]


@pytest.mark.parametrize("change", ["p.D275H", "p.E329K", "p.A456V", "p.R1826W"])
def test_pole_passenger_missense_earns_no_level(change):
    # D275H, E329K and A456V lie in the exonuclease domain (268-471) but are not pathogenic EDMs; R1826W outside it
    m = match_actionability(alts(("POLE", change)))
    assert list(m["kind"]) == ["unknown"] and list(m["level"]) == [""]


def test_ntrk_fusion():
    fusion = pd.DataFrame({"gene": ["NTRK1"], "alteration": ["TPM3-NTRK1 fusion"]})
    assert therapies(match_actionability(fusion)) == {("TPM3-NTRK1 fusion", "larotrectinib", "1"),
                                                      ("TPM3-NTRK1 fusion", "entrectinib", "1"),
                                                      ("TPM3-NTRK1 fusion", "repotrectinib", "1")}


def test_maf_input_per_sample_and_summary():
    maf = pd.DataFrame({
        "Hugo_Symbol": ["KRAS", "BRAF", "ERBB2", "ERBB2"],
        "HGVSp_Short": ["p.G12C", "p.V600E", None, None],
        "Variant_Classification": ["Missense_Mutation", "Missense_Mutation", None, None],
        "alteration_type": ["mutation", "mutation", "amplification", "amplification"],
        "Tumor_Sample_Barcode": ["T1", "T2", "T2", "T3"],
    })
    m = match_actionability(maf, msi_status="MSI-H")
    assert set(m["sample"]) == {"T1", "T2", "T3"}
    # HER2 therapy only in T3 (RAS and BRAF wild type there; T2 carries BRAF V600E)
    assert set(m.loc[m["gene"] == "ERBB2", "sample"]) == {"T3"}
    assert m.attrs["kb_version"]
    s = summarise_actionability(m[m["sample"] == "T1"])
    assert set(s) == {"actionable", "resistance", "unknown_meaning"}
    assert {"alteration", "therapy", "level", "source"} == set(s["actionable"][0])
    assert {r["therapy"] for r in s["resistance"]} == {"cetuximab", "panitumumab"}
    # sorted by level: level 1 first, resistance last
    levels = list(m[m["sample"] == "T1"]["level"])
    assert levels.index("1") < levels.index("R1")


HEADER = "# version: x\n# date: 2026-01-01\nid\tgene\trule_type\trule\tcondition\tlevel\tkind\ttherapy\tdate\tsource\n"


@pytest.mark.parametrize("row, message", [
    ("X1\tBRAF\tprotein\tV600E\t\t5\tsensitive\tdrug\t2020\tsrc", "rule X1: unknown level '5'"),
    ("X2\tBRAF\tprotein\tV600E\t\tR1\tsensitive\tdrug\t2020\tsrc", "X2: level R1 does not fit kind 'sensitive'"),
    ("X3\tKRAS\tother\t*\t\tR1\tunknown\tdrug\t2020\tsrc", "X3: kind 'unknown' needs rule_type 'other' and no level"),
    ("X4\tKRAS\tother\t*\t\t4\tsensitive\tdrug\t2020\tsrc", "X4: rule_type 'other' is for kind 'unknown' only"),
    ("X5\tBRAF\tprotein\tV600E\t\t1\tsensitive\tdrug\tApril 2020\tsrc", "X5: date 'April 2020' must be YYYY"),
    ("X6\tBRAF\tprotein\tV600E,Q\t\t1\tsensitive\tdrug\t2020\tsrc", "X6: protein rule 'Q' is not a protein change"),
])
def test_bad_knowledge_base(tmp_path, row, message):
    p = tmp_path / "kb.tsv"
    p.write_text(HEADER + row + "\n")
    with pytest.raises(ReferenceDataError, match=message):
        load_knowledge_base(p)
    p.write_text(HEADER.replace("\tdate", "") + row.replace("\t2020", "") + "\n")
    with pytest.raises(ReferenceDataError, match="lacks column\\(s\\) date"):
        load_knowledge_base(p)
