"""Family QC: known values on the GIAB trio, and a planted sample swap and sex mismatch."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pandas as pd
import pytest

from bigmed_utils.genomics.qc import (
    IMPUTE_SEX_FEMALE_MAX_F,
    IMPUTE_SEX_MALE_MIN_F,
    KING_BOUNDS,
    MAX_MENDEL_ERROR_RATE,
    MIN_VARIANTS_FOR_FLAGS,
    QcResult,
    expected_kinship,
    king_degree,
    parentage,
    run_qc,
)
from bigmed_utils.io.ped import read_ped
from bigmed_utils.io.vcf import read_vcf

DATA = Path(__file__).resolve().parents[1] / "data" / "vcf"


def test_king_bounds_published():
    # Manichaikul et al. 2010, Table 1: 1/2^(9/2), 1/2^(7/2), 1/2^(5/2), 1/2^(3/2)
    assert KING_BOUNDS == pytest.approx([2 ** -4.5, 2 ** -3.5, 2 ** -2.5, 2 ** -1.5], abs=5e-4)  # published rounded
    assert [king_degree(x) for x in (0.25, 0.125, 0.06, 0.0, 0.5)] == [
        "first", "second", "third", "unrelated", "duplicate"
    ]


def test_sex_thresholds_published():
    # PLINK 1.9 --check-sex and Hail's impute_sex: female F < 0.2, male F > 0.8
    import inspect

    import hail as hl

    defaults = inspect.signature(hl.impute_sex).parameters
    assert (IMPUTE_SEX_FEMALE_MAX_F, IMPUTE_SEX_MALE_MIN_F) == (0.2, 0.8)
    assert defaults["female_threshold"].default == IMPUTE_SEX_FEMALE_MAX_F
    assert defaults["male_threshold"].default == IMPUTE_SEX_MALE_MIN_F


@pytest.mark.parametrize(("ped_sex", "f", "imputed", "flagged"), [
    (1, 0.15, "female", True),   # a "son" whose chrX is heterozygous: sample swap or wrong PED
    (2, 0.15, "female", False),
    (2, 0.30, None, False),      # between 0.2 and 0.8: no call, so no mismatch (was "female" with 0.4)
    (1, 0.30, None, False),      # mosaic loss of Y / contamination: unknown, not a confident mismatch
    (1, 0.79, None, False),
    (1, 0.85, "male", False),
    (2, 0.85, "male", True),     # a "daughter" homozygous along chrX: 45,X, a swap or a wrong PED
    (2, float("nan"), None, False),  # no polymorphic chrX site: no call
])
def test_sex_call_and_flag_at_the_thresholds(ped_sex, f, imputed, flagged):
    from types import SimpleNamespace

    from bigmed_utils.genomics.qc import MIN_X_VARIANTS, _sample_metrics

    q = SimpleNamespace(n_called=1000, n_not_called=0, n_hom_ref=400, n_het=400, n_transition=200,
                        n_transversion=100)
    counts = SimpleNamespace(n=1000, samples=[q], sex=SimpleNamespace(
        n_x=MIN_X_VARIANTS, ib=[SimpleNamespace(f_stat=None if f != f else f)]))
    ped = pd.DataFrame([{"individual_id": "S", "sex": ped_sex}])
    row = _sample_metrics(counts, ["S"], ped).iloc[0]
    assert (row["imputed_sex"] == imputed) if imputed else (row["imputed_sex"] is None)
    assert bool(row["flag_sex"]) is flagged
    message = f"PED sex {'male' if ped_sex == 1 else 'female'} but chrX looks {imputed}"
    assert (message in " ".join(row["flags"])) is flagged


def test_expected_kinship_from_ped():
    phi = expected_kinship(read_ped(DATA / "trio.ped"))
    assert phi[("P1", "F1")] == 0.25 and phi[("P1", "S1")] == 0.25  # parent-child, full sibs
    assert phi[("F1", "M1")] == 0.0 and phi[("P1", "P1")] == 0.5
    assert phi[("P1", "D_P")] == 0.0


def simulate_family_vcf(path: Path, *, n_auto: int = 1000, n_x: int = 100, seed: int = 7,
                        rough: bool = False) -> None:
    """Father (male), mother (female), son, and an unrelated woman U; Mendelian transmission, GRCh38.

    ``rough``: what real calls also hold, from a second random stream (the first gives the same calls):
    haploid chrX calls of the men, 3 % no-calls, and a few multi-base substitutions and indels."""
    rng = random.Random(seed)
    rough_rng = random.Random(seed + 1)
    ti = {("A", "G"), ("G", "A"), ("C", "T"), ("T", "C")}
    bases = "ACGT"
    lines = [
        "##fileformat=VCFv4.2",
        "##contig=<ID=chr1,length=248956422>",
        "##contig=<ID=chrX,length=156040895>",
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tDAD\tMOM\tKID\tU",
    ]

    def snv() -> tuple[str, str]:
        ref = rng.choice(bases)
        if rng.random() < 2 / 3:  # Ti/Tv ~ 2, as in real genomes
            alt = next(b for (a, b) in ti if a == ref)
        else:
            alt = rng.choice([b for b in bases if b != ref and (ref, b) not in ti])
        return ref, alt

    def hap(p: float) -> int:
        return int(rng.random() < p)

    for i in range(n_auto + n_x):
        x = i >= n_auto
        p = rng.uniform(0.3, 0.7)
        if x:
            dad = [hap(p)] * 2  # hemizygous, written diploid
            mom = [hap(p), hap(p)]
            kid = [rng.choice(mom)] * 2  # a son gets his X from his mother
        else:
            dad = [hap(p), hap(p)]
            mom = [hap(p), hap(p)]
            kid = [rng.choice(dad), rng.choice(mom)]
        u = [hap(p), hap(p)]
        gts = ["/".join(map(str, sorted(g))) for g in (dad, mom, kid, u)]
        ref, alt = snv()
        if rough:
            if x:  # the men's chrX calls written haploid, as many callers do
                gts[0], gts[2] = gts[0][0], gts[2][0]
            gts = [("./." if "/" in g else ".") if rough_rng.random() < 0.03 else g for g in gts]
            kind = rough_rng.random()
            if kind < 0.05:
                ref, alt = "C" + ref, "C" + alt  # a substitution Hail still classes as an SNV
            elif kind < 0.1:
                alt = ref + "T"  # an insertion: no transition, no transversion
        chrom, pos = ("chrX", 10_000_000 + 1000 * i) if x else ("chr1", 1_000_000 + 1000 * i)
        lines.append(f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t50\tPASS\t.\tGT\t" + "\t".join(gts))
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def family_mt(hail_session, tmp_path_factory):
    p = tmp_path_factory.mktemp("qc") / "family.vcf"
    simulate_family_vcf(p)
    return read_vcf(p, csq_required=False)


def test_correct_ped_gives_no_flags(family_mt, tmp_path):
    ped = tmp_path / "ok.ped"
    ped.write_text("F\tDAD\t0\t0\t1\t1\nF\tMOM\t0\t0\t2\t1\nF\tKID\tDAD\tMOM\t1\t2\nF\tU\t0\t0\t2\t1\n")
    q = run_qc(family_mt, read_ped(ped))
    assert not q.any_flag, (q.samples, q.trios, q.pairs)
    s = q.samples.set_index("sample")
    assert s.loc["KID", "imputed_sex"] == "male" and s.loc["MOM", "imputed_sex"] == "female"
    assert (s["call_rate"] == 1.0).all()
    assert q.trios.loc[0, "mendel_errors"] == 0
    pairs = q.pairs.set_index(["sample_1", "sample_2"])
    assert 0.177 <= pairs.loc[("DAD", "KID"), "kinship"] <= 0.354
    # the true parents: maternity and paternity confirmed (PS2 may apply to a de novo variant)
    assert parentage(q, proband="KID", father="DAD", mother="MOM").confirmed


def test_sample_swap_and_sex_mismatch_flagged(family_mt, tmp_path):
    # PED says U is the mother and KID is female: the swap shows as Mendel errors and kinship, the sex as chrX
    ped = tmp_path / "swap.ped"
    ped.write_text("F\tDAD\t0\t0\t1\t1\nF\tMOM\t0\t0\t2\t1\nF\tKID\tDAD\tU\t2\t2\nF\tU\t0\t0\t2\t1\n")
    q = run_qc(family_mt, read_ped(ped))
    s = q.samples.set_index("sample")
    assert s.loc["KID", "flag_sex"] and not s.loc["DAD", "flag_sex"]
    assert "PED sex female but chrX looks male" in s.loc["KID", "flags"][0]
    trio = q.trios.iloc[0]
    assert trio["flag_mendel"] and trio["mendel_error_rate"] > MAX_MENDEL_ERROR_RATE
    pairs = q.pairs.set_index(["sample_1", "sample_2"])
    assert pairs.loc[("KID", "U"), "flag_relatedness"]  # PED: mother-son; data: unrelated
    assert "sample swap" in pairs.loc[("KID", "U"), "flags"][0]
    assert pairs.loc[("KID", "MOM"), "flag_relatedness"]  # PED: unrelated; data: first degree
    assert not pairs.loc[("DAD", "KID"), "flag_relatedness"]
    # the PED's mother is not the biological mother: parentage not confirmed (a de novo call is only assumed)
    check = parentage(q, proband="KID", father="DAD", mother="U")
    assert not check.confirmed
    assert check.note.startswith("parentage not confirmed: Mendelian error rate ")
    # the QC cache stores this JSON form: it must give back equal tables (lists of flags, NaN, booleans)
    back = QcResult.from_dict(json.loads(json.dumps(q.to_dict())))
    for name in ("samples", "trios", "pairs"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(q, name), check_dtype=False)
    assert back.samples.set_index("sample").loc["KID", "flags"] == s.loc["KID", "flags"]


def hail_reference_qc(mt, ped_df):
    """Family QC with Hail's own methods (how run_qc computed it before it became one aggregation)."""
    import hail as hl

    from bigmed_utils.io.ped import ped_to_hail_pedigree

    members = set(ped_df["individual_id"])
    mt = mt.filter_cols(hl.literal(members).contains(mt.s)).select_rows().select_entries("GT")
    mt = mt.filter_rows(hl.agg.any(hl.or_else(mt.GT.is_non_ref(), False)))
    qc = hl.sample_qc(mt).cols()
    samples = qc.select(call_rate=qc.sample_qc.call_rate, n_called=qc.sample_qc.n_called, n_het=qc.sample_qc.n_het,
                        n_hom_var=qc.sample_qc.n_hom_var, n_snp=qc.sample_qc.n_snp,
                        het_hom_ratio=qc.sample_qc.r_het_hom_var, ti_tv=qc.sample_qc.r_ti_tv).to_pandas()
    xmt = mt.filter_rows(mt.locus.in_x_nonpar() & (hl.len(mt.alleles) == 2))
    # hl.impute_sex refuses haploid calls: a man's haploid chrX call is homozygous (PLINK's convention)
    xmt = xmt.annotate_entries(GT=hl.if_else(xmt.GT.ploidy == 1, hl.call(xmt.GT[0], xmt.GT[0]), xmt.GT))
    sx = hl.impute_sex(xmt.GT).to_pandas()
    sx["imputed_sex"] = [None if pd.isna(v) else ("female" if v else "male") for v in sx["is_female"]]
    samples = samples.merge(sx[["s", "imputed_sex", "f_stat"]], on="s").rename(columns={"s": "sample",
                                                                                        "f_stat": "chrx_f"})
    pedigree = ped_to_hail_pedigree(ped_df)
    errors, _, _, _ = hl.mendel_errors(mt.GT, pedigree)
    per_child = {r.s: r.n for r in errors.group_by(errors.s).aggregate(n=hl.agg.count()).collect()}
    tm = hl.trio_matrix(mt, pedigree, complete_trios=True)
    tm = tm.annotate_cols(n=hl.agg.count_where(hl.is_defined(tm.proband_entry.GT) & hl.is_defined(tm.father_entry.GT)
                                               & hl.is_defined(tm.mother_entry.GT)))
    trios = {r.id: (per_child.get(r.id, 0), r.n) for r in tm.cols().collect()}
    auto = mt.filter_rows(mt.locus.in_autosome() & (hl.len(mt.alleles) == 2))
    king = hl.king(auto.GT).entries()
    kinship = {(r.s_1, r.s): r.phi for r in king.collect() if r.s_1 < r.s}
    return samples, trios, kinship


