"""Clinical traps on hand-made trios (tests/trap_trios.py), each through ``analyse_case``, each asserting the
answer a clinical geneticist would give.

Runs: T1 with everything on (family QC, gate), T1 with the gate off and reduced penetrance on (no QC),
T2 (non-paternity, with QC), T3 (X-linked dominant, no QC). A few minutes in all.
"""

from __future__ import annotations

import pandas as pd
import pytest

import trap_trios as T
from bigmed_utils.genomics.inheritance import GATE_STEP
from bigmed_utils.params import validate_params
from bigmed_utils.rare_disease.analysis import analyse_case


@pytest.fixture(scope="module")
def trap_files(tmp_path_factory):
    return T.write_trap_trios(tmp_path_factory.mktemp("traps"))


def _run(trap_files, proband: str, *, family_qc: bool = True, **extra):
    vcf, ped = trap_files
    params = validate_params("rare_disease", {"case_id": proband, "vcf": str(vcf), "ped": str(ped), "proband": proband,
                                              "hpo_terms": T.HPO_TERMS, **extra})
    return analyse_case(params, family_qc=family_qc)


@pytest.fixture(scope="module")
def t1(trap_files, hail_session):
    return _run(trap_files, "T1-P")


@pytest.fixture(scope="module")
def t1_open(trap_files, hail_session):
    """T1 without the consequence gate and with the reduced-penetrance option (no family QC: PM6 for de novo)."""
    return _run(trap_files, "T1-P", family_qc=False, consequence_gate=False, reduced_penetrance=True)


@pytest.fixture(scope="module")
def t2(trap_files, hail_session):
    return _run(trap_files, "T2-P")


@pytest.fixture(scope="module")
def t3(trap_files, hail_session):
    return _run(trap_files, "T3-P", family_qc=False)


def rows(result, variant: str, mode: str | None = None) -> pd.DataFrame:
    c = result.candidates
    hit = c[c["variant_id"] == variant]
    return hit if mode is None else hit[hit["mode"] == mode]


def codes(row: pd.Series) -> list[str]:
    return [c["code"] for c in row["acmg_criteria"]]


def row_of(result, variant: str, mode: str) -> pd.Series:
    hit = rows(result, variant, mode)
    assert len(hit) == 1, (variant, mode, result.candidates[["variant_id", "mode"]].values.tolist())
    return hit.iloc[0]


# --- 1. the consequence gate --------------------------------------------------------------------------------


def test_intronic_and_synonymous_de_novo_in_a_matching_gene_are_gated_out(t1):
    # SCN1A fits the patient's epileptic encephalopathy, but neither variant changes the protein or a splice site
    assert rows(t1, T.DEEP_INTRONIC_SCN1A).empty
    assert rows(t1, T.SYNONYMOUS_SCN1A).empty
    frameshift = row_of(t1, T.FRAMESHIFT_STXBP1, "de_novo")
    assert frameshift["rank"] == 1
    assert frameshift["gate"] == "protein_altering"
    assert codes(frameshift)[:2] == ["PVS1", "PS2"]  # exon 5/20: NMD predicted; parentage confirmed by QC
    assert frameshift["acmg_class"] == "Pathogenic"


def test_without_the_gate_they_never_get_ps2_pm6_nor_likely_pathogenic_and_rank_below_the_frameshift(t1_open):
    frameshift_rank = row_of(t1_open, T.FRAMESHIFT_STXBP1, "de_novo")["rank"]
    for variant in (T.DEEP_INTRONIC_SCN1A, T.SYNONYMOUS_SCN1A):
        r = row_of(t1_open, variant, "de_novo")
        assert pd.isna(r["gate"]) or r["gate"] is None
        assert not {"PS2", "PM6"} & set(codes(r)), codes(r)
        assert r["acmg_class"] not in ("Pathogenic", "Likely pathogenic")
        assert r["rank"] > frameshift_rank
    # both carry a SpliceAI score <= 0.1: no predicted splicing impact (Walker et al. 2023)
    assert "BP7" in codes(row_of(t1_open, T.SYNONYMOUS_SCN1A, "de_novo"))
    assert "BP7" in codes(row_of(t1_open, T.DEEP_INTRONIC_SCN1A, "de_novo"))


