"""Similar earlier colorectal-cancer patients: profile rules, outcomes and disclosure control."""

from __future__ import annotations

import pandas as pd
import pytest

from bigmed_utils.case_store import add_records
from bigmed_utils.oncology import similar_patients as sp
from bigmed_utils.oncology.msi import ULTRAMUTATION_THRESHOLD
from bigmed_utils.oncology.tmb import TMB_HIGH_THRESHOLD
from bigmed_utils.privacy.disclosure import SUPPRESSED


def d(gene, hgvsp, cls="Missense_Mutation"):
    return {"gene": gene, "hgvsp": hgvsp, "variant_classification": cls}


def test_molecular_group_traps():
    assert sp.molecular_group([d("BRAF", "p.Val600Glu"), d("APC", "R1450*", "Nonsense_Mutation")]) == "BRAF V600E"
    assert sp.molecular_group([d("BRAF", "V600K")]) == sp.WILD_TYPE  # the approvals name V600E only
    assert sp.molecular_group([d("KRAS", "Q22*", "Nonsense_Mutation")]) == sp.WILD_TYPE  # not activating
    assert sp.molecular_group([d("NRAS", "Q61K")]) == "NRAS"
    assert sp.molecular_group([d("KRAS", "G12D"), d("BRAF", "V600E")]) == "BRAF V600E + KRAS"
    assert sp.molecular_group([]) == sp.WILD_TYPE


def test_tmb_bands_follow_the_published_cut_offs():
    assert TMB_HIGH_THRESHOLD == 10 and ULTRAMUTATION_THRESHOLD == 100  # FDA KEYNOTE-158; Campbell 2017
    assert [sp.tmb_band(x) for x in (9.99, 10.0, 100.0, 100.01)] == ["TMB < 10", "TMB 10-100", "TMB 10-100", "TMB > 100"]
    assert sp.tmb_band(None) is None and sp.tmb_band(float("nan")) is None


def _rec(pid, group, msi, band, stage, months, event):
    return {"patient_id": pid, "molecular_group": group, "driver_genes": [], "msi_status": msi, "tmb": None,
            "tmb_band": band, "stage": stage, "os_months": months, "os_event": event}


@pytest.fixture()
def store(tmp_path):
    recs = [_rec("P0", "BRAF V600E", "MSI-H", "TMB 10-100", "IV", 5.0, 1)]  # the patient being reported
    # A: 25 with the same profile, dying at 1..25 months; B: 30 at stage II, alive; C: 60 KRAS MSS stage IV,
    # 30 of them dying; D: 3 BRAF V600E MSS stage IV, dying at 100-102 months
    recs += [_rec(f"A{i}", "BRAF V600E", "MSI-H", "TMB 10-100", "IV", float(i), 1) for i in range(1, 26)]
    recs += [_rec(f"B{i}", "BRAF V600E", "MSI-H", "TMB 10-100", "II", 60.0 + i, 0) for i in range(30)]
    recs += [_rec(f"C{i}", "KRAS", "MSS", "TMB < 10", "IV", 10.0 + i, int(i < 30)) for i in range(60)]
    recs += [_rec(f"D{i}", "BRAF V600E", "MSS", "TMB < 10", "IV", 100.0 + i, 1) for i in range(3)]
    add_records(tmp_path / "crc", "colorectal_cancer", recs)
    return tmp_path / "crc", recs[0]


def test_outcomes_of_similar_patients_with_small_counts_hidden(store):
    path, me = store
    res = sp.similar_patients(path, me, exclude="P0")
    assert res.n_earlier == 118 and res.store_version == "v000001"
    t = res.table.set_index("earlier patients with")
    assert list(t.index) == ["BRAF V600E, MSI-H, TMB 10-100, stage IV", "BRAF V600E, MSI-H, TMB 10-100",
                             "BRAF V600E, stage IV", "MSI-H, TMB 10-100, stage IV", "BRAF V600E", "MSI-H, TMB 10-100",
                             "stage IV", "all earlier patients"]
    # the 25 (A) sharing all four criteria are hidden: "BRAF V600E, stage IV" (A + D = 28) would reveal D's 3;
    # A + B = 55 against "BRAF V600E" (58) likewise
    assert t.iloc[:2].to_numpy().tolist() == [[SUPPRESSED] * 3] * 2
    assert t["patients"].iloc[2:].tolist() == [28, 25, 58, 55, 88, 118]
    assert t["deaths"].iloc[2:].tolist() == [28, 25, 28, 25, 58, 58]
    # 28 deaths at 1..25, 100, 101, 102 months: the Kaplan-Meier median is the 14th event time
    assert t.loc["BRAF V600E, stage IV", "median OS, months (95% CI)"].startswith("14.0 (")
    assert t.loc["MSI-H, TMB 10-100, stage IV", "median OS, months (95% CI)"].startswith("13.0 (")
    rows = res.summary()["rows"]
    assert rows[0] == {"criteria": {"molecular_group": "BRAF V600E", "msi_status": "MSI-H", "tmb_band": "TMB 10-100",
                                    "stage": "IV"}, "patients": SUPPRESSED, "deaths": SUPPRESSED, "median_os_months": None}
    assert rows[2]["median_os_months"] == 14.0