@pytest.mark.parametrize("ped_text", [
    "F\tDAD\t0\t0\t1\t1\nF\tMOM\t0\t0\t2\t1\nF\tKID\tDAD\tMOM\t1\t2\nF\tU\t0\t0\t2\t1\n",
    "F\tDAD\t0\t0\t1\t1\nF\tMOM\t0\t0\t2\t1\nF\tKID\tDAD\tU\t2\t2\nF\tU\t0\t0\t2\t1\n",  # swap
    "F\tDAD\t0\t0\t1\t1\nF\tMOM\t0\t0\t2\t1\nF\tKID\tDAD\tMOM\t0\t2\nF\tU\t0\t0\t0\t1\n",  # sex unknown
], ids=["true-ped", "swapped-mother", "unknown-sex"])
def test_one_pass_qc_equals_hails_own_methods(hail_session, tmp_path, ped_text):
    # haploid chrX calls, no-calls, multi-base substitutions and indels: what sample_qc, impute_sex and
    # mendel_errors each treat in their own way
    vcf, ped = tmp_path / "rough.vcf", tmp_path / "family.ped"
    simulate_family_vcf(vcf, rough=True)
    ped.write_text(ped_text)
    mt, ped_df = read_vcf(vcf, csq_required=False), read_ped(ped)
    q = run_qc(mt, ped_df)
    samples, trios, kinship = hail_reference_qc(mt, ped_df)
    cols = ["sample", "call_rate", "n_called", "n_het", "n_hom_var", "n_snp", "het_hom_ratio", "ti_tv", "chrx_f"]
    pd.testing.assert_frame_equal(q.samples[cols], samples[cols], check_dtype=False)
    assert list(q.samples["imputed_sex"]) == list(samples["imputed_sex"])
    # the men's haploid chrX calls count as homozygous: every sex is seen (Hail's impute_sex refuses them)
    assert dict(zip(q.samples["sample"], q.samples["imputed_sex"])) == {
        "DAD": "male", "KID": "male", "MOM": "female", "U": "female"}
    assert q.samples["call_rate"].min() < 1  # the no-calls are there
    got = {r["proband"]: (r["mendel_errors"], r["n_informative"]) for r in q.trios.to_dict("records")}
    assert got == trios
    assert (got["KID"][0] > 0) == (ped_text.count("U") == 2)  # errors only against the PED's wrong mother
    assert {(r["sample_1"], r["sample_2"]): r["kinship"] for r in q.pairs.to_dict("records")} == pytest.approx(kinship)


