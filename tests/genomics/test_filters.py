"""Genotype filters on hand-made genotypes at each threshold boundary."""

from __future__ import annotations

from pathlib import Path

import pytest

from bigmed_utils.errors import ParameterError
from bigmed_utils.genomics.filters import (
    SLIVAR_HOM_ALT_MIN_AB,
    SLIVAR_HOM_REF_MAX_AB,
    SLIVAR_MIN_AB,
    SLIVAR_MIN_DP,
    SLIVAR_MIN_GQ,
    GenotypeFilters,
    apply_genotype_filters,
)
from bigmed_utils.io.vcf import read_vcf

DATA = Path(__file__).resolve().parents[1] / "data" / "vcf"

# one sample per boundary case (tests/data/vcf/make_test_vcfs.py: gt_filter_records)
EXPECTED_DEFAULT = {
    "gq19": False, "gq20": True,  # GQ >= 20
    "ab019": False, "ab020": True, "ab080": True, "ab081": False,  # het 0.2 <= AB <= 0.8
    "dp5": False, "dp6": True,  # DP >= 6
    "hr002": False, "hr001": True,  # hom-ref AB < 0.02
    "ha098": False, "ha099": True,  # hom-alt AB > 0.98
}


def test_slivar_defaults_match_published_config():
    # brentp/slivar js/slivar-functions.js: config = {min_GQ: 20, min_AB: 0.20, min_DP: 6, ...};
    # hom_ref AB < 0.02, hom_alt AB > 0.98
    assert (SLIVAR_MIN_GQ, SLIVAR_MIN_DP, SLIVAR_MIN_AB) == (20, 6, 0.20)
    assert (SLIVAR_HOM_REF_MAX_AB, SLIVAR_HOM_ALT_MIN_AB) == (0.02, 0.98)
    f = GenotypeFilters()
    assert (f.min_gq, f.min_dp, f.het_ab_min, f.het_ab_max) == (20, 6, 0.2, 0.8)
    assert f.require_pass


@pytest.fixture(scope="module")
def gf_mt(hail_session):
    return read_vcf(DATA / "gt_filters.vcf")


def passes(mt, filters):
    out = apply_genotype_filters(mt, filters)
    return out, {e.s: e.GT_pass for e in out.entries().collect() if e.locus.position == 5000}


def test_boundaries_default(gf_mt):
    out, got = passes(gf_mt, GenotypeFilters())
    assert got == EXPECTED_DEFAULT
    # the LowQual record is gone, the failing calls are missing but their raw call is kept
    assert out.count_rows() == 1
    e = {x.s: x for x in out.entries().collect()}
    assert e["gq19"].GT is None and str(e["gq19"].GT_raw) == "0/1"
    assert e["ab019"].AB == pytest.approx(0.19)


def test_configurable(gf_mt):
    out, got = passes(gf_mt, GenotypeFilters(min_gq=19, min_dp=5, het_ab_min=0.19, het_ab_max=0.81, require_pass=False))
    assert got["gq19"] and got["dp5"] and got["ab019"] and got["ab081"]
    assert out.count_rows() == 2


def test_invalid_thresholds():
    with pytest.raises(ParameterError, match="het_ab_min \\(0.9\\) is above het_ab_max \\(0.8\\)"):
        GenotypeFilters(het_ab_min=0.9)
    with pytest.raises(ParameterError, match="hom_alt_ab_min: 1.5 is not between 0 and 1"):
        GenotypeFilters(hom_alt_ab_min=1.5)
