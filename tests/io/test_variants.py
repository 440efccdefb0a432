"""load_variants, the one VCF loader of the analyses: one cache policy for every area."""

from __future__ import annotations

from pathlib import Path

import pytest

from bigmed_utils.errors import InputDataError
from bigmed_utils.io.variants import load_variants

TRIO = Path(__file__).resolve().parents[1] / "data" / "vcf" / "trio.vcf"
TRIO_ROWS = 20  # 19 records, one with two ALT alleles




def test_a_vcf_is_imported_once_and_read_from_the_cache_after(hail_session, vcf, imports):
    first = load_variants(vcf)
    second = load_variants(vcf)
    assert imports == [str(vcf)]
    assert first.count_rows() == second.count_rows() == TRIO_ROWS
    assert vcf.with_name("trio.vcf.bigmed-cache").is_dir()


def test_a_changed_vcf_is_imported_again(hail_session, vcf, imports):
    load_variants(vcf)
    lines = vcf.read_text().splitlines(keepends=True)
    vcf.write_text("".join(line for line in lines if not line.startswith("chr1\t")))  # one record fewer
    changed = load_variants(vcf)
    assert imports == [str(vcf), str(vcf)]
    assert changed.count_rows() < TRIO_ROWS


def test_a_file_read_once_leaves_no_cache_beside_it(hail_session, vcf, imports):
    mt = load_variants(vcf, parse_csq=False, csq_required=False, cache=False)
    assert mt.count_rows() == TRIO_ROWS
    assert not vcf.with_name("trio.vcf.bigmed-cache").exists()


def test_a_missing_vcf_is_named(tmp_path):
    with pytest.raises(InputDataError, match=r"^VCF file not found: .*absent\.vcf\.gz$"):
        load_variants(tmp_path / "absent.vcf.gz")
