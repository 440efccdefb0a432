"""Synthetic colorectal cohort (MAF, clinical, survival truth, per-patient VCFs) and OMOP EHR tables."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd

from bigmed_utils.synthetic.colorectal import HAZARD_RATIOS
from bigmed_utils.synthetic.genes import gene_spans


def _maf(demo_data):
    return pd.read_csv(demo_data / "colorectal_cancer" / "somatic.maf", sep="\t", comment="#", low_memory=False)


def test_maf_driver_frequencies_match_tcga(demo_data):
    maf = _maf(demo_data)
    for col in ("Hugo_Symbol", "Entrez_Gene_Id", "NCBI_Build", "Chromosome", "Start_Position", "End_Position",
                "Strand", "Variant_Classification", "Variant_Type", "Reference_Allele", "Tumor_Seq_Allele1",
                "Tumor_Seq_Allele2", "Tumor_Sample_Barcode", "Matched_Norm_Sample_Barcode", "HGVSc", "HGVSp",
                "HGVSp_Short", "Transcript_ID", "Exon_Number", "t_depth", "t_ref_count", "t_alt_count", "n_depth"):
        assert col in maf.columns
    assert (maf.NCBI_Build == "GRCh38").all()
    clin = pd.read_csv(demo_data / "colorectal_cancer" / "clinical.csv")
    n = len(clin)
    assert n >= 300
    nonsyn = maf[maf.Variant_Classification != "Silent"]

    def freq(mask):
        return nonsyn[mask].Tumor_Sample_Barcode.nunique() / n

    # TCGA colorectal 2012 (Nature 487:330): APC ~80 %, TP53 ~60 %, KRAS ~42 %, PIK3CA ~18 %, SMAD4 ~13 %,
    # BRAF V600E ~9 %, NRAS ~4 %
    assert 0.70 <= freq(nonsyn.Hugo_Symbol == "APC") <= 0.85
    assert 0.50 <= freq(nonsyn.Hugo_Symbol == "TP53") <= 0.68
    assert 0.35 <= freq(nonsyn.Hugo_Symbol == "KRAS") <= 0.50
    assert 0.13 <= freq(nonsyn.Hugo_Symbol == "PIK3CA") <= 0.25
    assert 0.08 <= freq(nonsyn.Hugo_Symbol == "SMAD4") <= 0.18
    assert 0.06 <= freq((nonsyn.Hugo_Symbol == "BRAF") & (nonsyn.HGVSp_Short == "p.V600E")) <= 0.13
    assert 0.015 <= freq((nonsyn.Hugo_Symbol == "KRAS") & (nonsyn.HGVSp_Short == "p.G12C")) <= 0.06
    # real GRCh38 hotspot coordinates
    g12d = maf[(maf.Hugo_Symbol == "KRAS") & (maf.HGVSp_Short == "p.G12D")].iloc[0]
    assert (g12d.Chromosome, g12d.Start_Position, g12d.Reference_Allele, g12d.Tumor_Seq_Allele2) == \
        ("chr12", 25245350, "C", "T")
    v600e = maf[maf.HGVSp_Short == "p.V600E"].iloc[0]
    assert (v600e.Chromosome, v600e.Start_Position, v600e.Reference_Allele, v600e.Tumor_Seq_Allele2) == \
        ("chr7", 140753336, "A", "T")
    spans = gene_spans().set_index("symbol")
    j = maf.join(spans, on="Hugo_Symbol")
    assert ((j.Chromosome == j.chrom) & (j.Start_Position > j.start) & (j.Start_Position <= j.end)).all()


def test_msi_group_and_clinical(demo_data):
    clin = pd.read_csv(demo_data / "colorectal_cancer" / "clinical.csv")
    assert list(clin.columns) == ["patient_id", "age", "sex", "stage", "side", "msi_status", "mmr_ihc",
                                  "msi_score", "treatment_lines", "sequencing_months", "os_months", "os_event",
                                  "pfs_months", "pfs_event"]
    # left truncation: every tumour sequenced before death or the data cut (and before progression), half at diagnosis
    assert (clin.sequencing_months <= clin.pfs_months).all() and (clin.sequencing_months <= clin.os_months).all()
    assert 0.4 <= (clin.sequencing_months == 0).mean() <= 0.6 and clin.sequencing_months.max() <= 36
    msi = clin.msi_status == "MSI-H"
    assert 0.12 <= msi.mean() <= 0.18
    assert (clin[msi].side == "right").mean() > 0.5 > (clin[~msi].side == "right").mean()
    assert (clin.pfs_months <= clin.os_months).all()
    truth = json.loads((demo_data / "colorectal_cancer" / "truth.json").read_text())
    braf = set(truth["braf_v600e"])
    assert sum(p in braf for p in clin[msi].patient_id) / msi.sum() > 0.3
    maf = _maf(demo_data)
    per = maf.groupby("Tumor_Sample_Barcode").size()
    pole = [f"{p}-T" for p in truth["groups"]["POLE"]]
    assert len(pole) >= 2 and per[pole].min() > 100 * truth["callable_mb"] * 0.5
    mss = [f"{p}-T" for p in clin[~msi].patient_id if p not in truth["groups"]["POLE"]]
    assert per.reindex(mss).median() / truth["callable_mb"] < 10


def test_planted_hazard_ratios_recovered(demo_data):
    from lifelines import CoxPHFitter

    clin = pd.read_csv(demo_data / "colorectal_cancer" / "clinical.csv")
    truth = json.loads((demo_data / "colorectal_cancer" / "truth.json").read_text())
    assert truth["survival_model"]["hazard_ratios"] == HAZARD_RATIOS
    df = pd.DataFrame({"T": clin.os_months, "E": clin.os_event, "entry": clin.sequencing_months,
                       "stage_IV": (clin.stage == "IV").astype(int), "stage_III": (clin.stage == "III").astype(int),
                       "stage_II": (clin.stage == "II").astype(int), "msi": (clin.msi_status == "MSI-H").astype(int),
                       "braf": clin.patient_id.isin(truth["braf_v600e"]).astype(int),
                       "age10": (clin.age - 65) / 10})
    cph = CoxPHFitter().fit(df, "T", "E", entry_col="entry")  # delayed entry at sequencing (left truncation)
    hr = np.exp(cph.params_)
    assert 4.0 < hr["stage_IV"] < 16.0  # planted 8.0
    assert hr["stage_IV"] > hr["stage_III"] > hr["stage_II"]


def test_patient_vcfs(demo_data):
    truth = json.loads((demo_data / "colorectal_cancer" / "truth.json").read_text())
    demo = truth["demo_patients"]
    assert {"braf_v600e_msi_high", "kras_g12c"} <= set(demo)
    for rel in truth["patient_vcfs"]:
        assert (demo_data / "colorectal_cancer" / rel).is_file()
    path = demo_data / "colorectal_cancer" / "vcf" / f"{demo['braf_v600e_msi_high']}.vcf.gz"
    with gzip.open(path, "rt") as fh:
        lines = [line for line in fh if line.startswith("chr7\t140753336\t")]
    assert len(lines) == 1 and "p.Val600Glu" in lines[0]
    f = lines[0].rstrip("\n").split("\t")
    assert f[3:5] == ["A", "T"] and f[9].startswith("0/1") and f[10].startswith("0/0")


def test_omop_tables_cover_everybody(demo_data):
    ehr = demo_data / "ehr"
    person = pd.read_csv(ehr / "person.csv", dtype={"person_source_value": str})
    assert person.person_id.is_unique and person.person_source_value.is_unique
    ids = set(person.person_source_value)
    rd = pd.read_csv(demo_data / "rare_disease" / "truth.tsv", sep="\t", comment="#")
    assert set(rd.proband) <= ids
    ped = pd.read_csv(demo_data / "sudden_cardiac_death" / "families.ped", sep="\t", header=None)
    assert set(ped[1]) <= ids
    clin = pd.read_csv(demo_data / "colorectal_cancer" / "clinical.csv")
    assert set(clin.patient_id) <= ids
    cond = pd.read_csv(ehr / "condition_occurrence.csv", dtype=str)
    assert set(cond.person_id.astype(int)) <= set(person.person_id)
    crc_pids = set(person[person.person_source_value.str.startswith("CRC")].person_id)
    crc_codes = cond[cond.person_id.astype(int).isin(crc_pids)].condition_source_value
    assert crc_codes.str.match(r"^(C18\.\d|C20|C78\.7)$").all()
    assert {"I45.81", "I42.1", "I46.1"} <= set(cond.condition_source_value)
    for name in ("visit_occurrence", "measurement", "drug_exposure", "death", "observation_period"):
        df = pd.read_csv(ehr / f"{name}.csv")
        assert len(df) and set(df.person_id) <= set(person.person_id)
    meas = pd.read_csv(ehr / "measurement.csv")
    assert {"QTc interval (Bazett)", "MSI score (MSIsensor)", "AJCC stage",
            "Tumour sequencing (somatic panel)"} <= set(meas.measurement_source_value)
    src = pd.read_csv(ehr / "cdm_source.csv")
    assert "SYNTHETIC" in src.source_description.iloc[0] and src.cdm_version.iloc[0] == "v5.4"


def test_readers_of_the_project_accept_the_files(demo_data):
    """The project's own readers (when present in this checkout) load the synthetic files."""
    import importlib

    try:
        maf_mod = importlib.import_module("bigmed_utils.io.maf")
        omop_mod = importlib.import_module("bigmed_utils.io.omop")
        ped_mod = importlib.import_module("bigmed_utils.io.ped")
        cohort = importlib.import_module("bigmed_utils.oncology.cohort")
    except ImportError:  # pragma: no cover
        import pytest

        pytest.skip("readers not in this checkout")
    maf = maf_mod.read_maf(demo_data / "colorectal_cancer" / "somatic.maf")
    assert maf.Tumor_Sample_Barcode.nunique() >= 300
    ped = ped_mod.read_ped(demo_data / "sudden_cardiac_death" / "families.ped")
    assert len(ped) >= 60
    clin = cohort.read_clinical(demo_data / "colorectal_cancer" / "clinical.csv")
    assert len(clin) >= 300
    if hasattr(omop_mod, "read_omop"):
        omop_mod.read_omop(demo_data / "ehr")


