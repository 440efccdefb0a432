"""Re-analysis from the cache: other phenotypes and thresholds read the cached family QC and the proband's
rare rows (no pass over the whole VCF), and give what a first analysis gives."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from bigmed_utils.genomics import gate, hail_de_novo, qc, rare_rows
from bigmed_utils.params import validate_params
from bigmed_utils.rare_disease.analysis import analyse_case


@pytest.fixture()
def case(demo_data, tmp_path):
    """RD003 (compound heterozygous, CEP290) copied to a fresh folder: its cache starts empty."""
    rd = demo_data / "rare_disease"
    for suffix in (".vcf.gz", ".vcf.gz.tbi", ".ped", ".phenopacket.json"):
        shutil.copy(rd / f"RD003{suffix}", tmp_path / f"RD003{suffix}")
    truth = pd.read_csv(rd / "truth.tsv", sep="\t", comment="#").set_index("case").loc["RD003"]
    return tmp_path, truth


def _params(folder, **extra):
    return validate_params("rare_disease", {
        "case_id": "RD003", "vcf": str(folder / "RD003.vcf.gz"), "ped": str(folder / "RD003.ped"),
        "proband": "RD003-P", "phenopacket": str(folder / "RD003.phenopacket.json"), **extra,
    })


def test_reanalysis_reads_the_cached_family_tables(hail_session, case, monkeypatch):
    folder, truth = case
    calls = {"qc": 0, "rare": 0}
    real_qc, real_rare = qc.run_qc, rare_rows.proband_rare_rows
    # the gated rows and Hail's de novo calls (threshold-free) are cached too: computed once per proband table
    built = {"gated": 0, "hl.de_novo": 0}
    real_gated, real_dn = gate.gated_rows, hail_de_novo.de_novo_calls

    def spy_gated(*args, **kwargs):
        built["gated"] += 1
        return real_gated(*args, **kwargs)

    def spy_dn(*args, **kwargs):
        built["hl.de_novo"] += 1
        return real_dn(*args, **kwargs)

    monkeypatch.setattr(gate, "gated_rows", spy_gated)
    monkeypatch.setattr(hail_de_novo, "de_novo_calls", spy_dn)

    def spy_qc(*args, **kwargs):
        calls["qc"] += 1
        return real_qc(*args, **kwargs)

    def spy_rare(*args, **kwargs):
        calls["rare"] += 1
        return real_rare(*args, **kwargs)

    monkeypatch.setattr(qc, "run_qc", spy_qc)
    monkeypatch.setattr(rare_rows, "proband_rare_rows", spy_rare)

    first = analyse_case(_params(folder))
    assert calls == {"qc": 1, "rare": 1}
    assert built == {"gated": 1, "hl.de_novo": 1}
    assert first.top.iloc[0]["gene"] == truth["gene"]

    # same parameters from the cache: the same report
    again = analyse_case(_params(folder))
    assert calls == {"qc": 1, "rare": 1}
    assert again.summary == first.summary

    # other phenotypes and thresholds (within the cached 5 % ceiling): still no pass over the whole VCF
    other = analyse_case(_params(folder, hpo_terms=["HP:0001263"], min_gq=30, max_af_compound_het=0.03))
    assert calls == {"qc": 1, "rare": 1}
    assert built == {"gated": 1, "hl.de_novo": 1}
    assert other.funnel[0] == first.funnel[0] and other.funnel[1] == first.funnel[1]
    assert dict(other.funnel)["population AF <= 0.03 (loosest mode ceiling)"] >= dict(first.funnel)[
        "population AF <= 0.02 (loosest mode ceiling)"]
    assert other.summary["qc"] == first.summary["qc"]

    # a ceiling above the cached one builds the proband's rows anew (the QC is still cached)
    analyse_case(_params(folder, max_af_compound_het=0.1))
    assert calls == {"qc": 1, "rare": 2}
    assert built == {"gated": 2, "hl.de_novo": 2}
