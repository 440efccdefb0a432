"""The cardiac frequency filter (FAF95 / allele counts against the maximum credible AF of Whiffin et al. 2017),
the consequence gate with its splice exception, and the filtered-out table, on unit inputs and on a small
hand-made CPVT family (traps a clinician would set)."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy.stats import poisson  # noqa: E402

from bigmed_utils.cardiac import analysis as scd  # noqa: E402
from bigmed_utils.cardiac.filtering import consequence_gate  # noqa: E402
from bigmed_utils.cardiac.frequency import (  # noqa: E402
    SINGLE_ALLELE_FAF_FACTOR,
    assess_frequency,
    filtering_af,
    parse_frequency_field,
)
from bigmed_utils.cardiac.panels import max_credible_af, max_tolerated_ac  # noqa: E402
from bigmed_utils.errors import ParameterError  # noqa: E402

#: gnomAD v2.1 exomes, non-Finnish Europeans: 56,885 individuals, AN 113,770 at a fully covered autosomal site
NFE_AN = 113_770


# --- the arithmetic of Whiffin et al. 2017 -------------------------------------------------------------------


def test_filtering_af_is_the_poisson_lower_bound():
    # one allele: the AF at which P(X >= 1) = 5 %, i.e. -ln(0.95) / AN
    assert filtering_af(1, NFE_AN) == pytest.approx(-math.log(0.95) / NFE_AN, rel=1e-9)
    assert SINGLE_ALLELE_FAF_FACTOR == pytest.approx(0.051293, abs=1e-6)
    # any count: P(X >= AC | AN * FAF) = 0.05 exactly
    for ac in (2, 7, 40):
        faf = filtering_af(ac, NFE_AN)
        assert poisson.sf(ac - 1, NFE_AN * faf) == pytest.approx(0.05, rel=1e-6)
        assert faf < ac / NFE_AN
    assert filtering_af(0, NFE_AN) == 0.0
    with pytest.raises(ParameterError, match="allele number"):
        filtering_af(1, 0)


def test_allele_count_form_agrees_with_the_faf_form():
    # the variant is too common iff AC > qpois(0.95, AN x maxAF), iff (essentially) FAF > maxAF
    ceiling = max_credible_af("hcm")  # 4.0e-5, Whiffin et al. 2017
    tol = max_tolerated_ac(ceiling, allele_number=NFE_AN)
    assert tol == int(poisson.ppf(0.95, NFE_AN * ceiling)) == 8
    assert filtering_af(tol, NFE_AN) <= ceiling < filtering_af(tol + 2, NFE_AN)
    ok = assess_frequency({"gnomADe_NFE_AC": tol, "gnomADe_NFE_AN": NFE_AN}, ceiling=ceiling)
    bad = assess_frequency({"gnomADe_NFE_AC": tol + 1, "gnomADe_NFE_AN": NFE_AN}, ceiling=ceiling)
    assert not ok.too_common and bad.too_common
    assert bad.basis == "allele_count" and bad.max_tolerated_ac == 8 and bad.ac == 9
    assert "exceeds the maximum tolerated 8" in bad.reason


def test_a_cpvt_variant_seen_once_in_nfe_is_not_too_common():
    ceiling = max_credible_af("cpvt")
    raw = 1 / NFE_AN
    assert raw > ceiling  # the old rule (raw AF over every column) removed it
    for values in ({"gnomADe_NFE_AC": 1, "gnomADe_NFE_AN": NFE_AN, "gnomADe_NFE_AF": raw},  # counts
                   {"gnomADe_faf95_max": filtering_af(1, NFE_AN), "gnomADe_NFE_AF": raw},    # gnomAD FAF
                   {"gnomADe_NFE_AF": raw}):                                                   # raw AF only
        ev = assess_frequency(values, ceiling=ceiling, condition_label="CPVT")
        assert not ev.too_common, values
    assert assess_frequency({"gnomADe_NFE_AF": raw}, ceiling=ceiling).indeterminate


def test_bottlenecked_and_small_populations_are_not_used():
    # a Finnish founder variant at 1 % in FIN, absent elsewhere: not removed (gnomAD FAF excludes fin)
    ev = assess_frequency({"gnomADe_FIN_AC": 250, "gnomADe_FIN_AN": 25_000, "gnomADe_NFE_AC": 0,
                           "gnomADe_NFE_AN": NFE_AN}, ceiling=4e-5)
    assert not ev.too_common and ev.basis == "allele_count" and ev.filtering_af == 0.0
    assert ev.ignored == ["gnomADe_FIN_AC (FIN)", "gnomADe_FIN_AN (FIN)"]
    # 1000 Genomes and VEP MAX_AF are not read when gnomAD fields exist
    ev = assess_frequency({"EUR_AF": 0.002, "MAX_AF": 0.01, "gnomADe_NFE_AF": None}, ceiling=4e-5)
    assert not ev.too_common and ev.basis == "absent"
    # ... and MAX_AF only when the VCF has no gnomAD field at all
    ev = assess_frequency({"MAX_AF": 0.01}, ceiling=4e-5)
    assert ev.too_common and ev.basis == "vep_max_af"


def test_raw_af_alone_removes_only_what_a_single_allele_could_not_explain():
    ceiling = 4e-5
    bound = ceiling / SINGLE_ALLELE_FAF_FACTOR  # 7.8e-4
    assert assess_frequency({"gnomADe_NFE_AF": bound * 1.01}, ceiling=ceiling).too_common
    kept = assess_frequency({"gnomADe_NFE_AF": bound * 0.99}, ceiling=ceiling)
    assert not kept.too_common and kept.indeterminate
    assert kept.reason.startswith("frequency indeterminate")


@pytest.mark.parametrize("name, parsed", [
    ("gnomADe_NFE_AF", ("gnomade", "nfe", "af")),
    ("gnomAD_exomes_NFE_AC", ("gnomad_exomes", "nfe", "ac")),
    ("gnomADe_fafmax_faf95_max", ("gnomade", "max", "faf95")),
    ("GNOMADAF_popmax", ("gnomad", "max", "af")),
    ("gnomad_popmax_af", ("gnomad", "max", "af")),
    ("gnomADg_AF", ("gnomadg", None, "af")),
    ("gnomADe_FIN_AF", ("gnomade", "fin", "af")),
])
def test_field_names_of_vep_dbnsfp_scout_slivar(name, parsed):
    f = parse_frequency_field(name)
    assert (f.source, f.group, f.measure) == parsed


@pytest.mark.parametrize("name", ["MAX_AF", "AF", "EUR_AF", "gnomAD_exomes_nfe_bgr_AF", "gnomADe_AF_XX",
                                  "gnomAD_exomes_controls_AF", "gnomad_faf99", "gnomADe_nhomalt"])
def test_fields_not_used(name):
    assert parse_frequency_field(name) is None


# --- the consequence gate ---------------------------------------------------------------------------------------


def test_synonymous_and_intronic_variants_are_gated_with_the_reason():
    reason = consequence_gate("synonymous_variant")
    assert reason.startswith("synonymous_variant: synonymous") and "consequence gate" in reason
    assert "intronic" in consequence_gate("intron_variant&NMD_transcript_variant")
    assert consequence_gate("missense_variant") is None
    assert consequence_gate("stop_gained") is None


def test_splice_exception():
    assert consequence_gate("splice_region_variant&synonymous_variant") is None
    assert consequence_gate("splice_donor_5th_base_variant&intron_variant") is None
    assert consequence_gate("intron_variant", spliceai=0.2) is None  # Walker et al. 2023: >= 0.2
    assert "SpliceAI 0.19 < 0.2" in consequence_gate("intron_variant", spliceai=0.19)
    # a deep intronic variant with a ClinVar (likely) pathogenic assertion (e.g. MYBPC3 c.1224-52G>A) is kept
    assert consequence_gate("intron_variant", clin_sig="pathogenic") is None
    assert consequence_gate("intron_variant", clin_sig="conflicting_interpretations_of_pathogenicity") is not None


# --- a small CPVT family, end to end ----------------------------------------------------------------------------

CSQ = ["Allele", "Consequence", "IMPACT", "SYMBOL", "Gene", "Feature_type", "Feature", "BIOTYPE", "HGVSc", "HGVSp",
       "CANONICAL", "MAX_AF", "gnomADe_AF", "gnomADe_NFE_AF", "gnomADe_NFE_AC", "gnomADe_NFE_AN", "gnomADe_FIN_AF",
       "gnomADe_FIN_AC", "gnomADe_FIN_AN", "CLIN_SIG", "REVEL", "SpliceAI_pred_DS_AG", "SpliceAI_pred_DS_AL",
       "SpliceAI_pred_DS_DG", "SpliceAI_pred_DS_DL"]
SAMPLES = ["F-1", "F-2", "F-3", "F-4", "F-5"]
# F-1 father (affected), F-2 mother (unaffected), F-3 proband (affected), F-4 sister (affected), F-5 brother
PED = "C1\tF-1\t0\t0\t1\t2\nC1\tF-2\t0\t0\t2\t1\nC1\tF-3\tF-1\tF-2\t1\t2\nC1\tF-4\tF-1\tF-2\t2\t2\nC1\tF-5\tF-1\tF-2\t1\t1\n"

# name: (pos, ref, alt, gene, consequence, hgvsp, csq overrides, genotypes of F-1..F-5)
VARIANTS = {
    # RYR2 missense seen once among 113,770 NFE alleles (AF 8.8e-6 > CPVT ceiling 5e-6): must stay
    "once_nfe": (237500001, "C", "T", "RYR2", "missense_variant", "p.Arg420Trp",
                 dict(MAX_AF="8.79e-06", gnomADe_AF="3.98e-06", gnomADe_NFE_AF="8.79e-06", gnomADe_NFE_AC="1",
                      gnomADe_NFE_AN=str(NFE_AN), CLIN_SIG="likely_pathogenic", REVEL="0.951"),
                 ["0/1", "0/0", "0/1", "0/0", "0/1"]),
    # RYR2 missense common in NFE: removed by the allele-count test
    "common": (237500101, "G", "A", "RYR2", "missense_variant", "p.Gly1885Glu",
               dict(MAX_AF="0.012", gnomADe_AF="0.009", gnomADe_NFE_AF="0.012", gnomADe_NFE_AC="1365",
                    gnomADe_NFE_AN=str(NFE_AN), REVEL="0.41"),
               ["0/1", "0/1", "0/1", "0/0", "0/1"]),
    # RYR2 rare synonymous: gated
    "synonymous": (237500201, "A", "G", "RYR2", "synonymous_variant", "p.Leu500=", {},
                   ["0/0", "0/1", "0/1", "0/0", "0/0"]),
    # RYR2 intronic with a SpliceAI donor-gain score of 0.5: the splice exception keeps it
    "intron_spliceai": (237500301, "T", "C", "RYR2", "intron_variant", "", dict(SpliceAI_pred_DS_DG="0.50"),
                        ["0/0", "0/1", "0/1", "0/0", "0/0"]),
    # RYR2 variant common only in Finns (bottlenecked group): not removed
    "finnish": (237500401, "C", "G", "RYR2", "missense_variant", "p.Pro600Arg",
                dict(MAX_AF="0.01", gnomADe_AF="0.001", gnomADe_NFE_AF="0", gnomADe_NFE_AC="0",
                     gnomADe_NFE_AN=str(NFE_AN), gnomADe_FIN_AF="0.01", gnomADe_FIN_AC="250", gnomADe_FIN_AN="25000",
                     REVEL="0.30"),
                ["0/0", "0/1", "0/1", "0/0", "0/0"]),
}


def _gt_field(gt: str) -> str:
    if gt == "0/1":
        return "0/1:20,20:40:99"
    if gt == "1/1":
        return "1/1:0,40:40:99"
    return "0/0:40,0:40:99"


def _write_family(tmp) -> tuple:
    header = [
        "##fileformat=VCFv4.2",
        '##FILTER=<ID=PASS,Description="All filters passed">',
        "##contig=<ID=chr1,length=248956422>",
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
        '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
        '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: '
        + "|".join(CSQ) + '">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(SAMPLES),
    ]
    lines = []
    for name, (pos, ref, alt, gene, cons, hgvsp, over, gts) in VARIANTS.items():
        vals = {k: "" for k in CSQ}
        vals.update(Allele=alt, Consequence=cons, IMPACT="MODERATE", SYMBOL=gene, Gene="ENSG00000198626",
                    Feature_type="Transcript", Feature="ENST00000366574", BIOTYPE="protein_coding",
                    HGVSc=f"ENST00000366574:c.{pos % 10000}{ref}>{alt}",
                    HGVSp=f"ENSP00000355533:{hgvsp}" if hgvsp else "", CANONICAL="YES")
        vals.update(over)
        csq = "|".join(vals[k] for k in CSQ).replace("=", "%3D")
        lines.append("\t".join(["chr1", str(pos), f"{name}", ref, alt, "500", "PASS", f"CSQ={csq}",
                                "GT:AD:DP:GQ", *[_gt_field(g) for g in gts]]))
    vcf = tmp / "family.vcf"
    vcf.write_text("\n".join(header + lines) + "\n")
    ped = tmp / "family.ped"
    ped.write_text(PED)
    return vcf, ped


@pytest.fixture(scope="module")
def cpvt_family(hail_session, tmp_path_factory):
    from bigmed_utils.io.vcf import read_vcf

    vcf, ped = _write_family(tmp_path_factory.mktemp("cpvt"))
    mt = read_vcf(vcf)
    result = scd.analyse_family(family_id="C1", vcf=vcf, ped=ped, proband="F-3", conditions=["cpvt"], mt=mt,
                                make_figures=False)
    ids = {name: f"chr1:{v[0]}:{v[1]}:{v[2]}" for name, v in VARIANTS.items()}
    return result, ids


def test_cpvt_variant_seen_once_in_nfe_stays_and_is_classified(cpvt_family):
    result, ids = cpvt_family
    f = result.findings.set_index("variant")
    assert ids["once_nfe"] in f.index, "the RYR2 variant seen once in gnomAD NFE was lost"
    row = f.loc[ids["once_nfe"]]
    assert row["condition"] == "cpvt" and row["gene"] == "RYR2"
    assert row["frequency_basis"] == "allele_count"
    assert row["filtering_af"] == pytest.approx(filtering_af(1, NFE_AN))
    codes = row["acmg_codes"].split(",")
    assert "BS1" not in codes and "PM2_Supporting" in codes and "PP3_Strong" in codes
    # the affected sister does not carry it: one affected non-carrier is a possible phenocopy, not BS4
    assert "BS4" not in codes
    s = [x for x in result.summary["findings"] if x["variant"] == ids["once_nfe"]][0]
    assert s["frequency_basis"] == "allele_count" and s["filtering_af"] == pytest.approx(4.5e-7, rel=0.01)


def test_one_affected_non_carrier_gives_no_bs4_in_the_family(cpvt_family):
    result, ids = cpvt_family
    assert result.segregation_variant == ids["once_nfe"]
    seg = result.summary["segregation"]
    assert seg["affected_non_carriers"] == ["F-4"] and seg["bs4"] is False and seg["evidence"] is None
    assert any("possible phenocopy" in n for n in seg["notes"])


def test_filtered_out_table_lists_the_common_variant_with_its_reason(cpvt_family):
    result, ids = cpvt_family
    out = result.filtered_out.set_index("variant")
    row = out.loc[ids["common"]]
    assert row["step"] == "frequency" and row["frequency_basis"] == "allele_count"
    tol = max_tolerated_ac(max_credible_af("cpvt"), allele_number=NFE_AN)
    assert f"allele count 1365 of {NFE_AN:,}" in row["reason"] and f"maximum tolerated {tol}" in row["reason"]
    summary = {e["variant"]: e for e in result.summary["filtered_out"]}
    assert summary[ids["common"]]["reason"] == row["reason"]
    assert ids["common"] not in set(result.candidates["variant_id"])


def test_synonymous_variant_is_gated_with_its_reason(cpvt_family):
    result, ids = cpvt_family
    out = result.filtered_out.set_index("variant")
    row = out.loc[ids["synonymous"]]
    assert row["step"] == "consequence"
    assert row["reason"].startswith("synonymous_variant: synonymous, no splice-region annotation, no SpliceAI score")
    assert ids["synonymous"] not in set(result.candidates["variant_id"])


def test_splice_exception_and_bottlenecked_group_keep_variants(cpvt_family):
    result, ids = cpvt_family
    kept = set(result.candidates["variant_id"])
    assert ids["intron_spliceai"] in kept  # SpliceAI 0.5 >= 0.2
    assert ids["finnish"] in kept  # 1 % only in Finns (bottlenecked): not used by the filter
    fin = result.candidates.set_index("variant_id").loc[ids["finnish"]]
    assert fin["filtering_af"] == 0.0
    # nothing is dropped silently: every proband variant is classified or listed
    assert kept | set(result.filtered_out["variant"]) == set(ids.values())
    assert any("not classified for at least one condition" in n for n in result.notes)


def test_report_tables_are_json_safe(cpvt_family):
    import json

    result, _ = cpvt_family
    json.dumps(result.summary["filtered_out"], allow_nan=False)
    assert isinstance(result.filtered_out, pd.DataFrame)


# --- dominant and recessive rows of one gene --------------------------------------------------------------------


def _pair(zygosity, mode, scope):
    return {"variant_id": "chr11:2500000:G:A", "gene": "KCNQ1", "condition": "long_qt", "zygosity": zygosity,
            "mode": mode, "scope": scope}


@pytest.mark.parametrize("zygosity, mode", [("heterozygous", "autosomal_dominant"),
                                            ("homozygous", "autosomal_recessive")])
def test_kcnq1_row_follows_the_zygosity(zygosity, mode):
    from bigmed_utils.cardiac.filtering import choose_panel_row

    kept = pd.DataFrame([_pair(zygosity, "autosomal_dominant", "typical LQTS"),
                         _pair(zygosity, "autosomal_recessive", "Jervell and Lange-Nielsen syndrome (JLNS1)")])
    out = choose_panel_row(kept)
    assert len(out) == 1 and out.iloc[0]["mode"] == mode


def test_two_heterozygous_plp_in_a_recessive_gene_give_a_phase_note():
    from bigmed_utils.cardiac.filtering import recessive_notes

    rows = [{"gene": "CASQ2", "disease": "CPVT", "variant": v, "mode": "autosomal_recessive", "acmg_class": c,
             "zygosity": "heterozygous"} for v, c in (("chr1:1:A:G", "Pathogenic"), ("chr1:2:C:T", "Likely pathogenic"))]
    notes = recessive_notes(pd.DataFrame(rows))
    assert len(notes) == 1 and "possible compound heterozygosity for CPVT" in notes[0] and "parental testing" in notes[0]
    assert recessive_notes(pd.DataFrame(rows[:1])) == []


def test_ttn_missense_is_out_of_scope_for_dcm_but_a_truncating_variant_is_classified():
    from bigmed_utils.cardiac.filtering import screen_candidates
    from bigmed_utils.cardiac.panels import CONDITION_LABELS

    dcm = scd.panel_table(["dcm"]).set_index("gene").loc["TTN"]
    base = {"gene": "TTN", "clin_sig": None, "pop": {"gnomADe_NFE_AF": None}, "condition": "dcm",
            "mode": dcm["mode"], "scope": dcm["scope"], "mechanism": dcm["mechanism"],
            "max_credible_af": dcm["max_credible_af"], "zygosity": "heterozygous", "hgvsc": None, "hgvsp": None}
    rows = pd.DataFrame([{**base, "variant_id": "chr2:1:C:T", "consequence": "missense_variant",
                          "consequence_terms": "missense_variant"},
                         {**base, "variant_id": "chr2:2:C:A", "consequence": "stop_gained",
                          "consequence_terms": "stop_gained"}])
    kept, filtered = screen_candidates(rows, condition_labels=CONDITION_LABELS)
    assert list(kept["variant_id"]) == ["chr2:2:C:A"]
    row = filtered.iloc[0]
    assert row["variant"] == "chr2:1:C:T" and row["step"] == "variant type"
    assert row["reason"] == ("TTN: the dilated cardiomyopathy curation covers truncating variants only; "
                             "missense_variant is out of scope")