def test_intronic_compound_het_pairs_are_not_candidates(t1, t1_open):
    # ASPM: both sides intronic; PAH: a missense paired only with an intronic variant
    for variant in (T.ASPM_INTRON_PAT, T.ASPM_INTRON_MAT, T.PAH_INTRON_MAT, T.PAH_MISSENSE_PAT):
        assert rows(t1, variant, "compound_heterozygous").empty, variant
    # without the gate the same pairs are formed: the gate is what removes them
    assert set(rows(t1_open, T.ASPM_INTRON_PAT, "compound_heterozygous")["partners"].iloc[0]) == {T.ASPM_INTRON_MAT}
    assert len(rows(t1_open, T.PAH_INTRON_MAT, "compound_heterozygous")) == 1


def test_clinvar_pathogenic_intronic_variant_passes_the_gate_without_pp5(t1):
    r = row_of(t1, T.KCNQ2_CLINVAR_INTRON, "de_novo")
    assert r["gate"] == "clinvar"
    assert "PP5" not in codes(r)


def test_funnel_shows_the_gate(t1, t1_open):
    steps = dict(t1.funnel)
    # 17 rare variants of good quality in the proband; 5 are intronic or synonymous without a splice
    # prediction or ClinVar assertion (2 SCN1A, 1 PAH, 2 ASPM)
    assert steps["proband carries ALT with a good genotype"] == 17
    assert steps[GATE_STEP] == 12
    names = [s for s, _ in t1.funnel]
    assert names.index(GATE_STEP) == names.index("proband carries ALT with a good genotype") + 1
    assert GATE_STEP not in dict(t1_open.funnel)
    assert {"step": GATE_STEP, "n": 12} in t1.summary["funnel"]
    assert t1.summary["consequence_gate"] is True and t1_open.summary["consequence_gate"] is False


# --- 2. ACMG/AMP by ClinGen SVI -----------------------------------------------------------------------------


def test_non_paternity_gives_pm6_not_ps2(t2):
    assert t2.summary["parentage"]["confirmed"] is False
    assert t2.summary["parentage"]["note"].startswith("parentage not confirmed: Mendelian error rate 0.")
    r = row_of(t2, T.FRAMESHIFT_STXBP1_T2, "de_novo")
    assert "PS2" not in codes(r)
    pm6 = next(c for c in r["acmg_criteria"] if c["code"] == "PM6")
    assert pm6["reason"].startswith("assumed de novo: parentage not confirmed: Mendelian error rate")


def test_true_parentage_is_confirmed(t1):
    assert t1.summary["parentage"] == {"confirmed": True, "note": ""}


def test_pp5_and_bp6_never_fire(t1, t1_open, t2):
    for result in (t1, t1_open, t2):
        fired = {c["code"] for crit in result.candidates["acmg_criteria"] for c in crit}
        assert not fired & {"PP5", "BP6"}


def test_pvs1_last_exon_is_not_full_strength(t1):
    r = row_of(t1, T.ARID1B_LAST_EXON_STOP, "de_novo")
    pvs1 = next(c for c in r["acmg_criteria"] if c["code"].startswith("PVS1"))
    # exon 20/20, stop at residue 2200 of 2236: 2 % of the protein lost, NMD not predicted
    assert (pvs1["code"], pvs1["points"]) == ("PVS1_Moderate", 2)
    assert "last exon (20/20): NMD not predicted; removes 2% of the protein (<= 10%)" in pvs1["reason"]