def test_giab_trio_known_values(hail_session, realdata):
    mt = read_vcf(realdata / "slivar_ashk-trio.vcf.gz", genome_build="GRCh37", csq_required=False)
    q = run_qc(mt, read_ped(realdata / "slivar_ashk-trio.ped"))
    assert not q.any_flag
    # a real trio: parent-child kinship near 1/4, parents unrelated, Mendel error rate below 1 %;
    # the kinship values are those hl.king gives on the same calls (0.258972, 0.249511, 0.012269)
    pairs = q.pairs.set_index(["sample_1", "sample_2"])
    assert pairs.loc[("HG002", "HG003"), "kinship"] == pytest.approx(0.258972, abs=1e-6)
    assert pairs.loc[("HG002", "HG004"), "kinship"] == pytest.approx(0.249511, abs=1e-6)
    assert pairs.loc[("HG003", "HG004"), "kinship"] == pytest.approx(0.012269, abs=1e-6)
    assert q.trios.loc[0, "mendel_error_rate"] < 0.01
    s = q.samples.set_index("sample")
    assert s.loc["HG002", "ti_tv"] == pytest.approx(2.5, abs=0.1)  # exome-like Ti/Tv on chr1-2


def _qc(n_informative: int, rate: float, kin_father: float, kin_mother: float) -> QcResult:
    trios = pd.DataFrame([{"family_id": "F", "proband": "P", "father": "D", "mother": "M", "mendel_errors": 0,
                           "n_informative": n_informative, "mendel_error_rate": rate, "flag_mendel": False,
                           "flags": []}])
    pairs = pd.DataFrame([{"sample_1": "D", "sample_2": "P", "kinship": kin_father},
                          {"sample_1": "M", "sample_2": "P", "kinship": kin_mother}])
    return QcResult(samples=pd.DataFrame(), trios=trios, pairs=pairs)


def test_parentage_rules():
    assert parentage(_qc(500, 0.01, 0.25, 0.24), proband="P", father="D", mother="M").confirmed
    # non-paternity with a clean-looking Mendel rate (few informative sites would hide it): kinship decides
    check = parentage(_qc(500, 0.01, 0.02, 0.25), proband="P", father="D", mother="M")
    assert check == type(check)(False, "parentage not confirmed: KING kinship proband-father 0.020 (unrelated, "
                                       "expected first degree)")
    few = parentage(_qc(MIN_VARIANTS_FOR_FLAGS - 1, 0.0, 0.25, 0.25), proband="P", father="D", mother="M")
    assert few.note == f"parentage not confirmed: only {MIN_VARIANTS_FOR_FLAGS - 1} informative sites (< 100) " \
                       "for the Mendelian error rate"
    assert parentage(None, proband="P", father="D", mother="M").note == "parentage not checked (no family QC)"
    assert not parentage(_qc(500, 0.01, 0.25, 0.25), proband="P", father=None, mother="M").confirmed
