"""Every real file in ../shared/realdata that an analysis accepts goes through the whole `bigmed run` of that
analysis (a report comes out); files meant to be refused give one line and exit code 2 before any notebook.

Unit tests on a reader were not enough: Scout's trio passed ``read_vcf``'s test while the cached import the
rare-disease analysis uses failed on the same file (INFO/CADD declared Integer, holding decimals).

Which file goes where (see ../shared/realdata/SOURCES.md):

=====================================================  ================================================
file                                                   analysis / outcome
=====================================================  ================================================
scout_643594.clinical.vcf.gz + .ped (GRCh37 trio)      rare_disease, phenotypes from each phenopacket
phenopacket-store_WWOX_PMID_30356099_Patient_1.json    rare_disease phenotype input (scout trio)
phenopacket-schema_mcahs1.json                         rare_disease phenotype input (scout trio)
scout_vep113_existing_variation.vcf (GRCh38, 1 sample) rare_disease as a singleton (PED written here)
slivar_comphet.csq.vcf + .ped                          refused: bcftools BCSQ, no VEP CSQ (exit 2)
slivar_ashk-trio.vcf.gz + .ped                         refused: no VEP CSQ (exit 2)
maftools_coad.maf.gz                                   colorectal_cancer (TCGA-AG-A002, POLE hypermutator)
maftools_tcga_laml.maf.gz                              colorectal_cancer accepts it (a valid MAF; it holds
                                                       no tumour type, so the analysis cannot refuse AML)
scout_cancer_test.vcf.gz (GRCh37 tumour/normal)        colorectal_cancer from the VCF (undeclared
                                                       FORMAT keys dropped, with a warning)
scout_cancer_test.ped                                  no analysis takes it (colorectal_cancer names the
                                                       tumour and normal columns instead)
=====================================================  ================================================

The refusal of BCSQ-only files is a choice: bcftools csq writes no population frequency, canonical
transcript or HGVS fields, which the ACMG rules and the rarity filters need; reading such a file with every
annotation missing would rank variants as if nothing were known about them.

These runs execute real notebooks (a few minutes in all): they share one import cache, so the scout trio
is imported once for its two phenopacket runs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def run_env(tmp_path_factory) -> dict[str, str]:
    cache = tmp_path_factory.mktemp("vcf-cache")
    return {**os.environ, "PYTHONPATH": str(ROOT), "BIGMED_CACHE_DIR": str(cache),
            "BIGMED_DRIVER_MEMORY": os.environ.get("BIGMED_DRIVER_MEMORY", "2g")}


def bigmed_run(env: dict[str, str], tmp: Path, analysis: str, params: dict) -> tuple[subprocess.CompletedProcess, Path]:
    pfile = tmp / f"{analysis}.yaml"
    pfile.write_text(yaml.safe_dump({k: str(v) if isinstance(v, Path) else v for k, v in params.items()}))
    out = tmp / "out"
    res = subprocess.run([sys.executable, "-m", "bigmed_utils.cli", "run", analysis, "--params", str(pfile),
                          "--out", str(out)], capture_output=True, text=True, env=env, timeout=1800)
    return res, out


def assert_report(res: subprocess.CompletedProcess, out: Path, analysis: str) -> dict:
    assert res.returncode == 0, res.stderr[-2000:]
    assert "Traceback" not in res.stderr
    html = (out / "report.html").read_text()
    assert "research use only" in html.lower()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["analysis"] == analysis
    return summary


def assert_refused(res: subprocess.CompletedProcess, out: Path, message: str) -> None:
    *steps, error = [line for line in res.stderr.splitlines() if line.strip()]
    assert res.returncode == 2, res.stderr[-2000:]
    assert error == f"bigmed: error: {message}"
    # before it only the progress lines of the steps that finished, none of them the notebook
    assert all(re.fullmatch(r"bigmed: \w+: \[\d/\d\] [a-z ]+ [0-9.]+ s", s) for s in steps), steps
    assert not any("execute notebook" in s for s in steps), steps
    assert not out.exists() and (out.parent / "out.failed" / "error.txt").is_file()
    assert not (out.parent / "out.failed" / "notebook.ipynb").exists()  # refused before the notebook


# --- rare disease -------------------------------------------------------------------------------------------

def _scout(realdata: Path, phenopacket: str) -> dict:
    return {"case_id": "scout643594", "vcf": realdata / "scout_643594.clinical.vcf.gz",
            "ped": realdata / "scout_643594.ped", "proband": "ADM1059A2", "genome_build": "GRCh37",
            "phenopacket": realdata / phenopacket}


def test_scout_trio_with_phenopacket_store_phenotypes(realdata, run_env, tmp_path):
    res, out = bigmed_run(run_env, tmp_path, "rare_disease",
                          _scout(realdata, "phenopacket-store_WWOX_PMID_30356099_Patient_1.json"))
    summary = assert_report(res, out, "rare_disease")
    assert summary["members"] == {"ADM1059A2": "proband", "ADM1059A1": "father", "ADM1059A3": "mother"}
    assert summary["funnel"][0]["n"] == 680  # 680 records, no multi-allelic rows (SOURCES.md)
    # the phenopacket's 9 observed and 16 excluded HPO terms reached the ranking
    assert (len(summary["phenotypes"]["observed"]), len(summary["phenotypes"]["excluded"])) == (9, 16)
    gate = next(r for r in summary["funnel"] if r["step"].startswith("consequence gate"))
    assert gate["n"] == 5  # of 132 rare, good-quality proband variants, most of them intronic
    assert summary["candidates"] == []  # unaffected parents: nothing fits a mode without reduced penetrance
    # the first pass served the case: the cache holds its small VCF and no import of the whole VCF. (Scout
    # declares CADD Integer with decimal values; the case never reads CADD, so nothing is retyped here:
    # the whole-VCF import's retyping is tested in tests/io/test_vcf.py and tests/io/test_vcf_retyping.py.)
    cache = Path(run_env["BIGMED_CACHE_DIR"])
    assert list(cache.rglob("*.first-pass-*.vcf.gz")), sorted(q.name for q in cache.rglob("*"))
    assert not [q for q in cache.rglob("*.mt") if re.fullmatch(r"[0-9a-f]{16}\.mt", q.name)]


def test_scout_trio_with_schema_example_phenopacket(realdata, run_env, tmp_path):
    # the trio's parents are unaffected, so no inherited heterozygous variant fits a fully penetrant dominant
    # mode and the default run has no candidate (see the test above); with reduced penetrance allowed, the five
    # variants that pass the consequence gate are ranked on the phenopacket's phenotypes
    res, out = bigmed_run(run_env, tmp_path, "rare_disease",
                          {**_scout(realdata, "phenopacket-schema_mcahs1.json"), "reduced_penetrance": True})
    summary = assert_report(res, out, "rare_disease")
    assert len(summary["phenotypes"]["observed"]) == 10 and summary["phenotypes"]["excluded"] == []
    assert summary["candidates"], "a ranked candidate list comes out"


def test_vep113_single_sample_as_a_singleton(realdata, run_env, tmp_path):
    ped = tmp_path / "singleton.ped"
    ped.write_text("F1\tsample1\t0\t0\t0\t2\n")
    res, out = bigmed_run(run_env, tmp_path, "rare_disease", {
        "case_id": "vep113", "vcf": realdata / "scout_vep113_existing_variation.vcf", "ped": ped,
        "proband": "sample1", "hpo_terms": ["HP:0001166"]})
    summary = assert_report(res, out, "rare_disease")
    assert summary["members"] == {"sample1": "proband"}
    assert summary["funnel"][0]["n"] == 1


@pytest.mark.parametrize("name, ped, proband, build", [
    ("slivar_comphet.csq.vcf", "slivar_comphet.csq.ped", "UDN810123", "GRCh38"),
    ("slivar_ashk-trio.vcf.gz", "slivar_ashk-trio.ped", "HG002", "GRCh37"),
])
def test_vcf_without_vep_csq_is_refused_in_one_line(realdata, run_env, tmp_path, name, ped, proband, build):
    res, out = bigmed_run(run_env, tmp_path, "rare_disease", {
        "case_id": "x", "vcf": realdata / name, "ped": realdata / ped, "proband": proband, "genome_build": build,
        "hpo_terms": ["HP:0001250"]})
    assert_refused(res, out, f"{realdata / name}: no VEP CSQ annotation (INFO/CSQ is not declared in the header) "
                             "(it has bcftools BCSQ instead); annotate with VEP first")


# --- colorectal cancer --------------------------------------------------------------------------------------

def test_coad_maf_hypermutated_tumour(realdata, run_env, tmp_path):
    res, out = bigmed_run(run_env, tmp_path, "colorectal_cancer", {
        "patient_id": "TCGA-AG-A002", "maf": realdata / "maftools_coad.maf.gz", "tumor_sample": "TCGA.AG.A002.01",
        "genome_build": "GRCh37"})
    summary = assert_report(res, out, "colorectal_cancer")
    # the well-known POLE-mutated hypermutator of TCGA's rectal tumours
    assert summary["tmb"]["high"] is True and summary["tmb"]["value"] > 100
    assert "POLE" in summary["headline"]


def test_laml_maf_is_read_as_a_valid_maf(realdata, run_env, tmp_path):
    res, out = bigmed_run(run_env, tmp_path, "colorectal_cancer", {
        "patient_id": "TCGA-AB-2988", "maf": realdata / "maftools_tcga_laml.maf.gz",
        "tumor_sample": "TCGA-AB-2988", "genome_build": "GRCh37"})
    summary = assert_report(res, out, "colorectal_cancer")
    assert summary["patient_id"] == "TCGA-AB-2988" and summary["tmb"]["high"] is False


def test_scout_cancer_tumour_normal_vcf(realdata, run_env, tmp_path):
    res, out = bigmed_run(run_env, tmp_path, "colorectal_cancer", {
        "patient_id": "P999", "vcf": realdata / "scout_cancer_test.vcf.gz", "tumor_sample": "999-99",
        "normal_sample": "998-99", "genome_build": "GRCh37"})
    summary = assert_report(res, out, "colorectal_cancer")
    assert [d["gene"] for d in summary["drivers"]] == ["TP53"]


def test_misspelled_phenopacket_key_is_refused_before_the_notebook(realdata, run_env, tmp_path):
    data = json.loads((realdata / "phenopacket-schema_mcahs1.json").read_text())
    data["phenotypicFeatures"][0]["exluded"] = True
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, indent=2))
    line = next(i for i, t in enumerate(bad.read_text().splitlines(), 1) if '"exluded"' in t)
    params = _scout(realdata, "phenopacket-schema_mcahs1.json")
    params["phenopacket"] = bad
    res, out = bigmed_run(run_env, tmp_path, "rare_disease", params)
    assert_refused(res, out, f"{bad} line {line}: field phenotypicFeatures[0].exluded is not a Phenopacket v2 "
                             "field (misspelled, or from another schema version)")