def test_pm3_point_table_in_trans_and_phase_unknown(t1):
    # CEP290: the missense is in trans (phased by the parents) with a likely pathogenic stop: 1 point = PM3
    missense = row_of(t1, T.CEP290_MISSENSE_MAT, "compound_heterozygous")
    stop = row_of(t1, T.CEP290_STOP_PAT, "compound_heterozygous")
    assert stop["acmg_class"] == "Likely pathogenic"
    pm3 = next(c for c in missense["acmg_criteria"] if c["code"].startswith("PM3"))
    assert (pm3["code"], pm3["points"]) == ("PM3", 2)
    assert "in trans (phased by transmission): 1 PM3 point(s)" in pm3["reason"]
    # the stop's partner is a VUS in trans: 0.25 points, below PM3_Supporting
    assert not any(c.startswith("PM3") for c in codes(stop))
    # USH2A: a de novo missense with a maternal frameshift, phase unknown: 0.5 points = PM3_Supporting
    dn_side = row_of(t1, T.USH2A_DE_NOVO_MISSENSE, "compound_heterozygous")
    assert dn_side["rules"] == "de_novo_side"
    assert dn_side["partner_phase"] == {T.USH2A_FRAMESHIFT_MAT: "unknown"}
    assert "PM3_Supporting" in codes(dn_side)
    # NPHS1 homozygous with both parents heterozygous: 0.5 points = PM3_Supporting
    assert "PM3_Supporting" in codes(row_of(t1, T.NPHS1_FINNISH_HOM, "autosomal_recessive"))


def test_pp4_is_reported_but_left_out_of_the_ranking_points(t1):
    r = row_of(t1, T.FRAMESHIFT_STXBP1, "de_novo")
    assert "PP4" in codes(r)
    assert r["acmg_points_without_pp4"] == r["acmg_points"] - 1
    first = t1.summary["candidates"][0]
    assert first["acmg_points_without_pp4"] == first["acmg_points"] - 1


# --- 3. population frequency --------------------------------------------------------------------------------


def test_variant_common_only_in_finland_is_neither_filtered_nor_ba1(t1):
    r = row_of(t1, T.NPHS1_FINNISH_HOM, "autosomal_recessive")
    assert r["af_source"] == "gnomAD grpmax (non-bottlenecked groups)"
    assert r["max_af"] == pytest.approx(1e-4)  # NFE; FIN 0.08 and "remaining" 0.001 are left out
    assert r["popmax_af"] == pytest.approx(1e-4)
    assert not {"BA1", "BS1"} & set(codes(r))
    top = t1.top.set_index("variant")
    assert top.loc[T.NPHS1_FINNISH_HOM, "AF source"] == "gnomAD grpmax (non-bottlenecked groups)"


# --- 4. mode of inheritance ------------------------------------------------------------------------------------


def test_compound_het_in_a_dominant_only_gene_is_flagged_inconsistent(t1):
    for variant in (T.FBN1_MISSENSE_PAT, T.FBN1_MISSENSE_MAT):
        r = row_of(t1, variant, "compound_heterozygous")
        assert r["gene_moi"] == ["AD"]
        assert r["moi_match"] == "inconsistent"
    assert row_of(t1, T.CEP290_MISSENSE_MAT, "compound_heterozygous")["moi_match"] == "consistent"
    # the USH2A de novo missense: inconsistent as a lone de novo het (recessive gene), consistent as a comp-het side
    assert row_of(t1, T.USH2A_DE_NOVO_MISSENSE, "de_novo")["moi_match"] == "inconsistent"
    assert row_of(t1, T.USH2A_DE_NOVO_MISSENSE, "compound_heterozygous")["moi_match"] == "consistent"
    fbn1 = next(c for c in t1.summary["candidates"] if c["variant"] == T.FBN1_MISSENSE_PAT)
    assert (fbn1["moi_match"], fbn1["gene_moi"]) == ("inconsistent", ["AD"])


def test_x_linked_dominant_in_a_heterozygous_female(t3):
    r = row_of(t3, T.PHEX_XLD_MAT, "x_linked_dominant")
    assert r["rules"] == "x_dominant_inherited"
    assert (r["gene_moi"], r["moi_match"]) == (["XLD"], "consistent")
    assert dict(t3.funnel)["  x_linked_dominant"] == 1


def test_reduced_penetrance_dominant_only_when_switched_on(t1, t1_open):
    assert rows(t1, T.COL2A1_FROM_UNAFFECTED_FATHER).empty
    r = row_of(t1_open, T.COL2A1_FROM_UNAFFECTED_FATHER, "autosomal_dominant")
    assert r["rules"] == "reduced_penetrance"
    assert r["moi_match"] == "consistent"
