"""PED reading: the three header styles of public pipelines, coding, and each validation error."""

from __future__ import annotations

from pathlib import Path

import pytest

from bigmed_utils.errors import InputDataError
from bigmed_utils.io.ped import PED_COLUMNS, family_members, ped_to_hail_pedigree, read_ped

DATA = Path(__file__).resolve().parents[1] / "data" / "vcf"


def write(tmp_path: Path, text: str, name: str = "f.ped") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.mark.parametrize(
    "name, n, proband, father, mother, proband_sex",
    [
        ("scout_643594.ped", 3, "ADM1059A2", "ADM1059A1", "ADM1059A3", 1),  # '#Family ID' header
        ("slivar_comphet.csq.ped", 3, "UDN810123", "UDN231974", "UDN971716", 2),  # '#Kindred_ID' header
        ("slivar_ashk-trio.ped", 3, "HG002", "HG003", "HG004", 1),  # no header
    ],
)
def test_realdata_trio_peds(realdata, name, n, proband, father, mother, proband_sex):
    df = read_ped(realdata / name)
    assert list(df.columns) == PED_COLUMNS
    assert len(df) == n
    row = df.set_index("individual_id").loc[proband]
    assert (row["paternal_id"], row["maternal_id"], row["sex"], row["phenotype"]) == (father, mother, proband_sex, 2)
    founders = df[df["individual_id"] != proband]
    assert founders["paternal_id"].isna().all() and founders["maternal_id"].isna().all()
    assert family_members(df, proband=proband) == {"proband": proband, "father": father, "mother": mother}


def test_realdata_cancer_ped_unknown_sex(realdata):
    df = read_ped(realdata / "scout_cancer_test.ped")
    assert df["sex"].tolist() == [0, 0]
    assert df.set_index("individual_id")["phenotype"].to_dict() == {"998-99": 1, "999-99": 2}


def test_ashk_parents_have_unknown_phenotype(realdata):
    # the slivar PED codes the parents' phenotype 0 (unknown), not 1
    df = read_ped(realdata / "slivar_ashk-trio.ped").set_index("individual_id")
    assert df.loc["HG003", "phenotype"] == 0 and df.loc["HG004", "phenotype"] == 0


def test_space_separated_and_minus9(tmp_path):
    p = write(tmp_path, "F k d m 1 2\nF d 0 0 1 -9\nF m 0 0 2 1\n")
    df = read_ped(p).set_index("individual_id")
    assert df.loc["d", "phenotype"] == 0 and df.loc["k", "paternal_id"] == "d"
    assert read_ped(p).attrs["path"] == str(p)


def test_hail_pedigree(hail_session):
    ped = ped_to_hail_pedigree(read_ped(DATA / "trio.ped"))
    complete = {t.s: (t.pat_id, t.mat_id, t.is_female) for t in ped.complete_trios()}
    assert complete == {"P1": ("F1", "M1", False), "S1": ("F1", "M1", True), "D_P": ("D_F", "D_M", False)}


@pytest.mark.parametrize(
    "text, message",
    [
        ("F a 0 0 1 1\nF a 0 0 1 1\n", "individual 'a' appears more than once"),
        ("F k d m 1 2\nF d 0 0 1 1\n", "mother 'm' of individual 'k' has no line of their own in the PED"),
        ("F k d m 1 2\nF d 0 0 2 1\nF m 0 0 2 1\n", "'d' is the father of 'k' but is coded female"),
        ("F k d m 1 2\nF d 0 0 1 1\nF m 0 0 1 1\n", "'m' is the mother of 'k' but is coded male"),
        ("F a b 0 1 1\nF b a 0 1 1\n", "pedigree loop"),
        ("F a 0 0 1\n", "line 1 has 5 columns"),
        ("# only a header\n", "no individuals in PED file"),
    ],
)
def test_validation_errors(tmp_path, text, message):
    p = write(tmp_path, text)
    with pytest.raises(InputDataError) as err:
        read_ped(p)
    assert message in str(err.value)
    assert str(p) in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputDataError, match="PED file not found"):
        read_ped(tmp_path / "nope.ped")


def test_proband_not_in_ped():
    with pytest.raises(InputDataError, match="proband 'ZZ' is not in the PED"):
        family_members(read_ped(DATA / "trio.ped"), proband="ZZ")
