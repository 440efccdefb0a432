"""A header whose declared type its values contradict (Scout's CADD: Integer, values 2.444) is read as text
with a warning on EVERY import path: read_vcf, the import cache (the rare-disease analysis' path), the
in-house database, and any future caller (one hl.import_vcf in the package)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from bigmed_utils.io.vcf import RetypedFieldWarning, read_vcf
from bigmed_utils.io.vcf_cache import read_vcf_cached

ROOT = Path(__file__).resolve().parents[2]
TRIO = ROOT / "tests" / "data" / "vcf" / "trio.vcf"


@pytest.fixture
def mistyped(tmp_path) -> Path:
    """trio.vcf with INFO/SCORE declared Integer holding 2.5 and FORMAT/QQ declared Integer holding 'x'."""
    out = []
    for line in TRIO.read_text().splitlines():
        if line.startswith("##FORMAT=<ID=GT"):
            out.append('##INFO=<ID=SCORE,Number=1,Type=Integer,Description="declared Integer, holds decimals">')
            out.append('##FORMAT=<ID=QQ,Number=1,Type=Integer,Description="declared Integer, holds text">')
        if line.startswith("chr1\t1000100"):
            f = line.split("\t")
            f[7] += ";SCORE=2.5"
            f[8] += ":QQ"
            f[9:] = [v + ":x" for v in f[9:]]
            line = "\t".join(f)
        out.append(line)
    path = tmp_path / "data" / "mistyped.vcf"
    path.parent.mkdir()
    path.write_text("\n".join(out) + "\n")
    return path


def _check(hl, mt, caught, file=r"mistyped\.vcf") -> None:
    assert sorted(hl.eval(mt.retyped_fields)) == ["QQ", "SCORE"]
    row = mt.filter_rows(mt.locus.position == 1000100)
    assert row.info.SCORE.collect() == ["2.5"]
    assert set(row.QQ.collect()) == {"x"}
    texts = [str(w.message) for w in caught if issubclass(w.category, RetypedFieldWarning)]
    assert any(re.search(file + r": field SCORE does not match its declared type; read as text", t) for t in texts)
    assert any("field QQ does not match" in t for t in texts)


def test_read_vcf_retypes_info_and_format(hail_session, mistyped):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mt = read_vcf(mistyped)
    _check(hail_session, mt, caught)


def test_cached_import_retypes_too(hail_session, mistyped, tmp_path):
    # the rare-disease analysis reads through the cache with parse_csq=False: that path failed on Scout's CADD
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mt = read_vcf_cached(mistyped, parse_csq=False, cache_dir=tmp_path / "cache")
    _check(hail_session, mt, caught)
    again = read_vcf_cached(mistyped, parse_csq=False, cache_dir=tmp_path / "cache")  # from the cache
    assert sorted(hail_session.eval(again.retyped_fields)) == ["QQ", "SCORE"]


def test_inhouse_database_import_retypes_too(hail_session, mistyped):
    from bigmed_utils.genomics.inhouse_db import _Case, _case_calls

    case = _Case(case_id="T1", vcf=str(mistyped), proband="P1", genome_build="GRCh38", hpo_terms=[],
                 excluded_terms=[], candidates=[], headline="")
    calls = _case_calls(case)
    assert "chr1:1000100:A:G" in set(calls.variant_id.collect())


def test_wrong_gt_is_an_error_not_a_retyping(hail_session, tmp_path):
    from bigmed_utils.errors import InputDataError

    text = TRIO.read_text().replace("\t0/1:15,15:30:60:200,0,200", "\t0/1:15,15:3x:60:200,0,200", 1)
    bad = tmp_path / "bad_dp.vcf"
    bad.write_text(text)
    with pytest.raises(InputDataError, match=r"bad_dp\.vcf: Hail could not read the VCF"):
        read_vcf(bad)


def test_only_io_vcf_calls_hail_import_vcf():
    """Every VCF import goes through bigmed_utils.io.vcf.hail_import_vcf (and so through the retyping)."""
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "bigmed_utils").rglob("*.py")
                 if "hl.import_vcf(" in p.read_text() and p.name != "vcf.py"]
    assert offenders == []
    notebooks = [str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").rglob("*.ipynb") if "import_vcf(" in p.read_text()]
    assert notebooks == []


def test_the_first_pass_falls_back_to_the_retyping_import(hail_session, mistyped, tmp_path, monkeypatch, caplog):
    """A first analysis starts with the htslib first pass, which refuses the record whose FORMAT value
    contradicts its type (``VCF parse error``): it says so and the rows come from the whole VCF's import, which
    reads the fields as text with the warning; the family QC is computed."""
    import logging

    import pysam

    from bigmed_utils.io import first_pass
    from bigmed_utils.io.ped import read_ped

    vcf = Path(pysam.tabix_index(str(mistyped), preset="vcf", force=True))
    monkeypatch.setenv("BIGMED_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv(first_pass.ENV_FIRST_PASS, "1")
    ped = read_ped(TRIO.with_suffix(".ped"))
    tables = first_pass.FamilyTables.start(vcf=vcf, genome_build="GRCh38", min_partitions=None, ped=ped,
                                           family=ped[ped.family_id == "FAM1"], proband="P1", ceiling=0.05)
    assert tables.source == "first pass"
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        rare = tables.proband_rare()
    assert tables.source == "whole VCF"
    assert any("first pass" in r.getMessage() and "VCF parse error" in r.getMessage() for r in caplog.records)
    _check(hail_session, rare, caught, file=r"mistyped\.vcf\.gz")
    assert set(tables.family_qc().samples["sample"]) == {"P1", "F1", "M1", "S1"}
