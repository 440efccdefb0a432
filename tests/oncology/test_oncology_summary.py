"""Patient profile and cohort survival summary (summary.json content)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bigmed_utils.io.maf import read_maf
from bigmed_utils.oncology.summary import cohort_survival_summary, patient_profile

DATA = Path(__file__).resolve().parents[1] / "data" / "oncology"


def test_patient_profile_summary_keys_and_values():
    maf = read_maf(DATA / "small.maf")
    p = patient_profile(maf, patient_id="CRC0002", tumor_sample="CRC0002-T", callable_mb=0.5,
                        msi_score=28.4, mmr_ihc="deficient", her2_ihc="3+",
                        extra_alterations=pd.DataFrame({"gene": ["ERBB2"], "alteration_type": ["amplification"]}))
    s = json.loads(json.dumps(p.summary()))  # JSON-serialisable
    assert s["patient_id"] == "CRC0002"
    assert s["tmb"] == {"value": 10.0, "unit": "mut/Mb", "callable_mb": 0.5, "high": True}
    assert s["msi"]["status"] == "MSI-H" and s["msi"]["score"] == 28.4 and s["msi"]["source"] == "msi_score+mmr_ihc"
    actionable = {(a["alteration"], a["therapy"], a["level"]) for a in s["actionable"]}
    assert ("BRAF V600E", "encorafenib + cetuximab", "1") in actionable
    assert ("MSI-H", "pembrolizumab", "1") in actionable and ("TMB-H", "pembrolizumab", "1") in actionable
    # NCCN: HER2-directed combinations need RAS and BRAF wild type; this tumour carries BRAF V600E
    assert not {t for a, t, _ in actionable if a == "ERBB2 amplification"}
    assert ("HER2 IHC 3+", "trastuzumab deruxtecan", "1") in actionable  # tumour-agnostic IHC 3+ label
    assert ("dMMR", "dostarlimab", "1") in actionable
    assert ("POLE P286R", "immune checkpoint inhibitor (investigational)", "4") in actionable
    assert [(r["alteration"], r["level"]) for r in s["resistance"]] == [("BRAF V600E", "R2")]
    assert s["lynch_triage"]["status"] == "likely_sporadic"
    assert {d["gene"] for d in s["drivers"]} >= {"BRAF", "POLE", "SMAD2", "ACVR2A"}
    assert s["hypermutation"] == {"category": "non-hypermutated", "pole_driven": False}  # 10 mut/Mb is not > 10


def test_patient_profile_kras_resistance():
    maf = read_maf(DATA / "small.maf", tumor_sample="CRC0001-T")
    s = patient_profile(maf, patient_id="CRC0001", callable_mb=30.0, msi_score=1.2).summary()
    assert s["msi"]["status"] == "MSS" and s["tmb"]["high"] is False
    assert {r["therapy"] for r in s["resistance"]} == {"cetuximab", "panitumumab"}
    assert s["actionable"] == []


def test_cohort_survival_summary():
    rng = np.random.default_rng(3)
    n = 300
    df = pd.DataFrame({
        "patient_id": [f"CRC{i:04d}" for i in range(n)],
        "stage": pd.Categorical(rng.choice(["I", "II", "III", "IV"], n), categories=["I", "II", "III", "IV"]),
        "msi_status": rng.choice(["MSI-H", "MSS"], n, p=[0.15, 0.85]),
        "side": rng.choice(["left", "right", "rectum"], n),
        "age": rng.normal(65, 10, n).round(),
        "os_months": rng.exponential(40, n).round(1), "os_event": rng.integers(0, 2, n),
        "pfs_months": rng.exponential(20, n).round(1), "pfs_event": rng.integers(0, 2, n),
    })
    s = json.loads(json.dumps(cohort_survival_summary(df, reference={"msi_status": "MSS"})))
    assert s["n_patients"] == n
    assert set(s["km"]["os"]) == {"all", "stage", "msi_status", "side"}  # kras_braf absent -> skipped
    assert set(s["km"]["os"]["stage"]) == {"I", "II", "III", "IV"}
    assert {"median", "ci_lower", "ci_upper", "n", "events"} == set(s["km"]["pfs"]["side"]["left"])
    assert 0 <= s["log_rank"]["os"]["stage"]["p"] <= 1
    assert "msi_status=MSI-H" in s["cox"]["os"] and "stage=IV" in s["cox"]["os"] and "age" in s["cox"]["os"]


def test_real_tcga_ag_a002_is_pole_ultramutated(realdata):
    # TCGA-AG-A002, the hypermutated TCGA rectal tumour of maftools' coad.maf.gz, carries POLE S459F (an
    # exonuclease-domain hotspot): > 100 mut/Mb on a 50 Mb exome -> POLE-driven ultra-hypermutation
    maf = read_maf(realdata / "maftools_coad.maf.gz")
    p = patient_profile(maf, patient_id="TCGA-AG-A002", tumor_sample="TCGA.AG.A002.01", callable_mb=50)
    s = p.summary()
    assert s["tmb"]["value"] > 100 and s["hypermutation"] == {"category": "ultra-hypermutated", "pole_driven": True}
    assert ("POLE S459F", "4") in {(a["alteration"], a["level"]) for a in s["actionable"]}
    assert ("TMB-H", "pembrolizumab", "1") in {(a["alteration"], a["therapy"], a["level"]) for a in s["actionable"]}
