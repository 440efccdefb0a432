"""Synthetic sudden-cardiac-death families: the planted variant segregates as truth.tsv says, untested
relatives are absent from the VCF, and the ECG/echo tables reflect carrier status."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd

from bigmed_utils.synthetic.cardiac import CLINGEN_DEFINITIVE
from bigmed_utils.synthetic.genes import gene_spans


def _read(demo_data, name, **kw):
    return pd.read_csv(demo_data / "sudden_cardiac_death" / name, comment="#", **kw)


def _split(s):
    return [x for x in str(s).split(",") if x and x != "nan"]


def test_families_and_truth(demo_data):
    truth = _read(demo_data, "truth.tsv", sep="\t", dtype=str)
    ped = pd.read_csv(demo_data / "sudden_cardiac_death" / "families.ped", sep="\t", header=None,
                      names=["fid", "iid", "pat", "mat", "sex", "phen"], dtype=str)
    assert len(truth) >= 10
    spans = gene_spans().set_index("symbol")
    for row in truth.itertuples():
        members = ped[ped.fid == row.family_id]
        assert 6 <= len(members) <= 15
        gens = {iid.split("-")[1][0] for iid in members.iid}
        assert gens == {"1", "2", "3"}
        assert row.gene in CLINGEN_DEFINITIVE[row.condition]
        chrom, pos, _, _ = row.variant.split(":")
        s = spans.loc[row.gene]
        assert s.chrom == chrom and s.start < int(pos) <= s.end
        everyone = set(_split(row.carriers)) | set(_split(row.non_carriers)) | set(_split(row.untested))
        assert everyone == set(members.iid)
        assert row.proband in _split(row.carriers)


def test_planted_variant_segregates_in_vcf(demo_data):
    truth = _read(demo_data, "truth.tsv", sep="\t", dtype=str)
    wanted = {":".join(v.split(":")[:2]): v for v in truth.variant}
    samples, calls = None, {}
    with gzip.open(demo_data / "sudden_cardiac_death" / "cardiac.vcf.gz", "rt") as fh:
        for line in fh:
            if line.startswith("##"):
                continue
            f = line.rstrip("\n").split("\t")
            if line.startswith("#"):
                samples = f[9:]
            elif f"{f[0]}:{f[1]}" in wanted:
                assert ":".join(f[:2] + f[3:5]) == wanted[f"{f[0]}:{f[1]}"]
                calls[wanted[f"{f[0]}:{f[1]}"]] = dict(zip(samples, (x.split(":")[0] for x in f[9:])))
    for row in truth.itertuples():
        gt = calls[row.variant]
        for s in _split(row.carriers):
            assert gt[s] == "0/1", (row.family_id, s)
        for s in _split(row.non_carriers):
            assert gt[s] == "0/0", (row.family_id, s)
        for s in _split(row.untested):
            assert s not in gt
    ped = pd.read_csv(demo_data / "sudden_cardiac_death" / "families.ped", sep="\t", header=None, dtype=str)
    # incomplete penetrance: some carriers are unaffected, and affected people are carriers
    status = dict(zip(ped[1], ped[5]))
    carriers = [s for c in truth.carriers for s in _split(c)]
    assert any(status[s] == "1" for s in carriers)
    non = [s for c in truth.non_carriers for s in _split(c)]
    assert all(status[s] == "1" for s in non)


def test_ecg_echo_clinical(demo_data):
    ecg = _read(demo_data, "ecg.csv")
    assert list(ecg.columns) == ["person_id", "family_id", "date", "age", "sex", "heart_rate", "rr_s", "qt_ms",
                                 "qrs_ms", "pr_ms"]
    assert np.allclose(ecg.rr_s, 60 / ecg.heart_rate, atol=0.001)
    assert ecg.groupby("person_id").size().max() >= 2
    pd.to_datetime(ecg.date, format="%Y-%m-%d")
    truth = _read(demo_data, "truth.tsv", sep="\t", dtype=str)
    lqt = truth[truth.condition == "long_qt"]
    carriers = {s for c in lqt.carriers for s in _split(c)}
    non = {s for c in lqt.non_carriers for s in _split(c)}
    qtc = ecg.qt_ms / np.sqrt(ecg.rr_s)  # Bazett
    assert qtc[ecg.person_id.isin(carriers)].mean() > qtc[ecg.person_id.isin(non)].mean() + 30
    echo = _read(demo_data, "echo.csv")
    assert list(echo.columns) == ["person_id", "date", "max_wall_thickness_mm", "la_diameter_mm",
                                  "lvot_gradient_mmhg"]
    assert echo.isna().any().any()
    hcm_fams = set(truth[truth.condition == "hcm"].family_id)
    assert {p.rsplit("-", 1)[0] for p in echo.person_id} <= hcm_fams
    clin = _read(demo_data, "clinical.csv")
    assert list(clin.columns) == ["person_id", "family_id", "age", "sex", "deceased", "age_at_death",
                                  "cause_of_death", "family_history_scd", "nsvt", "unexplained_syncope",
                                  "prior_cardiac_arrest_or_sustained_vt", "athlete", "affected_status", "proband"]
    assert (clin.cause_of_death == "sudden cardiac death").sum() >= 5
    assert set(clin[clin.proband == 1].person_id) == set(truth.proband)