def test_deaths_are_hidden_when_they_or_the_survivors_are_derivable(tmp_path):
    recs = [_rec(f"A{i}", "KRAS", "MSS", "TMB < 10", "III", 10.0 + i, int(i < 5)) for i in range(40)]
    recs += [_rec(f"B{i}", "KRAS", "MSS", "TMB < 10", "II", 10.0 + i, 0) for i in range(40)]
    add_records(tmp_path / "s", "colorectal_cancer", recs)
    me = _rec("Q", "KRAS", "MSS", "TMB < 10", "III", None, None)
    t = sp.similar_patients(tmp_path / "s", me).table.set_index("earlier patients with")
    assert t.loc["stage III", "patients"] == 40 and t.loc["stage III", "deaths"] == SUPPRESSED  # 5 deaths
    assert t.loc["all earlier patients", "deaths"] == SUPPRESSED  # 5 deaths of 80


def test_unknown_criteria_are_not_matched_and_an_empty_store_says_so(store, tmp_path):
    path, me = store
    res = sp.similar_patients(path, {**me, "stage": None, "msi_status": None}, exclude="P0")
    assert list(res.table["earlier patients with"]) == ["BRAF V600E", "all earlier patients"]
    empty = sp.similar_patients(tmp_path / "absent", me)
    assert empty.empty and empty.table["patients"].tolist() == [0] * len(empty.table)


def test_demo_cohort_counts_match_an_independent_count(demo_data, tmp_path):
    crc = demo_data / "colorectal_cancer"
    import json

    pid = json.loads((crc / "truth.json").read_text())["demo_patients"]["braf_v600e_msi_high"]
    sp.build_store_from_cohort(tmp_path / "s", maf=crc / "somatic.maf", clinical=crc / "clinical.csv", callable_mb=35.0)
    from bigmed_utils.case_store import read_records

    me = {r["patient_id"]: r for r in read_records(tmp_path / "s")}[pid]
    assert (me["molecular_group"], me["msi_status"], me["stage"]) == ("BRAF V600E", "MSI-H", "IV")
    res = sp.similar_patients(tmp_path / "s", me, exclude=pid).table.set_index("earlier patients with")
    # independently: tumours with BRAF V600E and no KRAS/NRAS missense or in-frame change, from the MAF
    maf = pd.read_csv(crc / "somatic.maf", sep="\t", comment="#", low_memory=False)
    maf["patient"] = maf["Tumor_Sample_Barcode"].str.replace(r"-T$", "", regex=True)
    v600e = set(maf.loc[(maf["Hugo_Symbol"] == "BRAF") & maf["HGVSp_Short"].isin(["p.V600E"]), "patient"])
    ras = set(maf.loc[maf["Hugo_Symbol"].isin(["KRAS", "NRAS"]) & maf["Variant_Classification"].isin(
        ["Missense_Mutation", "In_Frame_Del", "In_Frame_Ins"]), "patient"])
    expected = len((v600e - ras) - {pid})
    assert expected > 20 and res.loc["BRAF V600E", "patients"] == expected
    clinical = pd.read_csv(crc / "clinical.csv")
    assert res.loc["stage IV", "patients"] == int(((clinical["stage"] == "IV") & (clinical["patient_id"] != pid)).sum())


def test_record_from_run_reads_stage_and_survival_from_the_clinical_csv(tmp_path):
    clinical = tmp_path / "clinical.csv"
    clinical.write_text("patient_id,stage,os_months,os_event\nCRC0007,III,41.5,1\nCRC0008,II,12.0,0\n")
    summary = {"patient_id": "CRC0007", "drivers": [{"gene": "KRAS"}], "msi": {"status": "MSS"},
               "tmb": {"value": 4.2}}
    rec = sp.record_from_run(summary, {"clinical": str(clinical)})
    assert (rec["patient_id"], rec["stage"], rec["os_months"], rec["os_event"]) == ("CRC0007", "III", 41.5, 1)
    assert sp.record_from_run(summary, {"clinical": str(tmp_path / "gone.csv")})["stage"] is None
