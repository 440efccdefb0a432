"""TMB: known value on a hand-made MAF, class conventions, TMB-high cut-off, bad callable size."""

from __future__ import annotations

from pathlib import Path

import pytest

from bigmed_utils.errors import InputDataError, ParameterError
from bigmed_utils.io.maf import read_maf
from bigmed_utils.oncology.tmb import (
    FOUNDATION_ONE_CLASSES,
    NONSYNONYMOUS_CLASSES,
    TMB_HIGH_THRESHOLD,
    compute_tmb,
    is_tmb_high,
    tmb_by_sample,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "oncology"


@pytest.fixture(scope="module")
def maf():
    return read_maf(DATA / "small.maf")


def test_known_value_hand_made_maf(maf):
    # CRC0001-T: KRAS G12D (listed twice: one variant), APC nonsense, APC frameshift, TP53 and PIK3CA
    # missense, SMAD4 splice site = 6 counted; silent, intron and 3'UTR rows are not counted.
    res = compute_tmb(maf, callable_mb=0.5, tumor_sample="CRC0001-T")
    assert res.n_variants == 6
    assert res.value == pytest.approx(12.0)
    assert res.unit == "mut/Mb" and res.callable_mb == 0.5 and res.high is True
    low = compute_tmb(maf, callable_mb=1.5, tumor_sample="CRC0001-T")
    assert low.value == pytest.approx(4.0) and low.high is False
    assert low.to_dict() == {"value": 4.0, "unit": "mut/Mb", "callable_mb": 1.5, "n_variants": 6, "high": False,
                             "threshold": 10.0}


def test_other_classes_counted(maf):
    # CRC0002-T: missense x2, in-frame deletion, nonstop, translation start site = 5; RNA not counted
    assert compute_tmb(maf, callable_mb=1.0, tumor_sample="CRC0002-T").n_variants == 5
    # FoundationOne-style counting adds the synonymous TTN variant of CRC0001-T
    assert compute_tmb(maf, callable_mb=1.0, tumor_sample="CRC0001-T", variant_classes=FOUNDATION_ONE_CLASSES).n_variants == 7


def test_default_classes_are_maftools_nonsynonymous():
    # maftools read.maf(vc_nonSyn) default
    assert set(NONSYNONYMOUS_CLASSES) == {
        "Frame_Shift_Del", "Frame_Shift_Ins", "Splice_Site", "Translation_Start_Site", "Nonsense_Mutation",
        "Nonstop_Mutation", "In_Frame_Del", "In_Frame_Ins", "Missense_Mutation"}


def test_tmb_high_cutoff_is_fda_10_per_mb():
    # FDA pembrolizumab TMB-H approval (16 June 2020): >= 10 mut/Mb
    assert TMB_HIGH_THRESHOLD == 10.0
    assert is_tmb_high(10.0) is True and is_tmb_high(9.99) is False


def test_by_sample_includes_tumours_without_variants(maf):
    t = tmb_by_sample(maf, callable_mb=0.5, samples=["CRC0001-T", "CRC0002-T", "CRC0003-T"])
    assert t.set_index("Tumor_Sample_Barcode")["tmb"].to_dict() == {"CRC0001-T": 12.0, "CRC0002-T": 10.0,
                                                                    "CRC0003-T": 0.0}
    assert list(t["tmb_high"]) == [True, True, False]


@pytest.mark.parametrize("bad", [0, -1, 0.0, float("nan"), "abc", None])
def test_bad_callable_size_names_the_parameter(maf, bad):
    with pytest.raises(ParameterError, match="callable_mb"):
        compute_tmb(maf, callable_mb=bad, tumor_sample="CRC0001-T")


def test_several_tumours_need_a_sample(maf):
    with pytest.raises(ParameterError, match="tumor_sample"):
        compute_tmb(maf, callable_mb=1.0)
    with pytest.raises(InputDataError, match="CRC0009-T"):
        compute_tmb(maf, callable_mb=1.0, tumor_sample="CRC0009-T")


def test_real_hypermutated_tcga_rectal_tumour(realdata):
    # TCGA-AG-A002 is the well-known hypermutated rectal tumour (SOURCES.md): > 100 mut/Mb on a 50 Mb exome
    maf = read_maf(realdata / "maftools_coad.maf.gz")
    t = tmb_by_sample(maf, callable_mb=50).set_index("Tumor_Sample_Barcode")
    assert t.loc["TCGA.AG.A002.01", "tmb"] > 100
    assert t.loc["TCGA.AF.3400.01A.01W.0831.10", "tmb"] < 1
