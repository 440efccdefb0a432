"""Inheritance modes on a hand-made VCF with one planted variant per pattern and decoys."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from bigmed_utils.errors import InputDataError, ParameterError
from bigmed_utils.genomics.inheritance import GATE_STEP, MODES, InheritanceThresholds, find_candidates
from bigmed_utils.io.ped import read_ped
from bigmed_utils.io.vcf import read_vcf

DATA = Path(__file__).resolve().parents[1] / "data" / "vcf"


def planted() -> dict[str, str | None]:
    spec = importlib.util.spec_from_file_location("make_test_vcfs", DATA / "make_test_vcfs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.PLANTED


@pytest.fixture(scope="module")
def trio_mt(hail_session):
    return read_vcf(DATA / "trio.vcf")


@pytest.fixture(scope="module")
def ped():
    return read_ped(DATA / "trio.ped")


@pytest.fixture(scope="module")
def fam1(trio_mt, ped):
    return find_candidates(trio_mt, ped, proband="P1")


@pytest.fixture(scope="module")
def fam2(trio_mt, ped):
    return find_candidates(trio_mt, ped, proband="D_P")


def test_thresholds_defaults():
    t = InheritanceThresholds()
    # Exomiser preset: dominant & de novo 0.1 %, recessive 1 %, compound het 2 %
    assert (t.de_novo_max_af, t.dominant_max_af, t.recessive_max_af, t.compound_het_max_af) == (
        0.001, 0.001, 0.01, 0.02
    )
    with pytest.raises(ParameterError, match="recessive_max_af: 2 is not a fraction"):
        InheritanceThresholds(recessive_max_af=2)


def test_planted_modes_found_and_decoys_not(fam1, fam2):
    truth = planted()
    found = set(zip(fam1.candidates["variant_id"], fam1.candidates["mode"])) | set(
        zip(fam2.candidates["variant_id"], fam2.candidates["mode"])
    )
    expected = {(v, m) for v, m in truth.items() if m is not None}
    assert found == expected
    # every mode but X-linked dominant (which needs a heterozygous female proband: tests/rare_disease/test_clinical_traps.py)
    assert set(fam1.candidates["mode"]) | set(fam2.candidates["mode"]) == set(MODES) - {"x_linked_dominant"}
    assert set(fam1.candidates["gate"]) == {"protein_altering"}


def test_de_novo_callers(fam1):
    c = fam1.candidates.set_index(["variant_id", "mode"])
    dn = c.loc[("chr1:1000100:A:G", "de_novo")]
    assert dn["rules"] == "de_novo_rule,hail_de_novo"
    assert dn["de_novo_confidence"] == "HIGH" and dn["p_de_novo"] > 0.99
    assert c.loc[("chrX:60000000:C:T", "de_novo"), "rules"] == "x_de_novo"


def _cached_import(folder, text):
    """The VCF ``text`` imported through the cache (the route of a case analysis: the gated rows and Hail's
    de novo calls are then cached too)."""
    from bigmed_utils.io.vcf_cache import read_vcf_cached

    vcf = folder / "trio.vcf"
    vcf.write_text(text)
    return read_vcf_cached(vcf, cache_dir=folder / "cache")


def test_cached_route_gives_the_candidates_of_the_direct_route(tmp_path, trio_mt, ped, fam1, fam2):
    """Through the cache, hl.de_novo runs once on the gated rows' calls as imported and a call stands when
    both parents' calls pass the genotype filter; directly, it runs on the filtered calls. Same candidates,
    the same de novo calls with the same p and confidence."""
    mt = _cached_import(tmp_path, (DATA / "trio.vcf").read_text())
    for direct, proband in ((fam1, "P1"), (fam2, "D_P")):
        via_cache = find_candidates(mt, ped, proband=proband)
        pd.testing.assert_frame_equal(via_cache.candidates, direct.candidates)
        assert via_cache.funnel == direct.funnel
    hail = fam1.candidates[fam1.candidates["rules"].str.contains("hail_de_novo")]
    assert list(hail["variant_id"]) == ["chr1:1000100:A:G"] and hail["p_de_novo"].iloc[0] > 0.99
    assert list((tmp_path / "cache").glob("*.hail-de-novo-*.json")) and list((tmp_path / "cache").glob("*.gated-*.mt"))


def test_no_hail_de_novo_call_when_a_parents_call_fails_the_genotype_filter(tmp_path, ped):
    """Trap: the father's hom-ref call at the planted de novo site has GQ 10 (below min_gq 20). The allele's
    origin cannot be judged from that call: neither the rule nor hl.de_novo may call it de novo (hl.de_novo on
    the calls as imported, cached, does: it checks only the child's GQ)."""
    lines = []
    for line in (DATA / "trio.vcf").read_text().splitlines(keepends=True):
        if line.startswith("chr1\t1000100\t"):
            fields = line.rstrip("\n").split("\t")
            assert fields[10] == "0/0:30,0:30:60:0,60,600"  # F1, the father
            fields[10] = "0/0:30,0:30:10:0,60,600"
            line = "\t".join(fields) + "\n"
        lines.append(line)
    found = find_candidates(_cached_import(tmp_path, "".join(lines)), ped, proband="P1").candidates
    assert "chr1:1000100:A:G" not in set(found["variant_id"])


def test_a_failed_hl_de_novo_is_not_cached(tmp_path, ped, monkeypatch):
    """hl.de_novo failing (logged, the rule-based caller still runs) leaves no cached "no calls": the next
    analysis runs it again and finds the planted de novo call."""
    from bigmed_utils.genomics import hail_de_novo

    mt = _cached_import(tmp_path, (DATA / "trio.vcf").read_text())
    monkeypatch.setattr(hail_de_novo, "de_novo_calls", lambda *args, **kwargs: None)
    failed = find_candidates(mt, ped, proband="P1").candidates
    assert not failed["rules"].str.contains("hail_de_novo").any()
    assert not list((tmp_path / "cache").glob("*.hail-de-novo-*.json"))
    monkeypatch.undo()
    again = find_candidates(mt, ped, proband="P1").candidates
    assert set(again.loc[again["rules"].str.contains("hail_de_novo"), "variant_id"]) == {"chr1:1000100:A:G"}


def test_compound_het_partners_and_cis_excluded(fam1):
    c = fam1.candidates
    ch = c[c["mode"] == "compound_heterozygous"].set_index("variant_id")
    assert ch.loc["chr3:3000300:G:A", "partners"] == ["chr3:3000400:T:C"]
    assert ch.loc["chr3:3000300:G:A", "rules"] == "paternal_side"
    assert ch.loc["chr3:3000400:T:C", "rules"] == "maternal_side"
    assert "CIS1" not in set(c["gene"]) and "SIB1" not in set(c["gene"])


def test_genotypes_of_every_member(fam1):
    r = fam1.candidates.set_index(["variant_id", "mode"]).loc[("chr2:2000200:C:T", "autosomal_recessive")]
    assert r["genotypes"] == {"P1": "1/1", "F1": "0/1", "M1": "0/1", "S1": "0/1"}
    assert (r["GT_P1"], r["GT_F1"]) == ("1/1", "0/1")
    assert r["low_quality"] == []
    assert fam1.members == {"proband": "P1", "father": "F1", "mother": "M1", "relatives": ["S1"]}


def test_funnel(fam1):
    steps = dict(fam1.funnel)
    assert steps["variants in VCF (after split)"] == 20
    assert steps["proband carries an ALT allele"] == 15  # P1 is 0/0 at 5 of the 20 rows
    # the two alleles at chr6:6000600 (AF 0.2, 0.3) and chr8:8001000 (MAX_AF 0.05) are common
    assert steps["population AF <= 0.02 (loosest mode ceiling)"] == 12
    assert steps["FILTER = PASS"] == 11  # chr8:8000900 is LowQual
    assert steps["proband carries ALT with a good genotype"] == 11
    assert steps[GATE_STEP] == 11  # every rare variant of P1 here is missense or stop gained
    assert steps["candidates in any mode"] == 6
    assert [s for s, _ in fam1.funnel[:5]] == [
        "variants in VCF (after split)", "proband carries an ALT allele",
        "population AF <= 0.02 (loosest mode ceiling)", "FILTER = PASS", "proband carries ALT with a good genotype",
    ]
    assert fam1.funnel[5][0] == GATE_STEP
    counts = [n for _, n in fam1.funnel[:7]]
    assert counts == sorted(counts, reverse=True)


def test_af_ceiling_is_configurable(trio_mt, ped):
    res = find_candidates(
        trio_mt, ped, proband="P1", thresholds=InheritanceThresholds(de_novo_max_af=0.1), use_hail_de_novo=False
    )
    dn = set(res.candidates.loc[res.candidates["mode"] == "de_novo", "variant_id"])
    assert "chr8:8001000:G:C" in dn  # MAX_AF 0.05 passes a 10 % ceiling
    assert "chr8:8000800:A:C" not in dn  # father's GQ 10 still fails the genotype filter


def test_ped_sample_absent_from_vcf(trio_mt, tmp_path):
    p = tmp_path / "extra.ped"
    p.write_text((DATA / "trio.ped").read_text() + "FAM1\tX9\tF1\tM1\t1\t1\n")
    with pytest.raises(InputDataError) as err:
        find_candidates(trio_mt, read_ped(p), proband="P1")
    assert str(err.value) == f"{p}: samples 'X9' of the PED are absent from the VCF {DATA / 'trio.vcf'}"


def test_proband_absent_from_vcf(trio_mt, tmp_path):
    p = tmp_path / "q.ped"
    p.write_text("FAMQ\tQ1\t0\t0\t1\t2\n")
    with pytest.raises(InputDataError) as err:
        find_candidates(trio_mt, read_ped(p), proband="Q1")
    assert str(err.value).startswith(f"{DATA / 'trio.vcf'}: proband 'Q1' is not a sample of the VCF")


def test_singleton_compound_het_is_unphased(trio_mt, tmp_path):
    p = tmp_path / "solo.ped"
    p.write_text("SOLO\tP1\t0\t0\t1\t2\n")
    res = find_candidates(trio_mt, read_ped(p), proband="P1", use_hail_de_novo=False)
    c = res.candidates
    ch = c[c["mode"] == "compound_heterozygous"]
    # without parents the cis pair cannot be told from the trans pair: all three genes are listed
    assert set(ch["gene"]) == {"CHT1", "CIS1", "SIB1"}
    assert set(ch["rules"]) == {"unphased_side"}
    assert "de_novo" not in set(c["mode"])  # de novo needs both parents
    assert "chr1:1000100:A:G" in set(c.loc[c["mode"] == "autosomal_dominant", "variant_id"])
