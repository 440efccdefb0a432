"""read_maf: hand-made GDC-style MAF, gzip, bad input, and the real maftools MAFs (see realdata/SOURCES.md)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from bigmed_utils.errors import InputDataError, ParameterError
from bigmed_utils.io.maf import read_maf

DATA = Path(__file__).resolve().parents[1] / "data" / "oncology"


def test_read_small_maf_skips_version_lines_and_types_positions():
    maf = read_maf(DATA / "small.maf")
    assert len(maf) == 16  # 3 '#' lines skipped, header read
    assert maf["Start_Position"].dtype == "Int64"
    assert maf.loc[0, "Hugo_Symbol"] == "KRAS" and maf.loc[0, "Start_Position"] == 25245350
    assert maf.attrs["protein_change_column"] == "HGVSp_Short"
    # '.' and '' are missing values
    smad4 = maf[maf["Hugo_Symbol"] == "SMAD4"].iloc[0]
    assert smad4["HGVSp_Short"] is None or str(smad4["HGVSp_Short"]) == "<NA>"


def test_read_gzip_maf_by_content(tmp_path):
    gz = tmp_path / "small.maf"  # gzip content without a .gz suffix
    with open(DATA / "small.maf", "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert len(read_maf(gz)) == 16


def test_tumor_sample_filter():
    maf = read_maf(DATA / "small.maf", tumor_sample="CRC0002-T")
    assert set(maf["Tumor_Sample_Barcode"]) == {"CRC0002-T"}
    assert len(maf) == 6


def test_unknown_tumor_sample_names_it_and_lists_barcodes():
    with pytest.raises(InputDataError) as err:
        read_maf(DATA / "small.maf", tumor_sample="CRC9999-T")
    msg = str(err.value)
    assert "CRC9999-T" in msg and "CRC0001-T" in msg and "CRC0002-T" in msg and "small.maf" in msg


def test_missing_required_column_names_file_and_column():
    with pytest.raises(InputDataError, match=r"missing_allele2\.maf: MAF is missing required column 'Tumor_Seq_Allele2'"):
        read_maf(DATA / "missing_allele2.maf")


def test_missing_file_is_a_parameter_error(tmp_path):
    with pytest.raises(ParameterError, match="not found"):
        read_maf(tmp_path / "nope.maf")


def test_empty_file(tmp_path):
    p = tmp_path / "empty.maf"
    p.write_text("#version 2.4\n")
    with pytest.raises(InputDataError, match="empty MAF"):
        read_maf(p)


def test_real_maftools_coad(realdata):
    maf = read_maf(realdata / "maftools_coad.maf.gz")
    assert len(maf) == 12575  # SOURCES.md: 12,575 rows
    assert maf.attrs["protein_change_column"] == "AAChange"
    assert maf["Tumor_Sample_Barcode"].value_counts().to_dict() == {
        "TCGA.AG.A002.01": 12543, "TCGA.AF.3400.01A.01W.0831.10": 32}
    assert maf.loc[0, "HGVSp_Short"] == "p.N45S"
    assert maf["HGVSp_Short"].isna().sum() > 0  # AAChange '.' read as missing
    # barcode written with '-' matches the '.' spelling of the file
    assert len(read_maf(realdata / "maftools_coad.maf.gz", tumor_sample="TCGA-AF-3400-01A-01W-0831-10")) == 32


def test_real_maftools_laml(realdata):
    maf = read_maf(realdata / "maftools_tcga_laml.maf.gz")
    assert len(maf) == 2207 and maf["Tumor_Sample_Barcode"].nunique() == 193  # SOURCES.md
    assert maf.attrs["protein_change_column"] == "Protein_Change"
    assert "End_Position" in maf.columns  # file spells it End_position
    with pytest.raises(InputDataError, match="TCGA-XX-0000"):
        read_maf(realdata / "maftools_tcga_laml.maf.gz", tumor_sample="TCGA-XX-0000")
