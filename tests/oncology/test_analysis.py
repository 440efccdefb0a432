"""analyse_patient / analyse_cohort on the synthetic colorectal cohort (planted truth in truth.json) and on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from bigmed_utils.errors import InputDataError, ParameterError
from bigmed_utils.oncology.actionability import match_actionability
from bigmed_utils.oncology.analysis import analyse_cohort, analyse_patient, clinical_from_omop, side_from_icd10
from bigmed_utils.params import validate_params

DATA = Path(__file__).resolve().parents[1] / "data" / "oncology"

PATIENT_KEYS = {"patient_id", "tmb", "msi", "drivers", "actionable", "resistance", "unknown_meaning", "lynch_triage",
                "headline"}
COHORT_KEYS = {"case_id", "n_patients", "km", "cox", "log_rank", "delayed_entry", "headline"}
#: truth.json hazard-ratio names -> Cox covariate rows of analyse_cohort
TRUTH_TO_COX = {"stage_II_vs_I": "stage=II", "stage_III_vs_I": "stage=III", "stage_IV_vs_I": "stage=IV",
                "msi_high": "msi_status=MSI-H", "braf_v600e": "braf_v600e", "age_per_10_years": "age_per_10y"}


@pytest.fixture(scope="module")
def crc(demo_data):
    folder = demo_data / "colorectal_cancer"
    truth = json.loads((folder / "truth.json").read_text())
    return folder, truth


@pytest.fixture(scope="module")
def cohort_result(crc, demo_data):
    folder, truth = crc
    return analyse_cohort({"maf": folder / "somatic.maf", "clinical": folder / "clinical.csv",
                           "ehr": demo_data / "ehr", "callable_mb": truth["callable_mb"]})


def _patient(folder: Path, truth: dict, pid: str, **extra):
    return analyse_patient({"patient_id": pid, "maf": folder / "somatic.maf", "clinical": folder / "clinical.csv",
                            "callable_mb": truth["callable_mb"], **extra})


# ---------------------------------------------------------------------------------------------------------
# Cohort


def test_cox_recovers_planted_hazard_ratios(cohort_result, crc):
    _, truth = crc
    table = cohort_result.cox_tables["os"].set_index("covariate")
    planted = truth["survival_model"]["hazard_ratios"]
    assert set(TRUTH_TO_COX) == set(planted)
    for name, hr in planted.items():
        row = table.loc[TRUTH_TO_COX[name]]
        assert row["ci_lower"] <= hr <= row["ci_upper"], (name, hr, row.to_dict())
    assert table.loc["stage=IV", "reference"] == "stage=I" and table.loc["msi_status=MSI-H", "reference"] == "msi_status=MSS"


def test_cohort_summary_shape(cohort_result, crc):
    _, truth = crc
    s = json.loads(json.dumps(cohort_result.summary))
    assert set(s) == COHORT_KEYS
    assert s["n_patients"] == truth["n_patients"] == len(cohort_result.cohort)
    assert set(s["km"]) == {"os", "pfs"} and set(s["km"]["os"]) == {"all", "stage", "msi_status", "side", "kras_braf"}
    assert set(s["km"]["os"]["stage"]["IV"]) == {"n", "events", "median", "ci_lower", "ci_upper"}
    assert set(s["log_rank"]["pfs"]) == {"stage", "msi_status", "side", "kras_braf"}
    assert s["log_rank"]["os"]["stage"]["p"] < 1e-6  # planted stage IV HR 8
    assert set(s["cox"]["os"]["stage=IV"]) == {"hr", "ci_lower", "ci_upper", "p"}
    assert s["headline"].startswith(f"{truth['n_patients']} patients")


def test_cohort_genomics_match_truth(cohort_result, crc):
    _, truth = crc
    c = cohort_result.cohort
    assert set(c.loc[c["braf_v600e"], "patient_id"]) == set(truth["braf_v600e"])
    assert set(c.loc[c["msi_status"] == "MSI-H", "patient_id"]) == set(truth["groups"]["MSI-H"])
    # planted: KRAS and BRAF V600E never together
    assert cohort_result.exclusivity.both == 0 and cohort_result.exclusivity.mutually_exclusive
    tmb = cohort_result.tmb_by_msi.set_index("msi_status")
    assert tmb.loc["MSI-H", "median_tmb"] > 10 > tmb.loc["MSS", "median_tmb"]
    # at-risk counts every 12 months, the same times as the plot axis; at 0 only the patients sequenced at diagnosis
    at_risk = cohort_result.at_risk["os"]["stage"]
    clinical = pd.read_csv(crc[0] / "clinical.csv")
    assert list(at_risk.columns[:3]) == [0, 12, 24] and at_risk[0].sum() == (clinical["sequencing_months"] == 0).sum()
    assert list(cohort_result.figures["km_os_stage"].axes[0].get_xticks()[:3]) == [0, 12, 24]
    assert cohort_result.mutation_matrix.shape == (20, truth["n_patients"])
    assert cohort_result.mutation_matrix.index[0] == "APC"  # most frequent planted driver (78 %)


def test_survival_uses_delayed_entry_at_sequencing(cohort_result, crc):
    _, truth = crc
    d = cohort_result.summary["delayed_entry"]
    assert d["applied"] and d["entry"] == "sequencing_months"
    assert 0.35 * truth["n_patients"] < d["n_entered_after_diagnosis"] < 0.65 * truth["n_patients"]  # planted: half
    assert "delayed entry at the sequencing date" in d["statement"] and d["statement"] in cohort_result.notes
    assert cohort_result.cox["os"].entry_col == "sequencing_months"
    assert "left truncation" in truth["survival_model"]["type"]


def test_survival_without_delayed_entry_says_so(crc, demo_data):
    folder, truth = crc
    res = analyse_cohort({"maf": folder / "somatic.maf", "clinical": folder / "clinical.csv",
                          "callable_mb": truth["callable_mb"], "delayed_entry": False,
                          "cox_covariates": ["stage"]})
    assert res.summary["delayed_entry"]["applied"] is False and "immortal-time bias" in res.summary["delayed_entry"]["statement"]
    assert res.cox["os"].entry_col is None
    assert res.at_risk["os"]["all"][0].iloc[0] == truth["n_patients"]


def test_ehr_selection_by_stage_and_treatment(crc, demo_data):
    folder, truth = crc
    res = analyse_cohort({"maf": folder / "somatic.maf", "clinical": folder / "clinical.csv", "ehr": demo_data / "ehr",
                          "callable_mb": truth["callable_mb"], "stage": ["IV"], "treatment": ["encorafenib"],
                          "cox_covariates": ["age_per_10y"]})
    clinical = pd.read_csv(folder / "clinical.csv")
    assert set(res.cohort["stage"].astype(str)) == {"IV"}
    assert res.cohort["treatments"].str.contains("encorafenib").all()
    # encorafenib is given for BRAF V600E: every selected patient carries it
    assert res.cohort["braf_v600e"].all()
    assert res.n_patients < (clinical["stage"] == "IV").sum()
    assert list(res.selection_steps["patients"])[-1] == res.n_patients


def test_clinical_from_omop_agrees_with_clinical_csv(crc, demo_data):
    from bigmed_utils.io.omop import read_omop

    folder, _ = crc
    omop = clinical_from_omop(read_omop(demo_data / "ehr")).set_index("patient_id")
    csv = pd.read_csv(folder / "clinical.csv").set_index("patient_id")
    joined = csv.join(omop, rsuffix="_omop", how="inner")
    assert len(joined) == len(csv)
    assert (joined["stage"] == joined["stage_omop"].astype(str)).all()
    assert (joined["side"] == joined["side_omop"]).all()
    assert (joined["msi_score"] - joined["msi_score_omop"]).abs().max() < 1e-9
    assert (joined["os_event"] == joined["os_event_omop"]).all()
    # the sequencing date of the EHR gives the clinical table's entry time (days to months, 0.1 month rounding)
    assert (joined["sequencing_months"] - joined["sequencing_months_omop"]).abs().max() <= 0.15
    assert ((joined["sequencing_months"] == 0) == (joined["sequencing_months_omop"] == 0)).all()


@pytest.mark.parametrize("code, side", [("C18.0", "right"), ("C18.4", "right"), ("C18.7", "left"), ("C186", "left"),
                                        ("C19", "rectum"), ("C20", "rectum"), ("C18.9", None), ("C34.1", None)])
def test_side_from_icd10(code, side):
    assert side_from_icd10(code) == side


# ---------------------------------------------------------------------------------------------------------
# Patient


def test_demo_patient_braf_v600e_msi_high(crc):
    folder, truth = crc
    pid = truth["demo_patients"]["braf_v600e_msi_high"]
    res = _patient(folder, truth, pid)
    s = json.loads(json.dumps(res.summary))
    assert set(s) == PATIENT_KEYS
    assert set(s["tmb"]) == {"value", "unit", "callable_mb", "high"} and set(s["msi"]) == {"status", "score", "source"}
    assert s["msi"]["status"] == "MSI-H" and s["msi"]["source"] == "msi_score+mmr_ihc" and s["tmb"]["high"] is True
    found = {(a["alteration"], a["therapy"], a["level"]) for a in s["actionable"]}
    assert ("BRAF V600E", "encorafenib + cetuximab", "1") in found
    assert ("MSI-H", "pembrolizumab", "1") in found
    assert all(set(a) == {"alteration", "therapy", "level", "source"} and a["source"] for a in s["actionable"])
    # BRAF V600E flags anti-EGFR therapy without a BRAF inhibitor (R2); no RAS-based R1
    assert [(r["alteration"], r["level"]) for r in s["resistance"]] == [("BRAF V600E", "R2")]
    # MSI-H with BRAF V600E: likely sporadic (NICE DG27)
    assert s["lynch_triage"]["status"] == "likely_sporadic" and s["lynch_triage"]["mlh1_methylation"] is None
    assert "Lynch syndrome triage" in set(res.profile_table["finding"])
    assert s["drivers"][0]["gene"] == "BRAF" and s["drivers"][0]["hgvsp"] == "V600E"
    assert s["drivers"][0]["variant"] == "chr7:140753336:A:T"  # BRAF c.1799T>A on GRCh38 (minus strand)
    # the cohort distribution: an MSI-H, TMB-high tumour sits high in both
    assert res.cohort_position["n_tumours"] == truth["n_patients"]
    assert res.cohort_position["tmb_percent_below"] > 80 and res.cohort_position["msi_percent_below"] > 80
    assert set(res.figures) == {"tmb_cohort", "msi_cohort"}
    assert "BRAF V600E" in s["headline"] and "level 1" in s["headline"]


def test_demo_patient_kras_g12c(crc):
    folder, truth = crc
    s = _patient(folder, truth, truth["demo_patients"]["kras_g12c"]).summary
    found = {(a["alteration"], a["therapy"], a["level"]) for a in s["actionable"]}
    assert {("KRAS G12C", "sotorasib + panitumumab", "1"), ("KRAS G12C", "adagrasib + cetuximab", "1")} <= found
    # anti-EGFR monotherapy: RAS exon 2 mutation -> R1 resistance
    assert {(r["alteration"], r["therapy"], r["level"]) for r in s["resistance"]} >= {
        ("KRAS G12C", "cetuximab", "R1"), ("KRAS G12C", "panitumumab", "R1")}
    assert s["msi"]["status"] == "MSS"
    assert s["lynch_triage"]["status"] == "not_applicable"


def test_lynch_triage_of_msi_h_tumours_without_braf(crc):
    folder, truth = crc
    clinical = pd.read_csv(folder / "clinical.csv").set_index("patient_id")
    pid = next(p for p in truth["groups"]["MSI-H"] if p not in set(truth["braf_v600e"])
               and clinical.loc[p, "mmr_ihc"] == "deficient")
    s = _patient(folder, truth, pid).summary
    assert s["msi"]["status"] == "MSI-H" and s["lynch_triage"]["status"] == "germline_referral"
    assert "Lynch triage: germline referral" in s["headline"]
    s = _patient(folder, truth, pid, mlh1_methylation=True).summary
    assert s["lynch_triage"] == {**s["lynch_triage"], "status": "likely_sporadic", "mlh1_methylation": True}


def test_demo_patients_g12d_wild_type_and_pole(crc):
    folder, truth = crc
    g12d = _patient(folder, truth, truth["demo_patients"]["kras_g12d"]).summary
    assert not any(a["alteration"].startswith("KRAS") for a in g12d["actionable"])  # G12D: no G12C drug
    assert {r["therapy"] for r in g12d["resistance"]} == {"cetuximab", "panitumumab"}
    wt = _patient(folder, truth, truth["demo_patients"]["ras_braf_wild_type_mss"]).summary
    assert wt["resistance"] == [] and wt["msi"]["status"] == "MSS"
    assert not {"KRAS", "NRAS", "BRAF"} & {d["gene"] for d in wt["drivers"]}
    pole = _patient(folder, truth, truth["demo_patients"]["pole_ultramutated"])
    assert pole.profile.hypermutation.pole_driven and pole.summary["tmb"]["value"] > 100
    # the planted POLE hotspot (P286R or V411L) earns level 4; other POLE variants of the tumour do not
    pole_hits = [a for a in pole.summary["actionable"] if a["alteration"].startswith("POLE")]
    assert pole_hits and {a["alteration"] for a in pole_hits} <= {"POLE P286R", "POLE V411L"}
    assert {a["level"] for a in pole_hits} == {"4"}
    assert all(u["alteration"] not in {"POLE P286R", "POLE V411L"} for u in pole.summary["unknown_meaning"])


def test_msi_parameters_override_the_record(crc):
    folder, truth = crc
    pid = truth["demo_patients"]["ras_braf_wild_type_mss"]
    s = _patient(folder, truth, pid, msi_score=25.0, msi_assay="tumor_only").summary
    # 25 >= 20 (tumour-only threshold) -> MSI-H although the record's IHC is proficient (discordant)
    assert s["msi"] == {"status": "MSI-H", "score": 25.0, "source": "msi_score+mmr_ihc"}
    s = _patient(folder, truth, pid, msi_score=15.0, msi_assay="tumor_only", mmr_ihc="proficient").summary
    assert s["msi"]["status"] == "MSS"


def test_vcf_input_gives_the_same_profile_as_the_maf(hail_session, crc):
    folder, truth = crc
    for role in ("kras_g12c", "pole_ultramutated"):
        pid = truth["demo_patients"][role]
        from_maf = _patient(folder, truth, pid).summary
        from_vcf = _patient(folder, truth, pid, vcf=folder / "vcf" / f"{pid}.vcf.gz").summary
        assert from_vcf["tmb"] == from_maf["tmb"], role
        assert [(d["gene"], d["hgvsp"]) for d in from_vcf["drivers"]] == [(d["gene"], d["hgvsp"]) for d in from_maf["drivers"]]
        assert from_vcf["actionable"] == from_maf["actionable"] and from_vcf["resistance"] == from_maf["resistance"], role
    # VCF input writes the VCF's own chrom:pos:ref:alt (VEP/VCF keep the anchor base of an indel)
    vcf_variants = {d["variant"] for d in from_vcf["drivers"]}
    assert all(len(v.split(":")) == 4 and "-" not in v.split(":")[2:] for v in vcf_variants)


def test_vcf_unknown_tumour_sample(hail_session, crc):
    folder, truth = crc
    pid = truth["demo_patients"]["kras_g12d"]
    with pytest.raises(InputDataError, match=rf"{pid}\.vcf\.gz: tumour sample 'NOPE-T' is not a column of the VCF "
                                             rf"\(samples: {pid}-T, {pid}-N\)"):
        _patient(folder, truth, pid, vcf=folder / "vcf" / f"{pid}.vcf.gz", tumor_sample="NOPE-T")


def test_codon_decides_ras_status_over_exon_number():
    # synthetic passengers carry transcript-dependent exon numbers: the codon decides for KRAS/NRAS
    beyond = pd.DataFrame({"gene": ["KRAS"], "hgvsp": ["p.Q276A"], "Exon_Number": ["3/12"],
                           "Variant_Classification": ["Missense_Mutation"]})
    assert set(match_actionability(beyond)["kind"]) == {"unknown"}  # KRAS has 188 residues: never resistance
    hotspot = pd.DataFrame({"gene": ["KRAS"], "hgvsp": ["p.Q61H"], "Exon_Number": ["18/29"],
                            "Variant_Classification": ["Missense_Mutation"]})
    assert set(match_actionability(hotspot)["level"]) == {"R1"}  # codon 61 whatever the exon number says
    other = hotspot.assign(hgvsp="p.Q22K")
    assert set(match_actionability(other)["kind"]) == {"unknown"}  # exon 2 but not a hotspot codon


# ---------------------------------------------------------------------------------------------------------
# Bad input: one clear line each


def _one_line(err) -> str:
    msg = str(err.value)
    assert "\n" not in msg
    return msg


def test_maf_missing_required_column():
    with pytest.raises(InputDataError) as err:
        analyse_patient({"patient_id": "CRC0001", "maf": DATA / "missing_allele2.maf", "callable_mb": 30})
    assert _one_line(err).endswith("missing_allele2.maf: MAF is missing required column 'Tumor_Seq_Allele2'")


def test_unknown_tumour_sample():
    with pytest.raises(InputDataError) as err:
        analyse_patient({"patient_id": "CRC0001", "maf": DATA / "small.maf", "tumor_sample": "CRC9999-T",
                         "callable_mb": 30})
    msg = _one_line(err)
    assert "small.maf: tumour sample 'CRC9999-T' not found" in msg and "CRC0001-T" in msg
    with pytest.raises(InputDataError) as err:  # a patient without any tumour in the MAF
        analyse_patient({"patient_id": "CRC0777", "maf": DATA / "small.maf", "callable_mb": 30})
    assert "small.maf: no tumour sample of patient 'CRC0777'" in _one_line(err)


@pytest.mark.parametrize("value", [0, -5])
def test_zero_callable_size(value):
    with pytest.raises(ParameterError) as err:
        validate_params("colorectal_cancer", {"patient_id": "CRC0001", "maf": DATA / "small.maf", "callable_mb": value})
    assert _one_line(err) == "colorectal_cancer: parameter 'callable_mb': Input should be greater than 0"


def test_negative_survival_time(tmp_path, crc, demo_data):
    folder, truth = crc
    clinical = pd.read_csv(folder / "clinical.csv")
    clinical.loc[1, "os_months"] = -3.0
    bad = tmp_path / "clinical.csv"
    clinical.to_csv(bad, index=False)
    with pytest.raises(InputDataError) as err:
        analyse_cohort({"maf": folder / "somatic.maf", "clinical": bad, "callable_mb": truth["callable_mb"]})
    assert _one_line(err) == f"survival time 'os_months' is negative (-3) for patient {clinical.loc[1, 'patient_id']} (row 2)"


def test_other_bad_parameters(tmp_path, crc):
    folder, truth = crc
    with pytest.raises(ParameterError, match="give the somatic variants as maf or vcf"):
        validate_params("colorectal_cancer", {"patient_id": "CRC0001"})
    with pytest.raises(InputDataError) as err:
        _patient(folder, truth, "CRC9999", tumor_sample=f"{truth['demo_patients']['kras_g12c']}-T")
    assert _one_line(err) == "clinical.csv: patient 'CRC9999' not found"
    with pytest.raises(ParameterError) as err:
        analyse_cohort({"maf": folder / "somatic.maf", "clinical": folder / "clinical.csv",
                        "callable_mb": 35, "treatment": ["cetuximab"]})
    assert "parameter 'ehr'" in _one_line(err)
    with pytest.raises(ParameterError, match="parameter 'cox_covariates'"):
        validate_params("colorectal_cohort", {"maf": folder / "somatic.maf", "clinical": folder / "clinical.csv",
                                              "cox_covariates": ["shoe_size"]})