def test_rare_disease_files_load_with_project_readers(demo_data):
    import importlib

    import pytest

    try:
        pp = importlib.import_module("bigmed_utils.io.phenopacket")
        ped_mod = importlib.import_module("bigmed_utils.io.ped")
    except ImportError:  # pragma: no cover
        pytest.skip("readers not in this checkout")
    truth = pd.read_csv(demo_data / "rare_disease" / "truth.tsv", sep="\t", comment="#")
    for case in truth.case:
        pp.read_phenopacket(demo_data / "rare_disease" / f"{case}.phenopacket.json")
        ped = ped_mod.read_ped(demo_data / "rare_disease" / f"{case}.ped")
        assert f"{case}-P" in set(ped.iloc[:, 1]) or f"{case}-P" in str(ped.to_dict())


def test_omop_dates_are_consistent(demo_data):
    ehr = demo_data / "ehr"
    person = pd.read_csv(ehr / "person.csv")
    death = pd.read_csv(ehr / "death.csv")
    for name, col in (("condition_occurrence", "condition_start_date"), ("visit_occurrence", "visit_start_date"),
                      ("measurement", "measurement_date"), ("drug_exposure", "drug_exposure_end_date")):
        df = pd.read_csv(ehr / f"{name}.csv").merge(death, on="person_id", how="left").merge(person, on="person_id")
        assert not (df.death_date.notna() & (df[col] > df.death_date)).any(), name
        assert (pd.to_datetime(df[col]).dt.year >= df.year_of_birth).all(), name
    # parents are born before their children (rare-disease trios and cardiac pedigrees)
    yob = dict(zip(person.person_source_value, person.year_of_birth))
    ped = pd.read_csv(demo_data / "sudden_cardiac_death" / "families.ped", sep="\t", header=None, dtype=str)
    for _, iid, pat, mat, *_ in ped.itertuples(index=False):
        for parent in (pat, mat):
            if parent != "0":
                assert yob[parent] + 15 <= yob[iid], (parent, iid)
